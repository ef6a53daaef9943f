package store

import (
	"context"
	"time"

	"gorm.io/gorm"
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

// DayVisitor is one member who checked in at a site on a day, for the
// desk's list: who came, and when.
type DayVisitor struct {
	MemberID    int64
	Nickname    string
	CheckedInAt time.Time
}

// VisitorsOn lists who checked in at a site on a local day (YYYY-MM-DD),
// newest first, at most limit of them, and how many there are in all.
// Only members seen at the site are named (an erased member, or one of
// an organisation that stopped sharing, is left out); their visits still
// count in VisitsOn and the figures. For the desk only: never the kiosk.
func (s *Store) VisitorsOn(ctx context.Context, siteID int64, day string, limit int) ([]DayVisitor, int64, error) {
	q := func() *gorm.DB {
		return s.R.WithContext(ctx).Table("visits").Joins("JOIN members ON members.id = visits.member_id").
			Where("visits.site_id = ? AND visits.day = ?", siteID, day).Where(memberSeenAt, siteID)
	}
	var total int64
	if err := q().Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var out []DayVisitor
	if total == 0 {
		return out, 0, nil
	}
	err := q().Select("visits.member_id, members.nickname, visits.checked_in_at").
		Order("visits.checked_in_at DESC, visits.id DESC").Limit(limit).Scan(&out).Error
	return out, total, err
}
