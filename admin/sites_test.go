package admin_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
	"github.com/drempel/drempel/web/webtest"
)

// An admin adds a second site and edits it; a bad time zone or phone
// gives the form again with a message; staff switch between sites in the
// top bar, and the dashboard is then the other site's; only admins manage
// sites, and nobody switches to a site that does not exist.
func TestSitesAndTheSiteSwitch(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		adm := f.signIn(t, store.RoleAdmin)
		if r := adm.Get("/admin"); strings.Contains(r.Body, `name="site"`) {
			t.Fatal("a switch with one site")
		}
		adm.Get("/admin/sites")
		r := adm.Post("/admin/sites", webtest.Form("name", "Liège", "timezone", "Mars/Olympus", "phone", "04 123"))
		if r.Status != 422 || !strings.Contains(r.Body, `value="Liège"`) || len(webtest.MessageIDs(r.Body)) > 0 {
			t.Fatalf("bad time zone: %d %v", r.Status, webtest.MessageIDs(r.Body))
		}
		if r := adm.Post("/admin/sites", webtest.Form("name", "Liège", "timezone", "Europe/Brussels", "phone", "<script>")); r.Status != 422 {
			t.Fatalf("bad phone: %d", r.Status)
		}
		if r := adm.Post("/admin/sites", webtest.Form("name", "CPAS Liège", "address", "Place 1\n4000 Liège", "timezone", "Europe/Brussels", "phone", "04 123 45 67")); r.Status != 303 {
			t.Fatalf("add: %d", r.Status)
		}
		sites, err := st.Sites(ctx)
		if err != nil || len(sites) != 2 {
			t.Fatalf("sites: %v %v", sites, err)
		}
		liege := sites[1]
		if r := adm.Post("/admin/sites/"+strconv.FormatInt(liege.ID, 10), webtest.Form("name", "CPAS Liège – antenne Nord", "timezone", "Europe/Brussels", "phone", "04 123 45 67")); r.Status != 303 {
			t.Fatalf("edit: %d", r.Status)
		}
		if r := adm.Get("/admin/sites/999999"); r.Status != 404 {
			t.Fatalf("no such site: %d", r.Status)
		}

		// Staff see the sites an admin gives them: this one, both.
		users, _ := st.Users(ctx)
		for _, u := range users {
			if u.Role == store.RoleStaff {
				if err := st.SetUserSites(ctx, u.ID, []int64{sites[0].ID, liege.ID}); err != nil {
					t.Fatal(err)
				}
			}
		}
		staff := f.signIn(t, store.RoleStaff)
		if r := staff.Get("/admin/sites"); r.Status != 403 {
			t.Fatalf("staff manage sites: %d", r.Status)
		}
		home := staff.Get("/admin")
		if !strings.Contains(home.Body, `name="site"`) || !strings.Contains(home.Body, "antenne Nord") {
			t.Fatalf("no site switch:\n%s", home.Body)
		}
		if r := staff.Post("/admin/site", webtest.Form("site", "999999")); r.Status != 404 {
			t.Fatalf("switch to nothing: %d", r.Status)
		}
		if r := staff.Post("/admin/site", webtest.Form("site", strconv.FormatInt(liege.ID, 10), "back", "//evil.example/x")); r.Status != 303 || r.Location != "/admin" {
			t.Fatalf("switch: %d %q", r.Status, r.Location)
		}
		if r := staff.Get("/admin"); !strings.Contains(r.Body, `<option value="`+strconv.FormatInt(liege.ID, 10)+`" selected>`) {
			t.Fatalf("the dashboard is not the new site's:\n%s", r.Body)
		}
	})
}
