package devices

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/drempel/drempel/store"
)

// DefaultLoanDays is how long a type is lent when the site set nothing.
var DefaultLoanDays = map[store.DeviceType]int{store.Laptop: 14, store.Tablet: 14, store.Phone: 14, store.Dongle: 30, store.Accessory: 14}

// A loan policy lends for at least a day and at most a year: a longer
// loan is a gift, and the desk would lose track of it.
const (
	MinLoanDays = 1
	MaxLoanDays = 365
)

// Policy is how many days each device type is lent at one site: what the
// site set, over DefaultLoanDays.
type Policy map[store.DeviceType]int

// Days is how many days a device of type t is lent.
func (p Policy) Days(t store.DeviceType) int {
	if d, ok := p[t]; ok && d > 0 {
		return d
	}
	return DefaultLoanDays[t]
}

// Due is when device d, lent at lent at a site in loc, is due. An
// accessory that goes along with its device (with) is due with it: the
// charger comes back in the laptop's bag.
func (p Policy) Due(lent time.Time, loc *time.Location, d store.Device, with *store.Device) time.Time {
	t := d.Type
	if with != nil {
		t = with.Type
	}
	return DueAfter(lent, p.Days(t), loc)
}

// CheckLoanDays refuses a policy the desk could not keep.
func CheckLoanDays(t store.DeviceType, days int) error {
	if !t.Valid() {
		return &store.FieldError{Field: "type", Code: "bad_choice"}
	}
	if days < MinLoanDays || days > MaxLoanDays {
		return &store.FieldError{Field: "days", Code: "out_of_range"}
	}
	return nil
}

// EndOfDay is the last second of t's day in loc, the site's time zone: a
// loan due on a day may come back until the desk's own midnight, whatever
// the server's zone and whether or not the clocks changed that week.
func EndOfDay(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	end := time.Date(y, m, d, 23, 59, 59, 0, loc)
	if next := end.Add(time.Second).In(loc); next.Day() == d {
		// Where the clocks go back at midnight (Chile), the last hour
		// comes twice and time.Date gives the first: the day ends at the
		// second.
		_, before := end.Zone()
		_, after := next.Zone()
		end = end.Add(time.Duration(before-after) * time.Second)
	}
	return end
}

// DueAfter is the due date of a loan of days days that starts at lent: the
// end of the day that many calendar days later, in loc. Counting calendar
// days rather than 24-hour periods keeps a week a week across a change of
// the clocks.
func DueAfter(lent time.Time, days int, loc *time.Location) time.Time {
	y, m, d := lent.In(loc).Date()
	return EndOfDay(time.Date(y, m, d+days, 12, 0, 0, 0, loc), loc) // noon: far from any change of the clocks
}

// DueOn is the due date staff typed as a day (YYYY-MM-DD): the end of that
// day in loc.
func DueOn(day string, loc *time.Location) (time.Time, error) {
	t, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(day), loc)
	if err != nil {
		return time.Time{}, &store.FieldError{Field: "due", Code: "bad_date"}
	}
	return EndOfDay(t, loc), nil
}

// CheckDue refuses a due date more than a year from now, either way: an
// earlier date corrects a mistake (and may make the loan overdue at once),
// a later one extends the loan, but a year off is a typing error.
func CheckDue(due, now time.Time) error {
	if due.Before(now.AddDate(-1, 0, 0)) || due.After(now.AddDate(1, 0, 0)) {
		return &store.FieldError{Field: "due", Code: "out_of_range"}
	}
	return nil
}

// ReturnStatus is where a device goes when it comes back: available at
// once when its personal data was wiped at the desk, else "being checked"
// until someone confirms the wipe, so the next borrower never gets the
// last one's data.
func ReturnStatus(wiped bool) store.DeviceStatus {
	if wiped {
		return store.Available
	}
	return store.Checking
}

// IsOverdue reports whether a loan due at due is late at now. Due dates
// are the end of a day, so a loan is late from the next midnight on.
func IsOverdue(due, now time.Time) bool { return now.After(due) }

// DaysLate is how many of the site's calendar days a loan due at due is
// late at now: 1 from the midnight after its due day, whatever the hour,
// and 0 while it is not overdue.
func DaysLate(due, now time.Time, loc *time.Location) int {
	if !IsOverdue(due, now) {
		return 0
	}
	// A due date from before due dates ended the day, or set by hand, may
	// fall earlier on its day; a late loan is at least a day late.
	return max(1, dayNumber(now.In(loc))-dayNumber(due.In(loc)))
}

// dayNumber counts the days of t's calendar date; UTC has no missing or
// doubled hours, so differences are whole days.
func dayNumber(t time.Time) int {
	y, m, d := t.Date()
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// OverdueLoan is a late loan with how late it is.
type OverdueLoan struct {
	store.LoanRow
	// Days is how many of the site's calendar days it is late.
	Days int
}

// Overdue keeps the loans that are late at now, with their days late
// counted in loc, the most overdue first (then by tag, as staff walk the
// shelf).
func Overdue(rows []store.LoanRow, now time.Time, loc *time.Location) []OverdueLoan {
	var out []OverdueLoan
	for _, r := range rows {
		if r.Status == store.LoanOpen && IsOverdue(r.DueAt, now) {
			out = append(out, OverdueLoan{r, DaysLate(r.DueAt, now, loc)})
		}
	}
	slices.SortStableFunc(out, func(a, b OverdueLoan) int {
		return cmp.Or(cmp.Compare(b.Days, a.Days), a.DueAt.Compare(b.DueAt), cmp.Compare(a.AssetTag, b.AssetTag))
	})
	return out
}
