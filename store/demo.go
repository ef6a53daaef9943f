package store

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"time"

	"gorm.io/gorm"
)

// DemoLogin is a demo staff account with the password it got this start.
type DemoLogin struct {
	Email    string
	Role     Role
	Password string
}

// DemoResult tells a newcomer how to try the demo.
type DemoResult struct {
	Logins     []DemoLogin
	SampleCard Card
	SampleName string
	// DutchCard belongs to a member who prefers Dutch, for trying the
	// kiosk in the default language.
	DutchCard Card
	// RaterCard belongs to a member who came to yesterday's course: the
	// kiosk asks them for a smiley.
	RaterCard Card
	// ByLang is one member per language, in the order of the demo list,
	// for trying the kiosk in each: the card shows their name in their
	// own script.
	ByLang []DemoCard
}

// DemoCard is a demo member's card, for the console.
type DemoCard struct {
	Lang, Nickname string
	Card           Card
}

// Names are written the way their owners write them: a Tigrinya name in
// Ge'ez, a Persian one in Arabic script. The optional profile is answered
// as people do: mostly, now and then "prefer not to say", and not at all
// by one registered before the question. The profile figures then show
// groups of 5 and more beside groups masked as "< 5".
var demoMembers = []struct{ nick, lang, ageBand, gender string }{
	{"Amina", "ar", "30_54", "woman"}, {"Jan", "nl", "55_plus", "man"}, {"Marie", "fr", "30_54", "woman"},
	{"ዮናስ", "ti", "18_29", "man"}, {"Олена", "uk", "30_54", "woman"}, {"محمد", "ar", "", ""},
	{"Fatma", "tr", "30_54", "woman"}, {"Sofia", "ro", "18_29", "woman"}, {"حمید", "prs", "18_29", "man"},
	{"Ilse", "nl", "55_plus", "woman"}, {"Koen", "nl", "30_54", Undisclosed}, {"Nadia", "fr", "30_54", "woman"},
	{"Samir", "ar", "18_29", "man"}, {"Ayaan", "so", "under_18", "man"}, {"Elif", "tr", Undisclosed, "woman"},
	{"Tom", "en", "18_29", "non_binary"}, {"Lucie", "fr", "30_54", Undisclosed}, {"Bashir", "prs", "55_plus", "man"},
	{"Mariam", "ar", "18_29", "woman"}, {"شیرین", "fa", "30_54", "woman"},
}

// ErrNotDemo refuses to load the demo into a database with real data.
var ErrNotDemo = errors.New("this database holds real data: --demo runs only on an empty database or on the demo's own")

// DemoSiteName is the demo organisation's site.
const DemoSiteName = "Sociale kruidenier De Drempel (Antwerpen)"

func randomPassword() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
	b := make([]byte, 14)
	for i := range b {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			panic(err)
		}
		b[i] = alphabet[n.Int64()]
	}
	return string(b[:4]) + "-" + string(b[4:9]) + "-" + string(b[9:])
}

// SeedDemo loads the demo organisation into an empty database: a site,
// twenty members with cards and some past visits, and three staff
// accounts. The demo accounts get fresh random passwords at every call,
// so there is no default password, and the console can always show them.
func (s *Store) SeedDemo(ctx context.Context) (*DemoResult, error) {
	res := &DemoResult{}
	if demo, err := s.Setting(ctx, SettingDemo); err != nil {
		return nil, err
	} else if demo != "1" {
		var users, members int64
		s.R.WithContext(ctx).Model(&User{}).Count(&users)
		s.R.WithContext(ctx).Model(&Member{}).Count(&members)
		if users > 0 || members > 0 {
			// Never demo accounts with printed passwords in a real database.
			return nil, ErrNotDemo
		}
		if err := s.SetSetting(ctx, SettingDemo, "1"); err != nil {
			return nil, err
		}
	}
	site, err := s.EnsureSite(ctx, DemoSiteName, "Europe/Brussels")
	if err != nil {
		return nil, err
	}

	if err != nil {
		return nil, err
	}
	if v, _ := s.Setting(ctx, SettingOrgName); v == "" {
		if err := s.SetSetting(ctx, SettingOrgName, "De Drempel vzw"); err != nil {
			return nil, err
		}
		if err := s.RenameOperator(ctx, site.OperatorID, "De Drempel vzw"); err != nil {
			return nil, err
		}
	}
	if hours, _ := s.LabHoursOf(ctx, site.ID); len(hours) == 0 {
		lab := DefaultLab(site.ID)
		lab.Seats = 6
		if err := s.SaveLab(ctx, lab); err != nil {
			return nil, err
		}
		// Open every day, so a newcomer can book "tomorrow" whatever today is.
		var week []LabHours
		for d := 0; d < 7; d++ {
			week = append(week, LabHours{Weekday: d, Opens: 9 * 60, Closes: 12 * 60}, LabHours{Weekday: d, Opens: 13 * 60, Closes: 17 * 60})
		}
		if err := s.SetLabHours(ctx, site.ID, week); err != nil {
			return nil, err
		}
	}
	var members int64
	if err := s.R.WithContext(ctx).Model(&Member{}).Count(&members).Error; err != nil {
		return nil, err
	}
	if members == 0 {
		now := s.Now()
		for i, dm := range demoMembers {
			m, err := s.CreateMember(ctx, MemberInput{Nickname: dm.nick, Lang: dm.lang, AgeBand: dm.ageBand, Gender: dm.gender, SiteID: site.ID})
			if err != nil {
				return nil, err
			}
			// A few past visits so the lists are not empty.
			for d := 1; d <= i%5; d++ {
				at := now.AddDate(0, 0, -d*3)
				v := Visit{MemberID: m.ID, SiteID: site.ID, Day: at.In(site.Location()).Format(time.DateOnly), CheckedInAt: at}
				if err := s.W.WithContext(ctx).Create(&v).Error; err != nil {
					return nil, err
				}
			}
		}
	}
	if members == 0 {
		if err := s.seedDemoCourses(ctx, site); err != nil {
			return nil, err
		}
		if err := s.seedDemoLanguageCourse(ctx, site); err != nil {
			return nil, err
		}
	}
	for _, l := range []struct {
		email string
		role  Role
	}{{"admin@demo.drempel", RoleAdmin}, {"desk@demo.drempel", RoleStaff}, {"groep@demo.drempel", RoleFacilitator}, {"coordinatie@demo.drempel", RoleCoordinator}, {"peer@demo.drempel", RolePeer}} {
		pw := randomPassword()
		if err := s.upsertDemoUser(ctx, l.email, l.role, pw); err != nil {
			return nil, err
		}
		res.Logins = append(res.Logins, DemoLogin{Email: l.email, Role: l.role, Password: pw})
	}
	if err := s.seedDemoTandems(ctx, site, res); err != nil {
		return nil, err
	}
	var h struct {
		Card
		Nickname string
	}
	err = s.R.WithContext(ctx).Table("cards").Select("cards.*, members.nickname").
		Joins("JOIN members ON members.id = cards.member_id").
		Where("cards.revoked_at IS NULL").Order("cards.id").Limit(1).Scan(&h).Error
	if err != nil {
		return nil, err
	}
	res.SampleCard, res.SampleName = h.Card, h.Nickname
	err = s.R.WithContext(ctx).Table("cards").Select("cards.*").
		Joins("JOIN members ON members.id = cards.member_id").
		Where("cards.revoked_at IS NULL AND members.lang = ?", "nl").Order("cards.id").Limit(1).Scan(&res.DutchCard).Error
	if err != nil {
		return nil, err
	}
	// A member who came to a session and has not rated it.
	err = s.R.WithContext(ctx).Table("cards").Select("cards.*").
		Joins("JOIN enrolments ON enrolments.member_id = cards.member_id").
		Joins("LEFT JOIN ratings ON ratings.session_id = enrolments.session_id AND ratings.member_id = enrolments.member_id").
		Where("cards.revoked_at IS NULL AND enrolments.attended_at IS NOT NULL AND ratings.session_id IS NULL").Order("cards.id").Limit(1).Scan(&res.RaterCard).Error
	if err != nil {
		return nil, err
	}
	var rows []struct {
		Card
		Nickname, Lang string
	}
	err = s.R.WithContext(ctx).Table("cards").Select("cards.*, members.nickname, members.lang").
		Joins("JOIN members ON members.id = cards.member_id").
		Where("cards.revoked_at IS NULL").Order("cards.id").Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, r := range rows {
		if !seen[r.Lang] {
			seen[r.Lang] = true
			res.ByLang = append(res.ByLang, DemoCard{Lang: r.Lang, Nickname: r.Nickname, Card: r.Card})
		}
	}
	// The database holds only the cards' hashes: the cards the console
	// shows are issued anew at every start, like the passwords, each
	// member's once.
	fresh := map[int64]Card{}
	renew := func(c *Card) error {
		if c.MemberID == 0 {
			return nil
		}
		if f, ok := fresh[c.MemberID]; ok {
			*c = f
			return nil
		}
		f, err := s.ReissueCard(ctx, c.MemberID)
		if err != nil {
			return err
		}
		fresh[c.MemberID] = *f
		*c = *f
		return nil
	}
	for _, c := range []*Card{&res.SampleCard, &res.DutchCard, &res.RaterCard} {
		if err := renew(c); err != nil {
			return nil, err
		}
	}
	for i := range res.ByLang {
		if err := renew(&res.ByLang[i].Card); err != nil {
			return nil, err
		}
	}
	return res, nil
}

func (s *Store) upsertDemoUser(ctx context.Context, email string, role Role, pw string) error {
	var u User
	err := s.R.WithContext(ctx).Where("email = ?", email).Take(&u).Error
	if err == gorm.ErrRecordNotFound {
		_, err = s.CreateUser(ctx, UserInput{Email: email, Name: fmt.Sprintf("Demo %s", role), Role: role, Password: pw, Lang: "nl"})
		return err
	}
	if err != nil {
		return err
	}
	tmp, err := s.hashPassword(pw)
	if err != nil {
		return err
	}
	return s.W.WithContext(ctx).Model(&User{}).Where("id = ?", u.ID).
		Updates(map[string]any{"password_hash": tmp, "disabled_at": nil}).Error
}

// seedDemoCourses adds the demo's courses: an open computer workshop, a CV
// series, a driving-theory session with one seat left, and yesterday's
// workshop, which one member attended and has not rated yet.
func (s *Store) seedDemoCourses(ctx context.Context, site *Site) error {
	loc := site.Location()
	now := s.Now().In(loc)
	day := func(d, h, m int) time.Time {
		return time.Date(now.Year(), now.Month(), now.Day()+d, h, m, 0, 0, loc)
	}
	type demoCourse struct {
		kind  CourseKind
		picto string
		names map[string]string
		when  []time.Time
		seats int
	}
	courses := []demoCourse{
		{CourseOpen, "laptop", map[string]string{"nl": "Computerwerkplaats", "fr": "Atelier informatique", "en": "Computer workshop", "ar": "ورشة الحاسوب"},
			[]time.Time{day(-1, 13, 30), day(1, 13, 30), day(3, 13, 30), day(8, 13, 30)}, 8},
		{CourseSeries, "cv", map[string]string{"nl": "Je cv maken", "fr": "Faire son CV", "en": "Write your CV", "ar": "كتابة السيرة الذاتية"},
			[]time.Time{day(2, 9, 30), day(9, 9, 30), day(16, 9, 30)}, 6},
		{CourseOneOff, "car", map[string]string{"nl": "Theorie rijbewijs oefenen", "fr": "Théorie du permis de conduire", "en": "Driving theory practice", "ar": "التدرّب على امتحان رخصة القيادة النظري"},
			[]time.Time{day(5, 10, 0)}, 2},
	}
	var members []Member
	if err := s.R.WithContext(ctx).Order("id").Find(&members).Error; err != nil {
		return err
	}
	for ci, dc := range courses {
		in := CourseInput{Kind: dc.kind, Pictogram: dc.picto, Texts: map[string]CourseText{}}
		for lang, name := range dc.names {
			in.Texts[lang] = CourseText{Name: name}
		}
		c, err := s.SaveCourse(ctx, 0, site.ID, in)
		if err != nil {
			return err
		}
		for _, at := range dc.when {
			cs, err := s.AddSession(ctx, c.ID, SessionInput{Start: at, End: at.Add(2 * time.Hour), Place: "PC-lokaal", Seats: dc.seats})
			if err != nil {
				return err
			}
			if at.Before(now) {
				// Yesterday: the sixth demo member came and has not rated it.
				m := members[5]
				attended := at.Add(5 * time.Minute)
				if err := s.W.WithContext(ctx).Create(&Enrolment{SessionID: cs.ID, MemberID: m.ID, Status: Enrolled,
					CreatedAt: at.AddDate(0, 0, -3), AttendedAt: &attended}).Error; err != nil {
					return err
				}
				if err := s.W.WithContext(ctx).Model(&CourseSession{}).Where("id = ?", cs.ID).Update("taken", 1).Error; err != nil {
					return err
				}
			}
			if ci == 2 { // driving theory: one seat left
				if _, err := s.Enrol(ctx, EnrolInput{SessionID: cs.ID, MemberID: members[10].ID}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// seedDemoLanguageCourse adds a weekly language course that ran for half a
// year, for the attendance review: a series of 27 weekly sessions, the
// last two days ago (none to come, so that the kiosk's screens stay as
// they were), seven participants, and a roll call as it went —
// most come, some let us know they cannot, Marie misses two sessions in a
// row every six weeks, Олена three every nine, Ayaan has stopped coming
// and Samir joined later. Whatever the day, last quarter shows absences
// in a row. Those who came rated the session, so the kiosk asks none of
// them.
func (s *Store) seedDemoLanguageCourse(ctx context.Context, site *Site) error {
	loc := site.Location()
	now := s.Now().In(loc)
	first := time.Date(now.Year(), now.Month(), now.Day()-2-7*26, 0, 0, 0, 0, loc)
	c, err := s.SaveCourse(ctx, 0, site.ID, CourseInput{Kind: CourseSeries, Activity: ActivityLanguage, Pictogram: "people",
		Texts: map[string]CourseText{
			"nl": {Name: "Nederlands oefenen", Description: "Elke week samen Nederlands spreken, op je eigen tempo."},
			"fr": {Name: "Pratiquer le néerlandais", Description: "Chaque semaine, parler néerlandais ensemble, à son rythme."},
			"en": {Name: "Dutch practice", Description: "Speak Dutch together every week, at your own pace."},
			"ar": {Name: "ممارسة اللغة الهولندية", Description: "نتحدث الهولندية معًا كل أسبوع، على مهلك."},
		}})
	if err != nil {
		return err
	}
	plan, _, err := SessionRepeat{From: first, Weekday: first.Weekday(), Weeks: 27, Start: 10 * 60, End: 12 * 60, Loc: loc,
		Place: "Leslokaal", Seats: 10}.Plan()
	if err != nil {
		return err
	}
	sessions, err := s.AddSessions(ctx, c.ID, plan)
	if err != nil {
		return err
	}
	var members []Member
	if err := s.R.WithContext(ctx).Order("id").Find(&members).Error; err != nil {
		return err
	}
	past := 0
	for _, x := range sessions {
		if x.Start().Before(now) {
			past++
		}
	}
	// Each participant's roll at past session i: 'P' present, 'X'
	// absent, 'E' excused, 0 not enrolled.
	roll := map[int]func(i int) byte{
		0: func(i int) byte { return pick(i%8 == 3, 'E', 'P') },             // Amina
		2: func(i int) byte { return pick(i%6 == 2 || i%6 == 3, 'X', 'P') }, // Marie
		4: func(i int) byte { return pick(i%9 >= 4 && i%9 <= 6, 'X', 'P') }, // Олена
		6: func(i int) byte { return pick(i%5 == 1, 'X', 'P') },             // Fatma
		12: func(i int) byte { // Samir, from the seventh session
			switch {
			case i < 6:
				return 0
			case i%7 == 0:
				return 'X'
			case i%7 == 4:
				return 'E'
			}
			return 'P'
		},
		13: func(i int) byte { return pick(i >= past-3, 'X', pick(i%10 == 7, 'E', 'P')) }, // Ayaan
		18: func(i int) byte { return 'P' },                                               // Mariam
	}
	return s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for i, x := range sessions {
			taken := 0
			for mi, f := range roll {
				if mi >= len(members) {
					continue
				}
				mark := byte('F') // a session to come: a seat
				if i < past {
					mark = f(i)
				} else if f(past-1) == 0 {
					continue
				}
				if mark == 0 {
					continue
				}
				start := x.Start()
				e := Enrolment{SessionID: x.ID, MemberID: members[mi].ID, Status: Enrolled, CreatedAt: first.Add(-24 * time.Hour)}
				switch mark {
				case 'P':
					at := start.Add(5 * time.Minute)
					e.AttendedAt = &at
				case 'E':
					at := start.Add(-20 * time.Hour)
					e.ExcusedAt = &at
				}
				if err := tx.Create(&e).Error; err != nil {
					return err
				}
				if e.AttendedAt != nil {
					score := 4
					if (i+mi)%3 == 0 {
						score = 3
					}
					if err := tx.Create(&Rating{SessionID: x.ID, MemberID: members[mi].ID, Score: score, CreatedAt: x.End().Add(time.Hour)}).Error; err != nil {
						return err
					}
				}
				taken++
			}
			if err := tx.Model(&CourseSession{}).Where("id = ?", x.ID).Update("taken", taken).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

func pick(cond bool, yes, no byte) byte {
	if cond {
		return yes
	}
	return no
}
