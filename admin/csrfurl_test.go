package admin_test

import (
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
	"github.com/drempel/drempel/web/webtest"
)

var (
	formRe      = regexp.MustCompile(`(?is)<form\b([^>]*)>(.*?)</form>`)
	methodRe    = regexp.MustCompile(`(?i)\bmethod="([^"]*)"`)
	csrfInputRe = regexp.MustCompile(`name="_csrf" value="([^"]*)"`)
	urlAttrRe   = regexp.MustCompile(`(?i)\b(href|src|action|formaction|data-[a-z-]+)="([^"]*)"`)
)

// tokenURLs lists what on a page would put a form token (CSRF) in a URL,
// where browsers' history, proxies' and servers' logs and the Referer
// header keep it: a GET form carrying the token, or a link, a source or an
// action holding it. known are the tokens the client was given so far.
func tokenURLs(body string, known map[string]bool) []string {
	for _, m := range csrfInputRe.FindAllStringSubmatch(body, -1) {
		if m[1] != "" {
			known[m[1]] = true
		}
	}
	var found []string
	for _, f := range formRe.FindAllStringSubmatch(body, -1) {
		method := "get" // a form without a method sends a GET
		if m := methodRe.FindStringSubmatch(f[1]); m != nil {
			method = strings.ToLower(m[1])
		}
		if method != "post" && strings.Contains(f[2], `name="_csrf"`) {
			found = append(found, "a GET form carries the token: <form"+f[1]+">")
		}
	}
	for _, a := range urlAttrRe.FindAllStringSubmatch(body, -1) {
		if strings.Contains(strings.ToLower(a[2]), "csrf") {
			found = append(found, a[0])
			continue
		}
		for tok := range known {
			if strings.Contains(a[2], tok) {
				found = append(found, a[1]+" holds the token: "+a[2])
			}
		}
	}
	return found
}

// No page of the admin panel puts a form token in a URL. Every role walks
// every GET page (the routes of leakRoutes, with site B's objects, which
// admins see, and site A's own), and the setup and sign-in pages.
func TestNoFormTokenInAnyURL(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		b := seedLeak(t, f)
		// Site A's own objects, where A has one of the kind.
		a := &leakB{vars: map[string]string{}}
		for k, v := range b.vars {
			a.vars[k] = v
		}
		a.vars["theme"], a.vars["threshold"] = b.vars["themeA"], b.vars["thresholdA"]

		var paths []string
		seen := map[string]bool{}
		for _, r := range f.app.GetRoutes(true) {
			if r.Method != "GET" || !strings.HasPrefix(r.Path, "/admin") {
				continue
			}
			lr, ok := leakRoutes["GET "+r.Path]
			if !ok {
				t.Errorf("GET %s is not in leakRoutes", r.Path)
				continue
			}
			for _, raw := range lr.paths {
				for _, p := range []string{b.fill(raw), a.fill(raw)} {
					if !seen[p] {
						seen[p] = true
						paths = append(paths, p)
					}
				}
			}
		}
		sort.Strings(paths)

		check := func(who string, c *webtest.Client, known map[string]bool, path string) {
			t.Helper()
			r := c.Get(path)
			if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
				return
			}
			for _, bad := range tokenURLs(r.Body, known) {
				t.Errorf("%s GET %s (%d): %s", who, path, r.Status, bad)
			}
		}
		for _, role := range store.Roles {
			c := f.signIn(t, role)
			known := map[string]bool{}
			for _, p := range paths {
				check(string(role), c, known, p)
			}
			if len(known) == 0 {
				t.Fatalf("%s: no page gave a form token; the test sees nothing", role)
			}
		}

		anon := webtest.NewClient(t, f.app)
		check("anonymous", anon, map[string]bool{}, "/admin/login")
		tok, err := st.NewSetupToken(ctx)
		if err != nil {
			t.Fatal(err)
		}
		check("anonymous", webtest.NewClient(t, f.app), map[string]bool{}, "/setup/"+tok)
	})
}
