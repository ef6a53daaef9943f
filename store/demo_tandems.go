package store

import (
	"context"
	"time"
)

// seedDemoTandems adds a mentor login to the demo and, once, a tandem to
// follow: a mentee with three meetings behind them, papers in order, and
// a place in next week's tandem café with their mentor.
func (s *Store) seedDemoTandems(ctx context.Context, site *Site, res *DemoResult) error {
	const email = "mentor@demo.drempel"
	pw := randomPassword()
	if err := s.upsertDemoUser(ctx, email, RoleMentor, pw); err != nil {
		return err
	}
	res.Logins = append(res.Logins, DemoLogin{Email: email, Role: RoleMentor, Password: pw})
	var n int64
	if err := s.R.WithContext(ctx).Model(&Tandem{}).Count(&n).Error; err != nil || n > 0 {
		return err
	}
	var mentor User
	if err := s.R.WithContext(ctx).Where("email = ?", email).Take(&mentor).Error; err != nil {
		return err
	}
	var mentee Member
	if err := s.R.WithContext(ctx).Where("site_id = ? AND nickname = ? AND erased_at IS NULL", site.ID, "Samir").Take(&mentee).Error; err != nil {
		return nil // the demo's members were changed: no tandem then
	}
	loc := site.Location()
	now := s.Now().In(loc)
	day := func(d int) string { return now.AddDate(0, 0, d).Format(time.DateOnly) }
	t, err := s.CreateTandem(ctx, site.ID, TandemInput{MentorID: mentor.ID, MemberID: mentee.ID, StartsOn: day(-60), EndsOn: now.AddDate(0, 4, 0).Format(time.DateOnly),
		Goals: []string{"work", "papers", "language"}}, 0)
	if err != nil {
		return err
	}
	for _, m := range []MeetingInput{
		{Day: day(-45), Minutes: 60, Topics: []string{"papers"}, Note: "Samen de brief van de gemeente gelezen; afspraak gemaakt."},
		{Day: day(-30), Minutes: 90, Topics: []string{"work", "digital"}, Note: "Cv opgesteld, profiel bij VDAB aangemaakt."},
		{Day: day(-10), Minutes: 60, Topics: []string{"work", "language"}},
	} {
		if _, err := s.LogMeeting(ctx, t.ID, m, mentor.ID); err != nil {
			return err
		}
	}
	if err := s.SetOutcome(ctx, t.ID, "papers", day(-20), mentor.ID); err != nil {
		return err
	}
	course, err := s.SaveCourse(ctx, 0, site.ID, CourseInput{Kind: CourseOpen, Activity: ActivityGuidance, Audience: AudienceTandems, Pictogram: "people",
		Texts: map[string]CourseText{
			"nl": {Name: "Tandemcafé", Description: "Mentee en mentor samen: solliciteren oefenen."},
			"fr": {Name: "Café tandem", Description: "Mentoré·e et mentor ensemble : s'exercer à l'entretien d'embauche."},
			"en": {Name: "Tandem café", Description: "Mentee and mentor together: practising job interviews."},
		}})
	if err != nil {
		return err
	}
	start := time.Date(now.Year(), now.Month(), now.Day()+7, 14, 0, 0, 0, loc)
	sess, err := s.AddSession(ctx, course.ID, SessionInput{Start: start, End: start.Add(2 * time.Hour), Place: "Zaal 2", Seats: 12})
	if err != nil {
		return err
	}
	_, err = s.EnrolTandem(ctx, t.ID, sess.ID, nil)
	return err
}
