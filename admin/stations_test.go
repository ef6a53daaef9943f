package admin_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
	"github.com/drempel/drempel/web/webtest"
)

// An admin makes a kiosk screen and sees its pairing code once, with its
// QR; the code pairs a screen; the list shows it paired; revoking ends it.
// Only admins manage kiosk screens.
func TestKioskScreensInTheAdminPanel(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		if r := f.signIn(t, store.RoleStaff).Get("/admin/stations"); r.Status != 403 {
			t.Fatalf("staff: %d", r.Status)
		}
		adm := f.signIn(t, store.RoleAdmin)
		adm.Get("/admin/stations")
		if r := adm.Post("/admin/stations", webtest.Form("name", "", "site", "1")); r.Status != 422 {
			t.Fatalf("no name: %d", r.Status)
		}
		sites, _ := st.Sites(ctx)
		r := adm.Post("/admin/stations", webtest.Form("name", "Inkom", "site", itoa64(sites[0].ID)))
		if r.Status != 303 {
			t.Fatalf("add: %d", r.Status)
		}
		page := adm.Get("/admin/stations")
		m := regexp.MustCompile(`id="pairing-code">([A-Z0-9]{4}-[A-Z0-9]{4})<`).FindStringSubmatch(page.Body)
		if m == nil || !strings.Contains(page.Body, `src="data:image/png;base64,`) {
			t.Fatalf("no code and QR:\n%s", page.Body)
		}
		if again := adm.Get("/admin/stations"); strings.Contains(again.Body, m[1]) {
			t.Fatal("the code shows twice")
		}
		if _, _, err := st.PairStation(ctx, m[1]); err != nil {
			t.Fatalf("the shown code does not pair: %v", err)
		}
		stations, _ := st.Stations(ctx)
		if len(stations) != 1 || !stations[0].Paired() {
			t.Fatalf("stations: %+v", stations)
		}
		if r := adm.Post("/admin/stations/"+itoa64(stations[0].ID)+"/revoke", nil); r.Status != 303 {
			t.Fatalf("revoke: %d", r.Status)
		}
		if r := adm.Post("/admin/stations/"+itoa64(stations[0].ID)+"/revoke", nil); r.Status != 404 {
			t.Fatalf("revoke twice: %d", r.Status)
		}
	})
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
