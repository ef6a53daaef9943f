package store

import (
	"context"
	"time"
)

// CheckIn records the member's visit to the site for today, in the site's
// time zone. It reports whether this scan counted a new visit: a second
// scan the same day finds the visit already there. The unique index on
// (member, site, day) keeps that true under concurrent scans too.
func (s *Store) CheckIn(ctx context.Context, memberID int64, site *Site) (Visit, bool, error) {
	return s.CheckInCard(ctx, &CardHolder{Member: Member{ID: memberID}, HasCourses: true, HasBooking: true}, site)
}

// CheckInCard is CheckIn for a card just scanned: what the card lookup
// already knows spares the check-in the attendance updates that cannot
// match anything (most visitors have no booking and no course).
func (s *Store) CheckInCard(ctx context.Context, h *CardHolder, site *Site) (Visit, bool, error) {
	now := s.Now()
	v := Visit{MemberID: h.Member.ID, SiteID: site.ID, Day: now.In(site.Location()).Format(time.DateOnly), CheckedInAt: now}
	counted, err := s.insertVisit(ctx, &v, attendance{booking: h.HasBooking, courses: h.HasCourses})
	return v, counted, err
}

// VisitsOn lists the check-ins at a site on a local day (YYYY-MM-DD),
// earliest first.
func (s *Store) VisitsOn(ctx context.Context, siteID int64, day string) ([]Visit, error) {
	var vs []Visit
	err := s.R.WithContext(ctx).Where("site_id = ? AND day = ?", siteID, day).
		Order("checked_in_at").Find(&vs).Error
	return vs, err
}

// MemberVisits lists a member's visits at a site, newest first.
func (s *Store) MemberVisits(ctx context.Context, memberID, siteID int64, limit int) ([]Visit, error) {
	var vs []Visit
	err := s.R.WithContext(ctx).Where("member_id = ? AND site_id = ?", memberID, siteID).
		Order("checked_in_at DESC").Limit(limit).Find(&vs).Error
	return vs, err
}

// CountVisits counts a member's visits on a day at a site.
func (s *Store) CountVisits(ctx context.Context, memberID, siteID int64, day string) (int64, error) {
	var n int64
	err := s.R.WithContext(ctx).Model(&Visit{}).
		Where("member_id = ? AND site_id = ? AND day = ?", memberID, siteID, day).Count(&n).Error
	return n, err
}
