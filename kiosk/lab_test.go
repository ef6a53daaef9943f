package kiosk_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
	"github.com/drempel/drempel/web/webtest"
)

// openAllDay: a lab open around the clock, so "tomorrow" always has slots.
func openAllDay(t *testing.T, st *store.Store, site *store.Site, seats int) {
	t.Helper()
	lab := store.DefaultLab(site.ID)
	lab.Seats = seats
	if err := st.SaveLab(ctx, lab); err != nil {
		t.Fatal(err)
	}
	var week []store.LabHours
	for d := 0; d < 7; d++ {
		week = append(week, store.LabHours{Weekday: d, Opens: 0, Closes: 24 * 60})
	}
	if err := st.SetLabHours(ctx, site.ID, week); err != nil {
		t.Fatal(err)
	}
}

var hrefRe = regexp.MustCompile(`href="(/kiosk/lab/[0-9-]+(?:/[0-9]+)?)"`)

func scanIn(t *testing.T, c *webtest.Client, m *store.Member) {
	t.Helper()
	c.Get("/kiosk")
	if r := c.Post("/kiosk/scan", webtest.Form("token", m.Card.Token)); r.Status != 303 {
		t.Fatalf("scan: %d", r.Status)
	}
}

func TestBookCancelAtTheKiosk(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		site, m := seed(t, st, "Jan", "nl")
		openAllDay(t, st, site, 2)
		app := newKiosk(t, st)
		c := webtest.NewClient(t, app)

		// Without a checked-in visitor there is nothing to book.
		if r := c.Get("/kiosk/lab"); r.Status != 303 || r.Location != "/kiosk" {
			t.Fatalf("lab without a visitor: %d %q", r.Status, r.Location)
		}
		scanIn(t, c, m)
		home := c.Get("/kiosk/home")
		if !strings.Contains(home.Body, `href="/kiosk/lab"`) || !strings.Contains(home.Body, "Mijn reservaties") {
			t.Fatal("no booking tiles on the greeting")
		}
		days := c.Get("/kiosk/lab")
		if !strings.Contains(days.Body, "Morgen") {
			t.Fatalf("days:\n%s", days.Body)
		}
		tomorrow := st.Now().In(site.Location()).AddDate(0, 0, 1).Format(time.DateOnly)
		slots := c.Get("/kiosk/lab/" + tomorrow)
		links := hrefRe.FindAllStringSubmatch(slots.Body, -1)
		if len(links) < 20 || !strings.Contains(slots.Body, "2 vrij") {
			t.Fatalf("slots tomorrow: %d links", len(links))
		}
		confirm := c.Get(links[10][1])
		if !strings.Contains(confirm.Body, "Een computer reserveren?") || !strings.Contains(confirm.Body, "Morgen") {
			t.Fatalf("confirm:\n%s", confirm.Body)
		}
		start := links[10][1][strings.LastIndex(links[10][1], "/")+1:]
		r := c.Post("/kiosk/lab/book", webtest.Form("start", start))
		if r.Status != 303 || !strings.HasSuffix(r.Location, "/done") {
			t.Fatalf("book: %d %q", r.Status, r.Location)
		}
		if done := c.Get(r.Location); !strings.Contains(done.Body, "Je computer is gereserveerd") {
			t.Fatal("no confirmation")
		}
		// Booking the same time again says so, kindly, and stores nothing.
		if again := follow(c, c.Post("/kiosk/lab/book", webtest.Form("start", start))); again.Status != 409 || !strings.Contains(again.Body, "al gereserveerd") {
			t.Fatalf("twice: %d", again.Status)
		}
		list := c.Get("/kiosk/bookings")
		id := regexp.MustCompile(`/kiosk/bookings/([0-9]+)/cancel`).FindStringSubmatch(list.Body)
		if id == nil {
			t.Fatalf("my bookings:\n%s", list.Body)
		}

		// Another visitor cannot see or cancel Jan's booking by its id.
		other := webtest.NewClient(t, app)
		piet, _ := st.CreateMember(ctx, store.MemberInput{Nickname: "Piet", Lang: "nl"})
		scanIn(t, other, piet)
		other.Get("/kiosk/bookings")
		if r := other.Get("/kiosk/bookings/" + id[1] + "/cancel"); r.Status != 404 {
			t.Fatalf("someone else's booking: %d", r.Status)
		}
		if r := other.Post("/kiosk/bookings/"+id[1]+"/cancel", nil); r.Status != 404 {
			t.Fatalf("cancel someone else's booking: %d", r.Status)
		}
		// A forged member field changes nothing: the member is the one who scanned.
		other.Post("/kiosk/lab/book", webtest.Form("start", start, "member", fmt.Sprint(m.ID)))
		bs, _ := st.UpcomingBookings(ctx, m.ID)
		if len(bs) != 1 {
			t.Fatalf("Jan has %d bookings", len(bs))
		}

		c.Get("/kiosk/bookings/" + id[1] + "/cancel")
		if r := follow(c, c.Post("/kiosk/bookings/"+id[1]+"/cancel", nil)); r.Status != 200 || !strings.Contains(r.Body, "geannuleerd") {
			t.Fatalf("cancel: %d", r.Status)
		}
		if list := c.Get("/kiosk/bookings"); !strings.Contains(list.Body, "Je hebt geen reservaties") {
			t.Fatal("the cancelled booking is still listed")
		}
		for _, bad := range []string{"", "abc", "-1", "99999999999999999999", "0"} {
			if r := follow(c, c.Post("/kiosk/lab/book", webtest.Form("start", bad))); r.Status >= 500 || r.Status < 400 {
				t.Errorf("start %q: %d", bad, r.Status)
			}
		}
		for _, p := range []string{"/kiosk/lab/2026-13-45", "/kiosk/lab/yesterday", "/kiosk/bookings/abc/cancel", "/kiosk/bookings/999999/done"} {
			if r := c.Get(p); r.Status != 404 {
				t.Errorf("%s: %d", p, r.Status)
			}
		}
	})
}

func TestKioskBookingInArabic(t *testing.T) {
	st := storetest.Open(t, "sqlite")
	site, m := seed(t, st, "Amina", "ar")
	openAllDay(t, st, site, 1)
	c := webtest.NewClient(t, newKiosk(t, st))
	scanIn(t, c, m)
	for _, p := range []string{"/kiosk/home", "/kiosk/lab", "/kiosk/bookings"} {
		r := c.Get(p)
		if r.Status != 200 || !strings.Contains(r.Body, `dir="rtl"`) {
			t.Errorf("%s: %d", p, r.Status)
		}
		if ids := webtest.MessageIDs(r.Body); len(ids) > 0 {
			t.Errorf("%s: untranslated %v", p, ids)
		}
	}
}
