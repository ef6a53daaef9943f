package kiosk_test

import (
	"strings"
	"testing"
	"time"

	"github.com/drempel/drempel/devices"
	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
	"github.com/drempel/drempel/web/webtest"
)

// A visitor sees what they borrowed and when it is due; an overdue loan
// brings a gentle reminder, never a refusal.
func TestKioskShowsOwnLoans(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		site, m := seed(t, st, "Jan", "nl")
		other, _ := st.CreateMember(ctx, store.MemberInput{Nickname: "Piet", Lang: "nl"})
		u, _ := st.CreateUser(ctx, store.UserInput{Email: "d@x.be", Role: store.RoleStaff, Password: "long enough pw"})
		ds, _ := st.AddDevices(ctx, site.ID, store.DeviceInput{Type: store.Tablet}, 2, u.ID)
		desk := devices.NewDesk(st)
		loans, err := desk.Lend(ctx, site, store.LendInput{MemberID: m.ID, DeviceIDs: []int64{ds[0].ID}, TermsAccepted: true, By: u.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := desk.Lend(ctx, site, store.LendInput{MemberID: other.ID, DeviceIDs: []int64{ds[1].ID}, TermsAccepted: true, By: u.ID}); err != nil {
			t.Fatal(err)
		}
		app := newKiosk(t, st)
		c := webtest.NewClient(t, app)
		scanIn(t, c, m)
		if home := c.Get("/kiosk/home"); strings.Contains(home.Body, "Breng alsjeblieft terug") {
			t.Fatal("a reminder before the due date")
		}
		mine := c.Get("/kiosk/bookings")
		// One row: this member's tablet, not the other member's.
		if strings.Count(mine.Body, "picto-tablet") != 1 {
			t.Fatalf("my loans:\n%s", mine.Body)
		}
		if err := desk.ChangeDue(ctx, site, loans[0].ID, st.Now().In(site.Location()).AddDate(0, 0, -2).Format(time.DateOnly), u.ID); err != nil {
			t.Fatal(err)
		}
		c.Get("/kiosk/reset")
		scanIn(t, c, m)
		home := c.Get("/kiosk/home")
		if home.Status != 200 || !strings.Contains(home.Body, "Breng alsjeblieft terug") || !strings.Contains(home.Body, "Je was vandaag al aangemeld") {
			t.Fatalf("overdue: %d\n%s", home.Status, home.Body)
		}
	})
}
