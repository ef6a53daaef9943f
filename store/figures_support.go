package store

import (
	"context"
	"fmt"
	"sort"
)

// CompletedCourse says whether a participant completed a course or
// series, for SupportFigures.Completed: the course has an end (a series,
// or a one-off course; an open course is a string of drop-in sessions
// and never ends), its last session (last, unix seconds) started in the
// period, between from and held (the period's end, or now when sooner),
// and the member attended at least three quarters of all its sessions (a
// one-off course: its one session). A participant who completed two
// courses counts once. supportFigures counts the same in SQL.
func CompletedCourse(kind CourseKind, sessions, attended int, last, from, held int64) bool {
	return (kind == CourseSeries || kind == CourseOneOff) && last >= from && last < held &&
		sessions > 0 && completedDen*attended >= completedNum*sessions
}

// A course is completed with completedNum/completedDen of its sessions.
const completedNum, completedDen = 3, 4

// supportFigures counts the support activities (f.Support) of the
// sessions that started between from and held (unix seconds), and their
// per-site counts into bySite. f.CourseTotals must be counted.
func (s *Store) supportFigures(ctx context.Context, f *Figures, siteIDs []int64, from, held int64, bySite map[int64]*Headline) error {
	db := s.R.WithContext(ctx)
	sup := &f.Support
	sup.Participants = f.CourseTotals.Participants
	sup.Seconds = f.CourseTotals.Seconds

	attended := `FROM enrolments e JOIN course_sessions cs ON cs.id = e.session_id JOIN courses c ON c.id = cs.course_id
		WHERE e.attended_at IS NOT NULL AND c.site_id IN ? AND cs.starts_at >= ? AND cs.starts_at < ?`
	if err := db.Raw(`SELECT c.activity AS key, COUNT(DISTINCT e.member_id) AS n `+attended+` GROUP BY c.activity`,
		siteIDs, from, held).Scan(&sup.ByActivity).Error; err != nil {
		return fmt.Errorf("by activity: %w", err)
	}
	order := map[string]int{}
	for i, a := range CourseActivities {
		order[string(a)] = i
	}
	sortParts(sup.ByActivity, func(k string) int { return order[k] })

	var profile []struct {
		AgeBand, Gender string
		N               int
	}
	if err := db.Raw(`SELECT m.age_band AS age_band, m.gender AS gender, COUNT(*) AS n FROM members m
		WHERE m.id IN (SELECT e.member_id `+attended+`) GROUP BY m.age_band, m.gender`, siteIDs, from, held).Scan(&profile).Error; err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	age, gender := map[string]int{}, map[string]int{}
	for _, r := range profile {
		age[r.AgeBand] += r.N
		gender[r.Gender] += r.N
	}
	sup.ByAgeBand, sup.ByGender = profileParts(age, AgeBands), profileParts(gender, Genders)

	// The members who said it helped, and who completed a course, in the
	// network and per site: (site_id, member_id) pairs counted twice.
	helped := `SELECT c.site_id AS site_id, r.member_id AS member_id
		FROM ratings r JOIN course_sessions cs ON cs.id = r.session_id JOIN courses c ON c.id = cs.course_id
		WHERE c.site_id IN ? AND cs.starts_at >= ? AND cs.starts_at < ? AND r.score IN (3, 4)`
	completed := `SELECT c.site_id AS site_id, x.member_id AS member_id
		FROM (SELECT cs.course_id, COUNT(*) AS n, MAX(cs.starts_at) AS last FROM course_sessions cs
			JOIN courses c ON c.id = cs.course_id WHERE c.site_id IN ? AND c.kind IN ? GROUP BY cs.course_id) k
		JOIN courses c ON c.id = k.course_id
		JOIN (SELECT cs.course_id, e.member_id, COUNT(DISTINCT cs.id) AS n FROM enrolments e
			JOIN course_sessions cs ON cs.id = e.session_id JOIN courses c ON c.id = cs.course_id
			WHERE e.attended_at IS NOT NULL AND c.site_id IN ? AND c.kind IN ? GROUP BY cs.course_id, e.member_id) x
			ON x.course_id = k.course_id
		WHERE k.last >= ? AND k.last < ? AND ? * x.n >= ? * k.n`
	ended := []CourseKind{CourseSeries, CourseOneOff}
	for _, c := range []struct {
		q     string
		args  []any
		total *int
		site  func(h *Headline) *int
	}{
		{helped, []any{siteIDs, from, held}, &sup.Helped, func(h *Headline) *int { return &h.Helped }},
		{completed, []any{siteIDs, ended, siteIDs, ended, from, held, completedDen, completedNum}, &sup.Completed, func(h *Headline) *int { return &h.Completed }},
		{`SELECT c.site_id AS site_id, e.member_id AS member_id ` + attended, []any{siteIDs, from, held}, nil,
			func(h *Headline) *int { return &h.CourseParticipants }},
	} {
		if c.total != nil {
			var n int64
			if err := db.Raw(`SELECT COUNT(DISTINCT member_id) FROM (`+c.q+`) x`, c.args...).Scan(&n).Error; err != nil {
				return err
			}
			*c.total = int(n)
		}
		var per []struct {
			SiteID int64
			N      int
		}
		if err := db.Raw(`SELECT site_id, COUNT(DISTINCT member_id) AS n FROM (`+c.q+`) x GROUP BY site_id`, c.args...).Scan(&per).Error; err != nil {
			return err
		}
		for _, r := range per {
			if h := bySite[r.SiteID]; h != nil {
				*c.site(h) = r.N
			}
		}
	}
	return nil
}

// sortParts orders parts by rank(key), then key.
func sortParts(parts []Part, rank func(string) int) {
	sort.Slice(parts, func(i, j int) bool {
		if ri, rj := rank(parts[i].Key), rank(parts[j].Key); ri != rj {
			return ri < rj
		}
		return parts[i].Key < parts[j].Key
	})
}
