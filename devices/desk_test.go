package devices_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/drempel/drempel/devices"
	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
)

var ctx = context.Background()

// The desk on a real database, at a site on the other side of the world
// from the first one: its due dates and days late are the site's own.
func TestDeskAtASiteInAnotherZone(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		now := at(t, "Pacific/Auckland", "2026-04-01 09:00:00") // 31 March, 20:00 in UTC
		st.SetClock(func() time.Time { return now })
		brussels, err := st.EnsureSite(ctx, "Antwerpen", "Europe/Brussels")
		if err != nil {
			t.Fatal(err)
		}
		akl, err := st.CreateSite(ctx, store.SiteInput{Name: "Auckland", TimeZone: "Pacific/Auckland"})
		if err != nil {
			t.Fatal(err)
		}
		nz := akl.Location()
		u, err := st.CreateUser(ctx, store.UserInput{Email: "desk@test.be", Role: store.RoleStaff, Password: "long enough pw"})
		if err != nil {
			t.Fatal(err)
		}
		m, err := st.CreateMember(ctx, store.MemberInput{Nickname: "Aroha", Lang: "en"})
		if err != nil {
			t.Fatal(err)
		}
		add := func(siteID int64, in store.DeviceInput) store.Device {
			t.Helper()
			ds, err := st.AddDevices(ctx, siteID, in, 1, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			return ds[0]
		}
		lap := add(akl.ID, store.DeviceInput{Type: store.Laptop})
		charger := add(akl.ID, store.DeviceInput{Type: store.Accessory, Model: "charger", ParentID: &lap.ID})
		dongle := add(brussels.ID, store.DeviceInput{Type: store.Dongle})
		desk := devices.NewDesk(st)

		// Loan policies: validated, per site.
		for _, tc := range []struct {
			typ  store.DeviceType
			days int
			want string
		}{{store.Laptop, 0, "days.out_of_range"}, {store.Laptop, 366, "days.out_of_range"}, {"toaster", 14, "type.bad_choice"}, {store.Laptop, 10, "nil"}} {
			if got := fieldCode(desk.SetLoanDays(ctx, akl.ID, tc.typ, tc.days)); got != tc.want {
				t.Errorf("%s for %d days: %s, want %s", tc.typ, tc.days, got, tc.want)
			}
		}
		for _, tc := range []struct {
			site int64
			typ  store.DeviceType
			want int
		}{{akl.ID, store.Laptop, 10}, {akl.ID, store.Dongle, 30}, {brussels.ID, store.Laptop, 14}} {
			if got, err := desk.LoanDays(ctx, tc.site, tc.typ); err != nil || got != tc.want {
				t.Errorf("site %d, %s: %d days (%v), want %d", tc.site, tc.typ, got, err, tc.want)
			}
		}

		// Lend: the member says yes first; the charger is due with its
		// laptop, at the end of the day in Auckland.
		in := store.LendInput{MemberID: m.ID, DeviceIDs: []int64{lap.ID}, By: u.ID}
		if _, err := desk.Lend(ctx, akl, in); !errors.Is(err, devices.ErrNoTerms) {
			t.Fatalf("without the terms: %v", err)
		}
		in.TermsAccepted = true
		loans, err := desk.Lend(ctx, akl, in)
		if err != nil || len(loans) != 2 {
			t.Fatalf("lend: %v %d", err, len(loans))
		}
		for _, l := range loans {
			back, _ := st.Loan(ctx, l.ID)
			if back.SiteID != akl.ID || local(back.DueAt, nz) != "2026-04-11 23:59:59 +1200" {
				t.Errorf("loan of device %d: site %d, due %s", l.DeviceID, back.SiteID, local(back.DueAt, nz))
			}
		}
		if _, err := desk.Lend(ctx, brussels, store.LendInput{MemberID: m.ID, DeviceIDs: []int64{lap.ID}, TermsAccepted: true, By: u.ID}); !errors.Is(err, store.ErrDeviceUnavailable) {
			t.Fatalf("Auckland's laptop lent at Antwerpen: %v", err)
		}
		dl, err := desk.Lend(ctx, brussels, store.LendInput{MemberID: m.ID, DeviceIDs: []int64{dongle.ID}, TermsAccepted: true, By: u.ID})
		if err != nil || local(dl[0].DueAt, brussels.Location()) != "2026-04-30 23:59:59 +0200" {
			t.Fatalf("a dongle at Antwerpen, lent on 31 March there: %v %s", err, local(dl[0].DueAt, brussels.Location()))
		}

		// Overdue from Auckland's midnight, in Auckland's days.
		overdue := func(site *store.Site, wall string) (tags []string, days []int) {
			t.Helper()
			now = at(t, site.TimeZone, wall)
			list, err := desk.Overdue(ctx, site)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range list {
				tags, days = append(tags, o.AssetTag), append(days, o.Days)
			}
			return tags, days
		}
		if tags, _ := overdue(akl, "2026-04-11 23:59:00"); len(tags) != 0 {
			t.Errorf("overdue on the due day: %v", tags)
		}
		if tags, days := overdue(akl, "2026-04-12 00:00:30"); len(tags) != 2 || days[0] != 1 || days[1] != 1 {
			t.Errorf("overdue after midnight: %v %v", tags, days)
		}
		if tags, days := overdue(akl, "2026-04-14 08:00:00"); len(tags) != 2 || days[0] != 3 {
			t.Errorf("three days on: %v %v", tags, days)
		}
		if tags, _ := overdue(brussels, "2026-04-14 08:00:00"); len(tags) != 0 {
			t.Errorf("Auckland's loans overdue at Antwerpen: %v", tags)
		}

		// A day typed by staff: the end of that day in Auckland, for the
		// charger too; within a year; the site's own loans only.
		for _, tc := range []struct {
			site *store.Site
			day  string
			want string
		}{
			{akl, "14/04/2026", "due.bad_date"},
			{akl, "2027-05-01", "due.out_of_range"},
			{brussels, "2026-04-20", store.ErrNotFound.Error()},
			{akl, "2026-04-20", "nil"},
		} {
			if got := fieldCode(desk.ChangeDue(ctx, tc.site, loans[0].ID, tc.day, u.ID)); got != tc.want {
				t.Errorf("due on %s at %s: %s, want %s", tc.day, tc.site.Name, got, tc.want)
			}
		}
		for _, l := range loans {
			if back, _ := st.Loan(ctx, l.ID); local(back.DueAt, nz) != "2026-04-20 23:59:59 +1200" {
				t.Errorf("device %d after the change: due %s", l.DeviceID, local(back.DueAt, nz))
			}
		}
		if tags, _ := overdue(akl, "2026-04-14 08:00:00"); len(tags) != 0 {
			t.Errorf("overdue after the extension: %v", tags)
		}

		// Back, not wiped: both wait to be checked, until the wipe.
		if _, err := desk.Return(ctx, store.ReturnInput{DeviceID: lap.ID, By: u.ID, Status: store.Available}); err != nil {
			t.Fatal(err)
		}
		status := func(id int64) store.DeviceStatus {
			d, _ := st.Device(ctx, id)
			return d.Status
		}
		if status(lap.ID) != store.Checking || status(charger.ID) != store.Checking {
			t.Fatalf("back, not wiped: %s, %s", status(lap.ID), status(charger.ID))
		}
		if err := desk.Reopen(ctx, loans[0].ID, u.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := desk.Return(ctx, store.ReturnInput{DeviceID: lap.ID, By: u.ID, Wiped: true}); err != nil {
			t.Fatal(err)
		}
		if status(lap.ID) != store.Available || status(charger.ID) != store.Checking {
			t.Fatalf("reopened, then back wiped: %s, %s", status(lap.ID), status(charger.ID))
		}
		if err := desk.ConfirmWipe(ctx, charger.ID, u.ID); err != nil || status(charger.ID) != store.Available {
			t.Fatalf("the charger's wipe: %v %s", err, status(charger.ID))
		}
		if err := desk.MarkLost(ctx, dl[0].ID, u.ID, true); err != nil || status(dongle.ID) != store.Lost {
			t.Fatalf("stolen: %v %s", err, status(dongle.ID))
		}
	})
}
