package store

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"
)

// Kind names a kind of object that belongs to one site: it happened
// there, or is kept there. Members are the exception: a member is the
// organisation's (the Operator of the site that registered them) and is
// seen at each of its sites, and at those of operators sharing with it.
type Kind string

// The kinds of site-bound objects.
const (
	KindDevice       Kind = "device"
	KindLoan         Kind = "loan"
	KindBooking      Kind = "booking"
	KindCourse       Kind = "course"
	KindSession      Kind = "session"
	KindEnrolment    Kind = "enrolment"
	KindThreshold    Kind = "threshold"
	KindTheme        Kind = "theme"
	KindOrganisation Kind = "organisation"
	KindQuote        Kind = "quote"
	KindMember       Kind = "member"
)

// siteOfQuery finds the site of one object of each kind, directly or
// through what it belongs to (a session through its course).
var siteOfQuery = map[Kind]string{
	KindDevice:       "SELECT site_id FROM devices WHERE id = ?",
	KindLoan:         "SELECT site_id FROM loans WHERE id = ?",
	KindBooking:      "SELECT site_id FROM bookings WHERE id = ?",
	KindCourse:       "SELECT site_id FROM courses WHERE id = ?",
	KindSession:      "SELECT courses.site_id FROM course_sessions JOIN courses ON courses.id = course_sessions.course_id WHERE course_sessions.id = ?",
	KindEnrolment:    "SELECT courses.site_id FROM enrolments JOIN course_sessions ON course_sessions.id = enrolments.session_id JOIN courses ON courses.id = course_sessions.course_id WHERE enrolments.id = ?",
	KindThreshold:    "SELECT site_id FROM thresholds WHERE id = ?",
	KindTheme:        "SELECT site_id FROM themes WHERE id = ?",
	KindOrganisation: "SELECT site_id FROM organisations WHERE id = ?",
	KindQuote:        "SELECT themes.site_id FROM quotes JOIN themes ON themes.id = quotes.theme_id WHERE quotes.id = ?",
	KindMember:       "SELECT site_id FROM members WHERE id = ?", // the site that registered them
}

// SiteOf is the site an object of kind k belongs to; ErrNotFound when
// there is no such object.
func (s *Store) SiteOf(ctx context.Context, k Kind, id int64) (int64, error) {
	return siteOf(s.R.WithContext(ctx), k, id)
}

func siteOf(tx *gorm.DB, k Kind, id int64) (int64, error) {
	q, ok := siteOfQuery[k]
	if !ok {
		return 0, fmt.Errorf("store: no site for kind %q", k)
	}
	var sites []int64
	if err := tx.Raw(q, id).Scan(&sites).Error; err != nil {
		return 0, err
	}
	if len(sites) == 0 {
		return 0, ErrNotFound
	}
	return sites[0], nil
}

// IsAt reports whether the object of kind k with this id belongs to the
// site (a member: is seen there, MemberSeenAt): false for an object of
// another site, or none at all.
func (s *Store) IsAt(ctx context.Context, k Kind, id, siteID int64) (bool, error) {
	if k == KindMember {
		return s.MemberSeenAt(ctx, id, siteID)
	}
	got, err := s.SiteOf(ctx, k, id)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil && got == siteID, err
}
