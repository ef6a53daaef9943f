package admin_test

import (
	"html"
	"strconv"
	"strings"
	"testing"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
	"github.com/drempel/drempel/web/webtest"
)

// The queue as a peer works it: the tickets of the site with their
// subject, the nickname only of a visitor who checked in; take, end,
// link to a theme; and on duty for the kiosk.
func TestHelpQueueForAPeer(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		l := nlLoc(t)
		site, err := st.EnsureSite(ctx, "Antwerpen", "Europe/Brussels")
		if err != nil {
			t.Fatal(err)
		}
		// A member who came today and reported a threshold asking for
		// help without a ticket: the desk's business, never a peer's.
		hidden := must(st.CreateMember(ctx, store.MemberInput{Nickname: "Verborgenlid", Lang: "nl", SiteID: site.ID}))(t)
		if _, _, err := st.CheckIn(ctx, hidden.ID, site); err != nil {
			t.Fatal(err)
		}
		if _, err := st.ReportThreshold(ctx, store.ReportInput{SiteID: site.ID, Domain: "bank", Problem: "login", Lang: "nl",
			Text: "Geheime woorden", MemberID: &hidden.ID, WantsHelp: true}); err != nil {
			t.Fatal(err)
		}
		shown := must(st.CreateMember(ctx, store.MemberInput{Nickname: "Zichtbaarlid", Lang: "nl", SiteID: site.ID}))(t)
		anon := must(st.AskForHelp(ctx, store.HelpInput{SiteID: site.ID, Subject: "paper"}))(t)
		known := must(st.AskForHelp(ctx, store.HelpInput{SiteID: site.ID, Subject: "phone", MemberID: &shown.ID}))(t)

		peer := f.signIn(t, store.RolePeer)
		home := peer.Get("/admin")
		if home.Status != 200 || !strings.Contains(home.Body, html.EscapeString(l.T("admin.help.title"))) {
			t.Fatalf("a peer's home: %d", home.Status)
		}
		for _, secret := range []string{"Verborgenlid", "Geheime woorden", "/admin/members/"} {
			if strings.Contains(home.Body, secret) {
				t.Errorf("a peer's home shows %q", secret)
			}
		}
		for _, want := range []string{"Zichtbaarlid", html.EscapeString(l.T("kiosk.help.subject.paper")), html.EscapeString(l.T("admin.help.anonymous")),
			`id="ticket-` + strconv.FormatInt(anon.ID, 10) + `"`, `data-live="/admin/help/events`} {
			if !strings.Contains(home.Body, want) {
				t.Errorf("a peer's queue lacks %q", want)
			}
		}

		// Nor does a mentor's or a coordinator's home show who came or asked.
		for _, role := range []store.Role{store.RoleMentor, store.RoleCoordinator} {
			r := f.signIn(t, role).Get("/admin")
			if r.Status != 200 || strings.Contains(r.Body, "Verborgenlid") || strings.Contains(r.Body, "Zichtbaarlid") {
				t.Errorf("%s's home: %d, or it shows a member", role, r.Status)
			}
		}

		// The live part, as the stream's first event.
		ev := peer.Get("/admin/help/events?back=/admin/help")
		if ev.Status != 200 || !strings.HasPrefix(ev.Header.Get("Content-Type"), "text/event-stream") ||
			!strings.HasPrefix(ev.Body, "event: update\ndata: ") || !strings.Contains(ev.Body, "Zichtbaarlid") {
			t.Fatalf("events: %d %q\n%s", ev.Status, ev.Header.Get("Content-Type"), ev.Body)
		}

		id := strconv.FormatInt(anon.ID, 10)
		if r := peer.Post("/admin/help/"+id+"/take", webtest.Form("back", "/admin/help")); r.Status != 303 || r.Location != "/admin/help#help-queue" {
			t.Fatalf("take: %d %q", r.Status, r.Location)
		}
		staff := f.signIn(t, store.RoleStaff)
		if r := staff.Post("/admin/help/"+id+"/take", webtest.Form("back", "https://evil.example/")); r.Status != 303 || r.Location != "/admin/help#help-queue" {
			t.Fatalf("a second take: %d %q", r.Status, r.Location)
		}
		if page := staff.Get("/admin/help"); !strings.Contains(page.Body, html.EscapeString(l.T("admin.help.already_taken"))) ||
			!strings.Contains(page.Body, `href="/admin/members/`+strconv.FormatInt(shown.ID, 10)+`"`) {
			t.Errorf("the second taker is not told, or the desk has no link to the member")
		}
		if r := peer.Post("/admin/help/"+id+"/end", webtest.Form("outcome", "lost")); r.Status != 400 {
			t.Fatalf("an unknown outcome: %d", r.Status)
		}
		if r := peer.Post("/admin/help/"+id+"/end", webtest.Form("outcome", "helped", "back", "/admin")); r.Status != 303 || r.Location != "/admin#help-queue" {
			t.Fatalf("end: %d %q", r.Status, r.Location)
		}
		if r := peer.Post("/admin/help/"+id+"/end", webtest.Form("outcome", "referred")); r.Status != 303 {
			t.Fatalf("end twice: %d", r.Status)
		}
		if page := peer.Get("/admin/help"); !strings.Contains(page.Body, `id="help-done"`) ||
			!strings.Contains(page.Body, html.EscapeString(l.T("admin.help.outcome.helped"))) {
			t.Error("the ended ticket is not in today's ended ones, with how it ended")
		}
		got := must(st.HelpTicketByToken(ctx, anon.Token))(t)
		if got.Outcome == nil || *got.Outcome != "helped" {
			t.Fatalf("ended: %+v", got)
		}

		// The peer links the ticket to a theme of the site; another site's is not found.
		theme := must(st.SaveTheme(ctx, 0, site.ID, store.ThemeInput{Title: "Itsme-thema"}))(t)
		other := must(st.CreateSite(ctx, store.SiteInput{Name: "Elders"}))(t)
		far := must(st.SaveTheme(ctx, 0, other.ID, store.ThemeInput{Title: "Elders-thema"}))(t)
		if r := peer.Post("/admin/help/"+id+"/theme", webtest.Form("theme", strconv.FormatInt(far.ID, 10))); r.Status != 404 {
			t.Fatalf("another site's theme: %d", r.Status)
		}
		if r := peer.Post("/admin/help/"+id+"/theme", webtest.Form("theme", strconv.FormatInt(theme.ID, 10))); r.Status != 303 {
			t.Fatalf("theme: %d", r.Status)
		}
		if r := peer.Post("/admin/help/"+strconv.FormatInt(known.ID, 10)+"/theme", webtest.Form("theme", strconv.FormatInt(theme.ID, 10))); r.Status != 404 {
			t.Fatalf("a theme on an open ticket: %d", r.Status)
		}
		if page := peer.Get("/admin/help"); strings.Contains(page.Body, "Elders-thema") {
			t.Error("the queue offers another site's theme")
		}

		// On duty, with the first name on the kiosk.
		if r := peer.Post("/admin/help/duty", webtest.Form("on", "1", "show_name", "1")); r.Status != 303 {
			t.Fatalf("duty: %d", r.Status)
		}
		if hs := must(st.OnDuty(ctx, site))(t); len(hs) != 1 || !hs[0].ShowName {
			t.Fatalf("on duty: %+v", hs)
		}

		// The coordinator sees the theme the peers meet, and links a course.
		coord := f.signIn(t, store.RoleCoordinator)
		course := must(st.SaveCourse(ctx, 0, site.ID, store.CourseInput{Kind: store.CourseOpen, Pictogram: "laptop",
			Texts: map[string]store.CourseText{"nl": {Name: "Itsme-vorming"}}}))(t)
		page := coord.Get("/admin/help/themes")
		if page.Status != 200 || !strings.Contains(page.Body, "Itsme-thema") || !strings.Contains(page.Body, "Itsme-vorming") {
			t.Fatalf("themes for the coordinator: %d", page.Status)
		}
		if r := coord.Post("/admin/help/themes/"+strconv.FormatInt(theme.ID, 10)+"/course", webtest.Form("course", strconv.FormatInt(course.ID, 10))); r.Status != 303 {
			t.Fatalf("link a course: %d", r.Status)
		}
		if got := must(st.Theme(ctx, theme.ID))(t); got.CourseID == nil || *got.CourseID != course.ID {
			t.Fatalf("the theme's course: %+v", got)
		}
		if r := coord.Post("/admin/help/themes/"+strconv.FormatInt(far.ID, 10)+"/course", webtest.Form("course", "")); r.Status != 404 {
			t.Fatalf("another site's theme: %d", r.Status)
		}
		if r := coord.Get("/admin/help"); r.Status != 403 {
			t.Fatalf("the queue for a coordinator: %d", r.Status)
		}
	})
}

// Acceptance 2: a peer reaches the queue and their own account, and
// nothing else. Every route registered on the app is walked; one added
// later is walked too, and fails here unless it refuses peers or is
// named below.
func TestPeerReachesOnlyTheQueue(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		site, err := st.EnsureSite(ctx, "Antwerpen", "Europe/Brussels")
		if err != nil {
			t.Fatal(err)
		}
		tk := must(st.AskForHelp(ctx, store.HelpInput{SiteID: site.ID, Subject: "computer"}))(t)
		ticket := strconv.FormatInt(tk.ID, 10)
		// What a peer may open: the queue and its actions, and their account.
		allowed := map[string]bool{
			"GET /admin/": true, "GET /admin/help": true, "GET /admin/help/events": true,
			"POST /admin/help/duty": true, "POST /admin/help/:id/take": true, "POST /admin/help/:id/end": true,
			"POST /admin/help/:id/theme": true, "GET /admin/account": true, "POST /admin/account": true,
		}
		// Not pages of anybody's data: signing in and out, the language,
		// the choice among one's own sites, links sent by e-mail.
		open := map[string]bool{
			"GET /admin/login": true, "POST /admin/login": true, "POST /admin/logout": true, "POST /admin/lang": true,
			"POST /admin/site": true, "GET /admin/reset/:token": true, "POST /admin/reset/:token": true,
			"GET /setup/:token": true, "POST /setup/:token": true,
		}
		forms := map[string][]string{
			"POST /admin/help/:id/end": {"outcome", "helped"}, "POST /admin/help/duty": {"on", "1"},
			"POST /admin/account": {"current", "not the password", "password", "a new password 1", "confirm", "another one 2"},
		}
		c := f.signIn(t, store.RolePeer)
		walked := 0
		seen := map[string]bool{}
		for _, r := range f.app.GetRoutes(true) {
			if (r.Method != "GET" && r.Method != "POST") || !(strings.HasPrefix(r.Path, "/admin") || strings.HasPrefix(r.Path, "/setup")) {
				continue
			}
			key := r.Method + " " + r.Path
			if seen[key] || open[key] {
				continue
			}
			seen[key] = true
			path := r.Path
			for _, seg := range strings.Split(r.Path, "/") {
				name, ok := strings.CutPrefix(seg, ":")
				if !ok {
					continue
				}
				val := "1"
				switch {
				case strings.HasPrefix(r.Path, "/admin/help/"):
					val = ticket
				case name == "format":
					val = "csv"
				case name == "tag" || name == "token" || name == "action":
					val = "x"
				}
				path = strings.Replace(path, seg, val, 1)
			}
			path = strings.ReplaceAll(path, "*", "x")
			if path == "/admin/" {
				path = "/admin"
			}
			var res webtest.Response
			if r.Method == "GET" {
				res = c.Get(path)
			} else {
				res = c.Post(path, webtest.Form(forms[key]...))
			}
			walked++
			if allowed[key] {
				// The account form comes back with what was wrong (422).
				if res.Status != 200 && res.Status != 303 && !(key == "POST /admin/account" && res.Status == 422) {
					t.Errorf("%s (%s): %d, want 200 or 303", key, path, res.Status)
				}
				continue
			}
			if res.Status != 403 && res.Status != 404 {
				t.Errorf("%s (%s): %d for a peer, want 403 or 404", key, path, res.Status)
			}
		}
		if walked < 100 {
			t.Fatalf("only %d routes walked", walked)
		}
		for key := range allowed {
			if !seen[key] {
				t.Errorf("%s is no route", key)
			}
		}
		// The walk took the ticket and ended it: the queue works for a peer.
		if got := must(st.HelpTicketByToken(ctx, tk.Token))(t); got.Status() != "ended" {
			t.Errorf("the ticket after the walk: %s", got.Status())
		}
	})
}
