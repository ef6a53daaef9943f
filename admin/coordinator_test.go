package admin_test

// Coordinators run the courses of their sites: courses, sessions, roll
// call, satisfaction. Of a member they see what the roll call needs (the
// nickname), never a phone number, an e-mail address or a note, and none
// of the desk's, the lab's, the lending's or the thresholds' pages.

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
	"github.com/drempel/drempel/web/webtest"
)

func TestCoordinatorRole(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		nl := nlLoc(t)
		site := must(st.EnsureSite(ctx, "Antwerpen", "Europe/Brussels"))(t)
		m := must(st.CreateMember(ctx, store.MemberInput{Nickname: "Rolnaam", Lang: "nl", SiteID: site.ID,
			Phone: "0475 98 76 54", Email: "rolnaam@voorbeeld.be", Note: "Geheime-notitie"}))(t)
		course := must(st.SaveCourse(ctx, 0, site.ID, store.CourseInput{Kind: store.CourseOpen, Pictogram: "laptop",
			Texts: map[string]store.CourseText{"nl": {Name: "Computerwerkplaats"}}}))(t)
		start := time.Now().Add(48 * time.Hour).Truncate(time.Hour)
		sess := must(st.AddSession(ctx, course.ID, store.SessionInput{Start: start, End: start.Add(time.Hour), Seats: 5}))(t)
		must(st.Enrol(ctx, store.EnrolInput{SessionID: sess.ID, MemberID: m.ID}))(t)
		if _, _, err := st.CheckIn(ctx, m.ID, site); err != nil {
			t.Fatal(err)
		}
		id := func(n int64) string { return strconv.FormatInt(n, 10) }

		c := f.signIn(t, store.RoleCoordinator)
		for _, p := range []string{"/admin/members", "/admin/members/new", "/admin/members/" + id(m.ID),
			"/admin/members/" + id(m.ID) + "/data", "/admin/lend", "/admin/return", "/admin/overdue", "/admin/devices",
			"/admin/reports/loans", "/admin/lab", "/admin/lab/settings", "/admin/words", "/admin/voice",
			"/admin/settings", "/admin/users", "/admin/sites", "/admin/thresholds", "/admin/themes", "/admin/organisations"} {
			if r := c.Get(p); r.Status != 403 {
				t.Errorf("coordinator GET %s: %d, want 403", p, r.Status)
			}
		}
		// Their own pages: the courses, the roll call, the dashboard.
		pages := map[string]string{}
		for _, p := range []string{"/admin", "/admin/courses", "/admin/courses/new", "/admin/courses/" + id(course.ID),
			"/admin/sessions/" + id(sess.ID), "/admin/account", "/admin/thresholds/new"} {
			r := c.Get(p)
			if r.Status != 200 {
				t.Errorf("coordinator GET %s: %d, want 200", p, r.Status)
			}
			pages[p] = r.Body
		}
		if !strings.Contains(pages["/admin/sessions/"+id(sess.ID)], "Rolnaam") {
			t.Error("the coordinator's roll call does not name the member")
		}
		for p, body := range pages {
			for _, secret := range []string{"0475 98 76 54", "rolnaam@voorbeeld.be", "Geheime-notitie", "/admin/members/"} {
				if strings.Contains(body, secret) {
					t.Errorf("coordinator's %s shows %q", p, secret)
				}
			}
		}
		// The dashboard counts today's check-ins, and names nobody.
		if dash := pages["/admin"]; !strings.Contains(dash, `id="checkins-today">1<`) || strings.Contains(dash, "Rolnaam") ||
			strings.Contains(dash, nl.T("admin.dashboard.visitors")) {
			t.Error("the coordinator's dashboard names today's visitors, or does not count them")
		}
		// Their nav leads only where they may go.
		for _, link := range []string{`href="/admin/members"`, `href="/admin/lab"`, `href="/admin/devices"`,
			`href="/admin/thresholds"`, `href="/admin/settings"`, `href="/admin/words"`} {
			if strings.Contains(pages["/admin/courses"], link) {
				t.Errorf("the coordinator's nav has %s", link)
			}
		}
		if !strings.Contains(pages["/admin/courses"], `href="/admin/courses"`) {
			t.Error("the coordinator's nav lacks the courses")
		}

		// An admin offers the role, in the panel's words, and the new
		// coordinator works at the sites ticked.
		a := f.signIn(t, store.RoleAdmin)
		users := a.Get("/admin/users")
		if !strings.Contains(users.Body, `<option value="coordinator"`) || !strings.Contains(users.Body, nl.T("role.coordinator")) {
			t.Fatal("the users page does not offer the coordinator role")
		}
		r := a.Post("/admin/users", webtest.Form("email", "coord2@test.be", "name", "Co", "role", "coordinator",
			"sites", "1", "site", id(site.ID), "password", "long enough password"))
		if r.Status != 303 {
			t.Fatalf("add a coordinator: %d", r.Status)
		}
		u := userID(t, st, "coord2@test.be")
		if sites := must(st.UserSites(ctx, u))(t); len(sites) != 1 || sites[0].ID != site.ID {
			t.Fatalf("the new coordinator's sites: %v", sites)
		}
		// Like staff, a coordinator needs a site.
		a.Get("/admin/users")
		if r := a.Post("/admin/users", webtest.Form("email", "coord3@test.be", "role", "coordinator", "sites", "1",
			"password", "long enough password")); r.Status != 422 {
			t.Fatalf("a coordinator without a site: %d", r.Status)
		}
	})
}
