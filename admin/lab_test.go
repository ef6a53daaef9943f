package admin_test

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

func TestLabSettingsAndDeskBooking(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		if r := f.signIn(t, store.RoleFacilitator).Get("/admin/lab"); r.Status != 403 {
			t.Fatalf("facilitator sees the lab schedule: %d", r.Status)
		}
		c := f.signIn(t, store.RoleStaff)
		c.Get("/admin/lab/settings")
		form := webtest.Form("seats", "2", "slot_minutes", "60", "horizon_days", "7", "max_bookings", "2",
			"grace_minutes", "15", "mode", "both")
		for d := 0; d < 7; d++ {
			form.Set(fmt.Sprintf("hours_%d_0", d), "00:00-12:00")
			form.Set(fmt.Sprintf("hours_%d_1", d), "12:00-24:00")
		}
		bad := webtest.Form("seats", "2", "slot_minutes", "5", "horizon_days", "7", "max_bookings", "2", "grace_minutes", "15", "mode", "both")
		if r := c.Post("/admin/lab/settings", bad); r.Status != 422 || !strings.Contains(r.Body, "tussen 15 en 480") {
			t.Fatalf("slot of 5 minutes: %d", r.Status)
		}
		badHours := webtest.Form("seats", "2", "slot_minutes", "60", "horizon_days", "7", "max_bookings", "2", "grace_minutes", "15", "mode", "both", "hours_1_0", "17:00-09:00")
		if r := c.Post("/admin/lab/settings", badHours); r.Status != 422 {
			t.Fatalf("hours backwards: %d", r.Status)
		}
		if r := c.Post("/admin/lab/settings", form); r.Status != 303 {
			t.Fatalf("save settings: %d", r.Status)
		}
		page := c.Get("/admin/lab/settings")
		if !strings.Contains(page.Body, `value="00:00-12:00"`) {
			t.Fatal("hours not shown back")
		}

		m, _ := st.CreateMember(ctx, store.MemberInput{Nickname: "Jan", Lang: "nl"})
		mp := c.Get(fmt.Sprintf("/admin/members/%d", m.ID))
		opt := regexp.MustCompile(`<option value="([0-9]+)">`).FindAllStringSubmatch(mp.Body, -1)
		if len(opt) < 5 {
			t.Fatalf("desk booking offers %d slots", len(opt))
		}
		start := opt[4][1]
		if r := c.Post(fmt.Sprintf("/admin/members/%d/book", m.ID), webtest.Form("start", start)); r.Status != 303 {
			t.Fatalf("desk booking: %d", r.Status)
		}
		if r := c.Post(fmt.Sprintf("/admin/members/%d/book", m.ID), webtest.Form("start", start)); r.Status != 409 || !strings.Contains(r.Body, "al gereserveerd") {
			t.Fatalf("desk booking twice: %d", r.Status)
		}
		if r := c.Post("/admin/members/999999/book", webtest.Form("start", start)); r.Status != 404 {
			t.Fatalf("booking for an unknown member: %d", r.Status)
		}
		bs, _ := st.UpcomingBookings(ctx, m.ID)
		if len(bs) != 1 || bs[0].CreatedBy == nil {
			t.Fatalf("bookings: %+v", bs)
		}
		site, _ := st.EnsureSite(ctx, "Test", "Europe/Brussels") // the first site
		day := bs[0].Start().In(site.Location()).Format(time.DateOnly)
		sched := c.Get("/admin/lab?day=" + day)
		if !strings.Contains(sched.Body, ">Jan</a>") || !strings.Contains(sched.Body, "1 / 2") {
			t.Fatalf("schedule:\n%s", sched.Body)
		}
		if w := c.Get("/admin/lab/week?from=" + day); w.Status != 200 || !strings.Contains(w.Body, "1 / 2") || !strings.Contains(w.Body, "/admin/lab?day="+day) {
			t.Fatalf("week view: %d", w.Status)
		}
		if r := c.Get("/admin/lab?day=not-a-day"); r.Status != 400 {
			t.Fatalf("bad day: %d", r.Status)
		}
		// Block the free seat, then no one can book it.
		if r := c.Post("/admin/lab/block", webtest.Form("start", start, "seats", "2")); r.Status != 422 {
			t.Fatalf("blocking a booked seat: %d", r.Status)
		}
		if r := c.Post("/admin/lab/block", webtest.Form("start", start, "seats", "1")); r.Status != 303 {
			t.Fatalf("block: %d", r.Status)
		}
		c.Get("/admin/lab?day=" + day)
		if r := c.Post(fmt.Sprintf("/admin/bookings/%d/cancel", bs[0].ID), webtest.Form("back", "/admin/lab?day="+day)); r.Status != 303 || r.Location != "/admin/lab?day="+day {
			t.Fatalf("cancel: %d %q", r.Status, r.Location)
		}
		if r := c.Post(fmt.Sprintf("/admin/bookings/%d/cancel", bs[0].ID), nil); r.Status != 409 {
			t.Fatalf("cancel twice: %d", r.Status)
		}
		c.Get("/admin/lab/settings")
		if r := c.Post("/admin/lab/closures", webtest.Form("day", "31-12-2026")); r.Status != 422 {
			t.Fatalf("bad closure date: %d", r.Status)
		}
		if r := c.Post("/admin/lab/closures", webtest.Form("day", day, "reason", "<b>Feest</b>")); r.Status != 303 {
			t.Fatalf("close a day: %d", r.Status)
		}
		if p := c.Get("/admin/lab/settings"); !strings.Contains(p.Body, "&lt;b&gt;Feest&lt;/b&gt;") {
			t.Fatal("closure reason not shown as text")
		}
		if p := c.Get("/admin/lab?day=" + day); !strings.Contains(p.Body, "gesloten") {
			t.Fatal("a closed day shows slots")
		}
	})
}
