package kiosk_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
	"github.com/drempel/drempel/web/webtest"
)

// Two sites on one server: an unpaired screen asks for its code and shows
// nothing else; each screen paired to its site counts check-ins there and
// nowhere else; a revoked screen asks again.
func TestPairedScreensServeTheirOwnSite(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		a, m := seed(t, st, "Jan", "nl")
		b, err := st.CreateSite(ctx, store.SiteInput{Name: "Liège", TimeZone: "Europe/Brussels"})
		if err != nil {
			t.Fatal(err)
		}
		app := newKiosk(t, st)
		screenA, screenB := webtest.NewClient(t, app), webtest.NewClient(t, app)
		if r := screenA.Get("/kiosk"); r.Status != 303 || r.Location != "/kiosk/pair" {
			t.Fatalf("unpaired screen: %d %q", r.Status, r.Location)
		}
		if r := screenA.Get("/kiosk/home"); r.Status != 303 || r.Location != "/kiosk/pair" {
			t.Fatalf("unpaired screen, a visitor's page: %d %q", r.Status, r.Location)
		}
		screenA.Get("/kiosk/pair")
		r := follow(screenA, screenA.Post("/kiosk/pair", webtest.Form("code", "ABCD-EFGH")))
		if r.Status != 422 || len(webtest.MessageIDs(r.Body)) > 0 {
			t.Fatalf("a wrong code: %d %v", r.Status, webtest.MessageIDs(r.Body))
		}
		pair := func(c *webtest.Client, site *store.Site) *store.KioskStation {
			station, code, err := st.CreateStation(ctx, site.ID, "Inkom "+site.Name)
			if err != nil {
				t.Fatal(err)
			}
			c.Get("/kiosk/pair")
			if r := c.Post("/kiosk/pair", webtest.Form("code", code)); r.Status != 303 || r.Location != "/kiosk" {
				t.Fatalf("pair: %d %q", r.Status, r.Location)
			}
			if r := c.Get("/kiosk"); r.Status != 200 {
				t.Fatalf("paired screen: %d", r.Status)
			}
			return station
		}
		pair(screenA, a)
		stationB := pair(screenB, b)

		// A member of another organisation on this server: their card is
		// refused at A's screen like an unknown one, and leaves no visit.
		c, err := st.CreateSite(ctx, store.SiteInput{Name: "Gent", OperatorName: "Andere vzw"})
		if err != nil {
			t.Fatal(err)
		}
		other, err := st.CreateMember(ctx, store.MemberInput{Nickname: "Muur", Lang: "nl", SiteID: c.ID})
		if err != nil {
			t.Fatal(err)
		}
		screenA.Get("/kiosk")
		if r := screenA.Post("/kiosk/scan", webtest.Form("token", other.Card.Token)); r.Status != 303 || !strings.HasPrefix(r.Location, "/kiosk/refused") {
			t.Fatalf("another organisation's card at A: %d %q", r.Status, r.Location)
		}
		if va, _ := st.VisitsOn(ctx, a.ID, st.Now().In(a.Location()).Format(time.DateOnly)); len(va) != 0 {
			t.Fatalf("another organisation's card checked in at A: %d visits", len(va))
		}
		scanIn(t, screenB, m)
		day := st.Now().In(b.Location()).Format(time.DateOnly)
		if vb, _ := st.VisitsOn(ctx, b.ID, day); len(vb) != 1 {
			t.Fatalf("visits at B: %d", len(vb))
		}
		if va, _ := st.VisitsOn(ctx, a.ID, day); len(va) != 0 {
			t.Fatalf("visits at A: %d", len(va))
		}
		// A course of site A is not on site B's screen, even by its address.
		course, err := st.SaveCourse(ctx, 0, a.ID, store.CourseInput{Kind: store.CourseOpen, Pictogram: "mail",
			Texts: map[string]store.CourseText{"nl": {Name: "Alleen in Antwerpen"}}})
		if err != nil {
			t.Fatal(err)
		}
		start := st.Now().Add(48 * time.Hour)
		cs, err := st.AddSession(ctx, course.ID, store.SessionInput{Start: start, End: start.Add(time.Hour), Seats: 5})
		if err != nil {
			t.Fatal(err)
		}
		if r := screenB.Get("/kiosk/courses/" + strconv.FormatInt(cs.ID, 10)); r.Status != 404 {
			t.Fatalf("site A's course at site B's screen: %d", r.Status)
		}
		if r := screenB.Get("/kiosk/courses"); strings.Contains(r.Body, "Alleen in Antwerpen") {
			t.Fatal("site A's course listed at site B's screen")
		}
		if err := st.RevokeStation(ctx, stationB.ID); err != nil {
			t.Fatal(err)
		}
		if r := screenB.Get("/kiosk"); r.Status != 303 || r.Location != "/kiosk/pair" {
			t.Fatalf("revoked screen: %d %q", r.Status, r.Location)
		}
		if r := screenA.Get("/kiosk"); r.Status != 200 {
			t.Fatalf("the other screen: %d", r.Status)
		}
	})
}
