package devices_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/drempel/drempel/devices"
	"github.com/drempel/drempel/store"
)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// at reads a wall-clock time in a zone.
func at(t *testing.T, name, wall string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation(time.DateTime, wall, zone(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// local shows an instant as the site reads it, with its UTC offset.
func local(v time.Time, loc *time.Location) string {
	return v.In(loc).Format("2006-01-02 15:04:05 -0700")
}

func fieldCode(err error) string {
	if fe, ok := store.AsFieldError(err); ok {
		return fe.Field + "." + fe.Code
	}
	if err == nil {
		return "nil"
	}
	return err.Error()
}

func TestDueAfter(t *testing.T) {
	for _, tc := range []struct {
		name       string
		zone, lent string // the site's zone, the lending moment on its clock
		days       int
		want       string // on the site's clock
	}{
		// The clocks go back on Sunday 25 October: still the end of the
		// next Saturday, now at UTC+1.
		{"Brussels, a week over the autumn change", "Europe/Brussels", "2026-10-24 10:00:00", 7, "2026-10-31 23:59:59 +0100"},
		{"Brussels, lent just before midnight", "Europe/Brussels", "2026-10-24 23:30:00", 7, "2026-10-31 23:59:59 +0100"},
		{"Brussels, lent just after midnight (still the day before in UTC)", "Europe/Brussels", "2026-10-25 00:30:00", 7, "2026-11-01 23:59:59 +0100"},
		// The clocks go forward on Sunday 29 March.
		{"Brussels, a week over the spring change", "Europe/Brussels", "2026-03-25 16:00:00", 7, "2026-04-01 23:59:59 +0200"},
		{"Brussels, due on the day the clocks go forward", "Europe/Brussels", "2026-03-15 09:00:00", 14, "2026-03-29 23:59:59 +0200"},
		{"Brussels, due on the day the clocks go back", "Europe/Brussels", "2026-10-11 09:00:00", 14, "2026-10-25 23:59:59 +0100"},
		{"Brussels, a month's dongle over the new year", "Europe/Brussels", "2026-12-15 12:00:00", 30, "2027-01-14 23:59:59 +0100"},
		{"Brussels, one day", "Europe/Brussels", "2026-06-01 08:00:00", 1, "2026-06-02 23:59:59 +0200"},
		// Los Angeles: in the evening, UTC is already the next day.
		{"Los Angeles, an evening lend over the autumn change", "America/Los_Angeles", "2026-10-30 18:00:00", 14, "2026-11-13 23:59:59 -0800"},
		{"Los Angeles, over the spring change", "America/Los_Angeles", "2026-03-07 20:00:00", 1, "2026-03-08 23:59:59 -0700"},
		// Auckland: in the morning, UTC is still the day before.
		{"Auckland, a morning lend over the autumn change", "Pacific/Auckland", "2026-04-01 09:00:00", 14, "2026-04-15 23:59:59 +1200"},
		{"Auckland, over the spring change", "Pacific/Auckland", "2026-09-26 08:30:00", 2, "2026-09-28 23:59:59 +1300"},
		// Santiago turns its clocks back at midnight: 23:59:59 comes twice
		// on 4 April, and the day ends at the second.
		{"Santiago, due on the night the clocks go back at midnight", "America/Santiago", "2026-03-28 12:00:00", 7, "2026-04-04 23:59:59 -0400"},
		{"Santiago, due on the eve of the spring change at midnight", "America/Santiago", "2026-08-29 12:00:00", 7, "2026-09-05 23:59:59 -0400"},
		{"UTC", "UTC", "2026-02-27 23:59:59", 1, "2026-02-28 23:59:59 +0000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			loc := zone(t, tc.zone)
			lent := at(t, tc.zone, tc.lent)
			got := devices.DueAfter(lent, tc.days, loc)
			if local(got, loc) != tc.want {
				t.Errorf("lent %s for %d days: due %s, want %s", tc.lent, tc.days, local(got, loc), tc.want)
			}
			// The last second of the day: one more and it is the next
			// (at midnight, or at 01:00 where midnight is skipped).
			if next := got.Add(time.Second).In(loc); next.Format(time.DateOnly) != got.In(loc).AddDate(0, 0, 1).Format(time.DateOnly) || next.Minute() != 0 || next.Second() != 0 {
				t.Errorf("a second after the due date is %s, not the start of the next day", local(next, loc))
			}
			// The same lend seen from a server in another zone gives the
			// same due date.
			if other := devices.DueAfter(lent.UTC(), tc.days, loc); !other.Equal(got) {
				t.Errorf("from UTC: %s", local(other, loc))
			}
		})
	}
}

// Santiago's second 23:59:59 on 4 April is 03:59:59 UTC, an hour after
// the first.
func TestEndOfDayWhenMidnightComesTwice(t *testing.T) {
	loc := zone(t, "America/Santiago")
	got := devices.EndOfDay(at(t, "America/Santiago", "2026-04-04 08:00:00"), loc)
	if want := time.Date(2026, 4, 5, 3, 59, 59, 0, time.UTC); !got.Equal(want) {
		t.Fatalf("end of 4 April in Santiago: %s, want %s", got.UTC(), want)
	}
	// In Brussels the doubled hour is at 2 in the night, not at midnight.
	be := zone(t, "Europe/Brussels")
	got = devices.EndOfDay(at(t, "Europe/Brussels", "2026-10-25 02:30:00"), be)
	if want := time.Date(2026, 10, 25, 22, 59, 59, 0, time.UTC); !got.Equal(want) {
		t.Fatalf("end of 25 October in Brussels: %s, want %s", got.UTC(), want)
	}
}

func TestPolicy(t *testing.T) {
	site := devices.Policy{store.Laptop: 21, store.Tablet: 0} // 0: never set, read as nothing
	for _, tc := range []struct {
		typ  store.DeviceType
		want int
	}{
		{store.Laptop, 21},
		{store.Tablet, 14},
		{store.Phone, 14},
		{store.Dongle, 30},
		{store.Accessory, 14},
	} {
		if got := site.Days(tc.typ); got != tc.want {
			t.Errorf("%s: %d days, want %d", tc.typ, got, tc.want)
		}
		if got := devices.Policy(nil).Days(tc.typ); got != devices.DefaultLoanDays[tc.typ] {
			t.Errorf("%s without a policy: %d days", tc.typ, got)
		}
	}

	be := zone(t, "Europe/Brussels")
	lent := at(t, "Europe/Brussels", "2026-10-24 10:00:00")
	p := devices.Policy{store.Laptop: 7, store.Dongle: 30, store.Accessory: 3}
	lap := store.Device{ID: 1, Type: store.Laptop}
	dongle := store.Device{ID: 2, Type: store.Dongle}
	charger := store.Device{ID: 3, Type: store.Accessory, ParentID: &lap.ID}
	for _, tc := range []struct {
		name string
		d    store.Device
		with *store.Device
		want string
	}{
		{"a laptop", lap, nil, "2026-10-31 23:59:59 +0100"},
		{"a dongle", dongle, nil, "2026-11-23 23:59:59 +0100"},
		{"a charger with its laptop", charger, &lap, "2026-10-31 23:59:59 +0100"},
		{"a charger on its own", charger, nil, "2026-10-27 23:59:59 +0100"},
		{"a laptop's own dongle", dongle, &lap, "2026-10-31 23:59:59 +0100"},
	} {
		if got := p.Due(lent, be, tc.d, tc.with); local(got, be) != tc.want {
			t.Errorf("%s: due %s, want %s", tc.name, local(got, be), tc.want)
		}
	}
}

func TestCheckLoanDays(t *testing.T) {
	for _, tc := range []struct {
		typ  store.DeviceType
		days int
		want string
	}{
		{store.Laptop, 1, "nil"},
		{store.Laptop, 14, "nil"},
		{store.Dongle, 365, "nil"},
		{store.Laptop, 0, "days.out_of_range"},
		{store.Laptop, -3, "days.out_of_range"},
		{store.Tablet, 366, "days.out_of_range"},
		{"toaster", 14, "type.bad_choice"},
		{"", 14, "type.bad_choice"},
	} {
		err := devices.CheckLoanDays(tc.typ, tc.days)
		if fieldCode(err) != tc.want {
			t.Errorf("%q for %d days: %s, want %s", tc.typ, tc.days, fieldCode(err), tc.want)
		}
		if err != nil && !errors.Is(err, store.ErrInvalid) {
			t.Errorf("%q for %d days: %v is not a field error", tc.typ, tc.days, err)
		}
	}
}

func TestDueOn(t *testing.T) {
	for _, tc := range []struct {
		zone, day string
		want      string // on the site's clock, or the refusal
	}{
		{"Europe/Brussels", "2026-10-31", "2026-10-31 23:59:59 +0100"},
		{"Europe/Brussels", " 2026-07-14 ", "2026-07-14 23:59:59 +0200"},
		{"Europe/Brussels", "2026-03-29", "2026-03-29 23:59:59 +0200"},
		{"Europe/Brussels", "2026-10-25", "2026-10-25 23:59:59 +0100"},
		{"America/Los_Angeles", "2026-11-13", "2026-11-13 23:59:59 -0800"},
		{"Pacific/Auckland", "2026-04-05", "2026-04-05 23:59:59 +1200"},
		{"Europe/Brussels", "", "due.bad_date"},
		{"Europe/Brussels", "31/10/2026", "due.bad_date"},
		{"Europe/Brussels", "2026-02-30", "due.bad_date"},
		{"Europe/Brussels", "2026-10-31T10:00", "due.bad_date"},
	} {
		loc := zone(t, tc.zone)
		got, err := devices.DueOn(tc.day, loc)
		res := fieldCode(err)
		if err == nil {
			res = local(got, loc)
		}
		if res != tc.want {
			t.Errorf("%s in %s: %s, want %s", tc.day, tc.zone, res, tc.want)
		}
	}
}

func TestCheckDue(t *testing.T) {
	now := at(t, "Europe/Brussels", "2026-11-27 15:00:00")
	for _, tc := range []struct {
		name string
		due  time.Time
		want string
	}{
		{"next week", now.AddDate(0, 0, 7), "nil"},
		{"yesterday: overdue at once, to correct a mistake", now.AddDate(0, 0, -1), "nil"},
		{"a year from now", now.AddDate(1, 0, 0), "nil"},
		{"a year ago", now.AddDate(-1, 0, 0), "nil"},
		{"a year and a day from now", now.AddDate(1, 0, 1), "due.out_of_range"},
		{"in 2001", time.Date(2001, 1, 1, 23, 59, 59, 0, time.UTC), "due.out_of_range"},
	} {
		if got := fieldCode(devices.CheckDue(tc.due, now)); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestReturnStatus(t *testing.T) {
	if got := devices.ReturnStatus(true); got != store.Available {
		t.Errorf("wiped at the desk: %s", got)
	}
	if got := devices.ReturnStatus(false); got != store.Checking {
		t.Errorf("not wiped: %s", got)
	}
}

func TestDaysLate(t *testing.T) {
	be := zone(t, "Europe/Brussels")
	la := zone(t, "America/Los_Angeles")
	for _, tc := range []struct {
		name     string
		loc      *time.Location
		due, now time.Time
		overdue  bool
		days     int
	}{
		{"on its last second", be, at(t, "Europe/Brussels", "2026-10-31 23:59:59"), at(t, "Europe/Brussels", "2026-10-31 23:59:59"), false, 0},
		{"the morning before", be, at(t, "Europe/Brussels", "2026-10-31 23:59:59"), at(t, "Europe/Brussels", "2026-10-31 09:00:00"), false, 0},
		{"a second after", be, at(t, "Europe/Brussels", "2026-10-31 23:59:59"), at(t, "Europe/Brussels", "2026-11-01 00:00:00"), true, 1},
		{"the whole next day", be, at(t, "Europe/Brussels", "2026-10-31 23:59:59"), at(t, "Europe/Brussels", "2026-11-01 23:59:00"), true, 1},
		{"the day after that", be, at(t, "Europe/Brussels", "2026-10-31 23:59:59"), at(t, "Europe/Brussels", "2026-11-02 00:00:30"), true, 2},
		// 29 March has 23 hours: 23 hours after its due date, a loan due
		// on the 28th is two days late, not one.
		{"over the short spring day", be, at(t, "Europe/Brussels", "2026-03-28 23:59:59"), at(t, "Europe/Brussels", "2026-03-30 00:00:30"), true, 2},
		// 25 October has 25 hours.
		{"over the long autumn day", be, at(t, "Europe/Brussels", "2026-10-24 23:59:59"), at(t, "Europe/Brussels", "2026-10-25 23:30:00"), true, 1},
		{"three weeks", be, at(t, "Europe/Brussels", "2026-10-31 23:59:59"), at(t, "Europe/Brussels", "2026-11-21 10:00:00"), true, 21},
		// Counted on the site's calendar, not UTC's: at 17:00 in Los
		// Angeles UTC is already the day after.
		{"Los Angeles, the evening after", la, at(t, "America/Los_Angeles", "2026-11-13 23:59:59"), at(t, "America/Los_Angeles", "2026-11-14 17:00:00"), true, 1},
		{"Los Angeles, two days on", la, at(t, "America/Los_Angeles", "2026-11-13 23:59:59"), at(t, "America/Los_Angeles", "2026-11-15 08:00:00"), true, 2},
		// A due date from before due dates ended the local day (21:59 UTC
		// is 22:59 in a Brussels winter): late from then, a day late.
		{"an old due date, late the same evening", be, time.Date(2026, 11, 20, 21, 59, 0, 0, time.UTC), at(t, "Europe/Brussels", "2026-11-20 23:30:00"), true, 1},
	} {
		if got := devices.IsOverdue(tc.due, tc.now); got != tc.overdue {
			t.Errorf("%s: overdue %v, want %v", tc.name, got, tc.overdue)
		}
		if got := devices.DaysLate(tc.due, tc.now, tc.loc); got != tc.days {
			t.Errorf("%s: %d days late, want %d", tc.name, got, tc.days)
		}
	}
}

func TestOverdue(t *testing.T) {
	be := zone(t, "Europe/Brussels")
	now := at(t, "Europe/Brussels", "2026-11-27 10:00:00")
	row := func(tag, due string, status store.LoanStatus) store.LoanRow {
		return store.LoanRow{Loan: store.Loan{DueAt: at(t, "Europe/Brussels", due+" 23:59:59").UTC(), Status: status}, AssetTag: tag}
	}
	rows := []store.LoanRow{
		row("TAB-0001", "2026-11-26", store.LoanOpen),
		row("LAP-0009", "2026-11-20", store.LoanOpen),
		row("LAP-0002", "2026-11-27", store.LoanOpen),     // due tonight
		row("LAP-0003", "2026-11-01", store.LoanReturned), // back
		row("NET-0001", "2026-11-20", store.LoanOpen),
		row("LAP-0001", "2026-11-20", store.LoanOpen),
		row("TEL-0001", "2026-12-20", store.LoanOpen),
	}
	var got []string
	for _, o := range devices.Overdue(rows, now, be) {
		got = append(got, o.AssetTag+":"+string(rune('0'+o.Days)))
	}
	if want := []string{"LAP-0001:7", "LAP-0009:7", "NET-0001:7", "TAB-0001:1"}; !slices.Equal(got, want) {
		t.Errorf("overdue: %v, want %v", got, want)
	}
	if got := devices.Overdue(nil, now, be); len(got) != 0 {
		t.Errorf("nothing lent: %v", got)
	}
}
