package devices

import (
	"context"
	"time"

	"github.com/drempel/drempel/store"
)

// ErrNoTerms refuses a loan the member did not say yes to. It is store's
// own refusal, so errors.Is holds whichever of the two refused.
var ErrNoTerms = store.ErrNoTerms

// Desk is the lending desk: the one way staff lend devices, take them
// back and follow what is late. It applies this package's rules and hands
// store explicit values; store keeps the transactions and the invariants
// (one open loan per device, a device taken by a conditional update).
type Desk struct {
	st *store.Store
}

// NewDesk opens the lending desk on st.
func NewDesk(st *store.Store) *Desk { return &Desk{st: st} }

// Policy is the site's loan policy.
func (d *Desk) Policy(ctx context.Context, siteID int64) (Policy, error) {
	set, err := d.st.LoanPolicies(ctx, siteID)
	if err != nil {
		return nil, err
	}
	return Policy(set), nil
}

// LoanDays is how many days a device type is lent at a site.
func (d *Desk) LoanDays(ctx context.Context, siteID int64, t store.DeviceType) (int, error) {
	p, err := d.Policy(ctx, siteID)
	if err != nil {
		return 0, err
	}
	return p.Days(t), nil
}

// SetLoanDays sets how many days a device type is lent at a site, from
// MinLoanDays to MaxLoanDays.
func (d *Desk) SetLoanDays(ctx context.Context, siteID int64, t store.DeviceType, days int) error {
	if err := CheckLoanDays(t, days); err != nil {
		return err
	}
	return d.st.SetLoanPolicy(ctx, siteID, t, days)
}

// Lend lends the scanned devices, with their accessories, to a member at
// site, once the member accepted the terms. Each device is due by its
// type's policy at the site, an accessory with its device, at the end of
// the site's day. in.SiteID and in.Due are the desk's to set.
func (d *Desk) Lend(ctx context.Context, site *store.Site, in store.LendInput) ([]store.Loan, error) {
	if !in.TermsAccepted {
		return nil, ErrNoTerms
	}
	p, err := d.Policy(ctx, site.ID)
	if err != nil {
		return nil, err
	}
	loc := site.Location()
	in.SiteID = site.ID
	in.Due = func(lent time.Time, dev store.Device, with *store.Device) time.Time {
		return p.Due(lent, loc, dev, with)
	}
	return d.st.Lend(ctx, in)
}

// Return takes a device back after the return check: which accessories
// came back (the others stay on loan, recorded missing), whether it was
// wiped (if not, it waits in "being checked"), and any damage with its
// note. in.Status is the desk's to set.
func (d *Desk) Return(ctx context.Context, in store.ReturnInput) (*store.Loan, error) {
	in.Status = ReturnStatus(in.Wiped)
	return d.st.Return(ctx, in)
}

// ConfirmWipe makes a device that waits in "being checked" available,
// with the accessories that came back with it.
func (d *Desk) ConfirmWipe(ctx context.Context, deviceID, by int64) error {
	return d.st.ConfirmWipe(ctx, deviceID, by)
}

// ChangeDue moves an open loan of site to the day staff typed
// (YYYY-MM-DD), due at the end of that day in the site's time zone; its
// accessories follow. The day must be within a year of today.
func (d *Desk) ChangeDue(ctx context.Context, site *store.Site, loanID int64, day string, by int64) error {
	l, err := d.st.Loan(ctx, loanID)
	if err != nil {
		return err
	}
	if l.SiteID != site.ID {
		return store.ErrNotFound // its day would be counted in another site's zone
	}
	due, err := DueOn(day, site.Location())
	if err != nil {
		return err
	}
	if err := CheckDue(due, d.st.Now()); err != nil {
		return err
	}
	return d.st.ChangeDue(ctx, loanID, due, by)
}

// MarkLost closes an open loan as lost, or stolen: the device is lost.
func (d *Desk) MarkLost(ctx context.Context, loanID, by int64, stolen bool) error {
	return d.st.MarkLost(ctx, loanID, by, stolen)
}

// Reopen undoes a return made by mistake, if nobody borrowed the device
// since.
func (d *Desk) Reopen(ctx context.Context, loanID, by int64) error {
	return d.st.ReopenLoan(ctx, loanID, by)
}

// Overdue lists the site's late loans, the most overdue first, with their
// days late counted in the site's calendar days.
func (d *Desk) Overdue(ctx context.Context, site *store.Site) ([]OverdueLoan, error) {
	now := d.st.Now()
	rows, err := d.st.OpenLoansDueBefore(ctx, site.ID, now)
	if err != nil {
		return nil, err
	}
	return Overdue(rows, now, site.Location()), nil
}

// CountOverdue counts the site's late loans, for the dashboard's badge.
func (d *Desk) CountOverdue(ctx context.Context, site *store.Site) (int64, error) {
	return d.st.CountOpenLoansDueBefore(ctx, site.ID, d.st.Now())
}
