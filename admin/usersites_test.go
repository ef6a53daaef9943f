package admin_test

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
	"github.com/drempel/drempel/web/webtest"
)

// twoSites gives the fixture a second site, Liège, next to Antwerpen,
// and returns both ids.
func twoSites(t *testing.T, f *fixture) (antwerpen, liege int64) {
	t.Helper()
	a, err := f.st.EnsureSite(ctx, "Test", "Europe/Brussels")
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.st.CreateSite(ctx, store.SiteInput{Name: "Liège"})
	if err != nil {
		t.Fatal(err)
	}
	return a.ID, b.ID
}

func userID(t *testing.T, st *store.Store, email string) int64 {
	t.Helper()
	users, err := st.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if u.Email == email {
			return u.ID
		}
	}
	t.Fatalf("no user %s", email)
	return 0
}

func siteIDsOf(t *testing.T, st *store.Store, id int64) []int64 {
	t.Helper()
	sites, err := st.UserSites(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, s := range sites {
		ids = append(ids, s.ID)
	}
	return ids
}

func switchTo(c *webtest.Client, site int64) webtest.Response {
	c.Get("/admin")
	return c.Post("/admin/site", webtest.Form("site", strconv.FormatInt(site, 10)))
}

var userRowRe = regexp.MustCompile(`(?s)<tr id="user-(\d+)">.*?</tr>`)

// userRow is the users page's row of one account.
func userRow(t *testing.T, body string, id int64) string {
	t.Helper()
	for _, m := range userRowRe.FindAllStringSubmatch(body, -1) {
		if m[1] == strconv.FormatInt(id, 10) {
			return m[0]
		}
	}
	t.Fatalf("no row for user %d", id)
	return ""
}

func ticks(row string, site int64) bool {
	return strings.Contains(row, fmt.Sprintf(`name="site" value="%d" checked>`, site))
}

// Staff of Antwerpen see only Antwerpen: no switch, and switching to Liège
// is a 404 as if it did not exist; an admin sees and switches to both;
// staff given both switch; a site taken away falls back to their own.
func TestStaffSeeOnlyTheirSites(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		antwerpen, liege := twoSites(t, f)

		staff := f.signIn(t, store.RoleStaff)
		home := staff.Get("/admin")
		if home.Status != 200 || strings.Contains(home.Body, `name="site"`) || strings.Contains(home.Body, "Liège") {
			t.Fatalf("staff of one site see a switch or the other site: %d\n%s", home.Status, home.Body)
		}
		if r := switchTo(staff, liege); r.Status != 404 {
			t.Fatalf("staff switch to a site not theirs: %d", r.Status)
		}
		if r := staff.Get("/admin"); !strings.Contains(r.Body, "Vandaag in Antwerpen") {
			t.Fatal("a refused switch changed the site")
		}
		if r := switchTo(staff, antwerpen); r.Status != 303 {
			t.Fatalf("staff switch to their own site: %d", r.Status)
		}

		adm := f.signIn(t, store.RoleAdmin)
		if r := adm.Get("/admin"); !strings.Contains(r.Body, `name="site"`) || !strings.Contains(r.Body, "Liège") {
			t.Fatalf("the network admin sees no switch:\n%s", r.Body)
		}
		if r := switchTo(adm, liege); r.Status != 303 {
			t.Fatalf("admin switch: %d", r.Status)
		}
		if r := adm.Get("/admin"); !strings.Contains(r.Body, "Vandaag in Liège") {
			t.Fatal("the admin's dashboard is not Liège's")
		}

		// A facilitator of Liège alone works there from the start.
		fac := userID(t, st, "facilitator@test.be")
		if err := st.SetUserSites(ctx, fac, []int64{liege}); err != nil {
			t.Fatal(err)
		}
		if r := f.signIn(t, store.RoleFacilitator).Get("/admin"); !strings.Contains(r.Body, "Vandaag in Liège") || strings.Contains(r.Body, `name="site"`) {
			t.Fatalf("facilitator of Liège:\n%s", r.Body)
		}

		// Given both, staff switch; Liège taken away, they are back home.
		staffID := userID(t, st, "staff@test.be")
		if err := st.SetUserSites(ctx, staffID, []int64{antwerpen, liege}); err != nil {
			t.Fatal(err)
		}
		if r := staff.Get("/admin"); !strings.Contains(r.Body, `name="site"`) {
			t.Fatal("staff of two sites see no switch")
		}
		if r := switchTo(staff, liege); r.Status != 303 {
			t.Fatalf("switch to a site given: %d", r.Status)
		}
		if r := staff.Get("/admin"); !strings.Contains(r.Body, "Vandaag in Liège") {
			t.Fatal("switched, but not in Liège")
		}
		if err := st.SetUserSites(ctx, staffID, []int64{antwerpen}); err != nil {
			t.Fatal(err)
		}
		if r := staff.Get("/admin"); r.Status != 200 || !strings.Contains(r.Body, "Vandaag in Antwerpen") || strings.Contains(r.Body, "Liège") {
			t.Fatalf("a site taken away still shows: %d", r.Status)
		}
		if r := staff.Get("/admin/members"); r.Status != 200 {
			t.Fatalf("members after a site was taken away: %d", r.Status)
		}
	})
}

// An admin gives accounts their sites on the users page: a new account
// gets the ticked sites (the admin's current site ticked to start with),
// an existing one new ticks; ticking none, or a site that does not
// exist, gives the page again with a message and changes nothing;
// disabled accounts keep their sites; only admins do this.
func TestUsersPageAssignsSites(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		antwerpen, liege := twoSites(t, f)
		adm := f.signIn(t, store.RoleAdmin)
		staffID := userID(t, st, "staff@test.be")
		adminID := userID(t, st, "admin@test.be")

		page := adm.Get("/admin/users")
		if page.Status != 200 || len(webtest.MessageIDs(page.Body)) > 0 {
			t.Fatalf("users page: %d %v", page.Status, webtest.MessageIDs(page.Body))
		}
		row := userRow(t, page.Body, staffID)
		if !ticks(row, antwerpen) || ticks(row, liege) {
			t.Fatalf("staff's sites on the page:\n%s", row)
		}
		if row := userRow(t, page.Body, adminID); strings.Contains(row, `name="site"`) || !strings.Contains(row, "Alle locaties") {
			t.Fatalf("admin's row:\n%s", row)
		}
		newForm := page.Body[strings.Index(page.Body, `action="/admin/users" `):]
		if !ticks(newForm, antwerpen) || ticks(newForm, liege) {
			t.Fatalf("the new-account form does not start at the admin's site:\n%s", newForm)
		}

		// A new account with the sites ticked.
		r := adm.Post("/admin/users", webtest.Form("email", "none@test.be", "role", "staff", "password", pw, "sites", "1"))
		if r.Status != 422 || !strings.Contains(r.Body, "Vink minstens één locatie aan") || !strings.Contains(r.Body, `value="none@test.be"`) {
			t.Fatalf("new account without a site: %d", r.Status)
		}
		if len(webtest.MessageIDs(r.Body)) > 0 {
			t.Fatalf("untranslated: %v", webtest.MessageIDs(r.Body))
		}
		if r := adm.Post("/admin/users", webtest.Form("email", "bad@test.be", "role", "staff", "password", pw, "sites", "1", "site", "999999")); r.Status != 422 || !strings.Contains(r.Body, "Kies locaties uit de lijst") {
			t.Fatalf("new account with an unknown site: %d", r.Status)
		}
		adm.Get("/admin/users")
		if r := adm.Post("/admin/users", webtest.Form("email", "liege@test.be", "role", "facilitator", "password", pw, "sites", "1", "site", strconv.FormatInt(liege, 10))); r.Status != 303 {
			t.Fatalf("new account: %d", r.Status)
		}
		if got := siteIDsOf(t, st, userID(t, st, "liege@test.be")); !slices.Equal(got, []int64{liege}) {
			t.Fatalf("new account's sites: %v", got)
		}

		// An existing account gets both sites, post/redirect/get.
		path := fmt.Sprintf("/admin/users/%d/sites", staffID)
		adm.Get("/admin/users")
		r = adm.Post(path, webtest.Form("site", strconv.FormatInt(antwerpen, 10), "site", strconv.FormatInt(liege, 10)))
		if r.Status != 303 || !strings.HasPrefix(r.Location, "/admin/users") {
			t.Fatalf("save sites: %d %q", r.Status, r.Location)
		}
		page = adm.Get("/admin/users")
		if row := userRow(t, page.Body, staffID); !ticks(row, antwerpen) || !ticks(row, liege) {
			t.Fatalf("saved sites do not show:\n%s", row)
		}
		if !strings.Contains(page.Body, "Locaties bewaard") {
			t.Fatal("no word that the sites were saved")
		}

		// None ticked, or an unknown site: the page again, nothing changed.
		r = adm.Post(path, webtest.Form("site", strconv.FormatInt(liege, 10), "site", "999999"))
		if r.Status != 422 || !strings.Contains(userRow(t, r.Body, staffID), "Kies locaties uit de lijst") {
			t.Fatalf("unknown site: %d", r.Status)
		}
		r = adm.Post(path, webtest.Form())
		row = userRow(t, r.Body, staffID)
		if r.Status != 422 || !strings.Contains(row, "Vink minstens één locatie aan") || ticks(row, antwerpen) {
			t.Fatalf("no site: %d\n%s", r.Status, row)
		}
		if got := siteIDsOf(t, st, staffID); !slices.Equal(got, []int64{antwerpen, liege}) {
			t.Fatalf("a refused save changed the sites: %v", got)
		}
		if r := adm.Post("/admin/users/999999/sites", webtest.Form("site", strconv.FormatInt(liege, 10))); r.Status != 404 {
			t.Fatalf("no such account: %d", r.Status)
		}

		// A disabled account keeps its sites, on the page too.
		adm.Get("/admin/users")
		if r := adm.Post(fmt.Sprintf("/admin/users/%d/disable", staffID), nil); r.Status != 303 {
			t.Fatalf("disable: %d", r.Status)
		}
		if row := userRow(t, adm.Get("/admin/users").Body, staffID); !ticks(row, antwerpen) || !ticks(row, liege) {
			t.Fatalf("a disabled account's sites:\n%s", row)
		}

		// Only admins give sites.
		fac := f.signIn(t, store.RoleFacilitator)
		fac.Get("/admin")
		if r := fac.Post(fmt.Sprintf("/admin/users/%d/sites", userID(t, st, "facilitator@test.be")), webtest.Form("site", strconv.FormatInt(liege, 10))); r.Status != 403 {
			t.Fatalf("facilitator gives sites: %d", r.Status)
		}
	})
}

// Staff who belong to no site yet get a page that says so, not an error.
func TestNoSiteIsAFriendlyPage(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		// As an account made on the command line before any site was.
		if err := st.W.Exec("DELETE FROM user_sites WHERE user_id = ?", userID(t, st, "staff@test.be")).Error; err != nil {
			t.Fatal(err)
		}
		c := f.signIn(t, store.RoleStaff)
		for _, path := range []string{"/admin", "/admin/members"} {
			r := c.Get(path)
			if r.Status != 403 || !strings.Contains(r.Body, "hoort nog bij geen enkele locatie") || len(webtest.MessageIDs(r.Body)) > 0 {
				t.Fatalf("%s without a site: %d %v\n%s", path, r.Status, webtest.MessageIDs(r.Body), r.Body)
			}
		}
		c.Lang = "fr-BE"
		if r := c.Get("/admin"); r.Status != 403 || !strings.Contains(r.Body, "aucun site") {
			t.Fatalf("in French: %d", r.Status)
		}
	})
}
