package store_test

import (
	"errors"
	"fmt"
	"math/rand"
	"testing"
	"time"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
)

func mentor(t *testing.T, s *store.Store, email string, sites ...int64) int64 {
	t.Helper()
	u, err := s.CreateUser(ctx, store.UserInput{Email: email, Name: "Mentor " + email, Role: store.RoleMentor, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	if len(sites) > 0 {
		if err := s.SetUserSites(ctx, u.ID, sites); err != nil {
			t.Fatal(err)
		}
	}
	return u.ID
}

func mentee(t *testing.T, s *store.Store, nick string, siteID int64) *store.Member {
	t.Helper()
	m, err := s.CreateMember(ctx, store.MemberInput{Nickname: nick, Lang: "fr", SiteID: siteID})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func wantField(t *testing.T, what string, err error, field, code string) {
	t.Helper()
	fe, ok := store.AsFieldError(err)
	if !ok || fe.Field != field || fe.Code != code {
		t.Errorf("%s: %v, want %s %s", what, err, field, code)
	}
}

// A tandem pairs a mentor of the site with a member seen there, between
// two days in order, with goals; its meetings fall within its days, its
// outcomes are one of each kind. The database holds the same rules.
func TestTandemRules(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		s.SetClock(func() time.Time { return time.Date(2026, 5, 20, 10, 0, 0, 0, time.UTC) })
		a := site(t, s)
		other, err := s.CreateSite(ctx, store.SiteInput{Name: "Elders", OperatorName: "Andere vzw"})
		if err != nil {
			t.Fatal(err)
		}
		mt := mentor(t, s, "mentor@test.be", a.ID)
		farMentor := mentor(t, s, "ver@test.be", other.ID)
		staff, err := s.CreateUser(ctx, store.UserInput{Email: "staff@test.be", Role: store.RoleStaff, Password: "correct horse battery"})
		if err != nil {
			t.Fatal(err)
		}
		m := mentee(t, s, "Yonas", a.ID)
		walled := mentee(t, s, "Achter de muur", other.ID)
		erased := mentee(t, s, "Weg", a.ID)
		if err := s.EraseMember(ctx, erased.ID); err != nil {
			t.Fatal(err)
		}
		good := store.TandemInput{MentorID: mt, MemberID: m.ID, StartsOn: "2026-03-01", EndsOn: "2026-09-01", Goals: []string{"papers", "work"}}
		for _, c := range []struct {
			what        string
			in          func(store.TandemInput) store.TandemInput
			field, code string
		}{
			{"end before start", func(in store.TandemInput) store.TandemInput { in.EndsOn = "2026-02-01"; return in }, "ends_on", "bad_end"},
			{"no start", func(in store.TandemInput) store.TandemInput { in.StartsOn = ""; return in }, "starts_on", "required"},
			{"a made-up day", func(in store.TandemInput) store.TandemInput { in.EndsOn = "2026-02-31"; return in }, "ends_on", "bad_date"},
			{"no goal", func(in store.TandemInput) store.TandemInput { in.Goals = nil; return in }, "goals", "required"},
			{"an unknown goal", func(in store.TandemInput) store.TandemInput { in.Goals = []string{"work", "flying"}; return in }, "goals", "bad_choice"},
			{"a staff account as mentor", func(in store.TandemInput) store.TandemInput { in.MentorID = staff.ID; return in }, "mentor", "bad_choice"},
			{"a mentor of another site", func(in store.TandemInput) store.TandemInput { in.MentorID = farMentor; return in }, "mentor", "bad_choice"},
			{"a member behind the walls", func(in store.TandemInput) store.TandemInput { in.MemberID = walled.ID; return in }, "member", "bad_choice"},
			{"an erased member", func(in store.TandemInput) store.TandemInput { in.MemberID = erased.ID; return in }, "member", "bad_choice"},
		} {
			_, err := s.CreateTandem(ctx, a.ID, c.in(good), 0)
			wantField(t, c.what, err, c.field, c.code)
		}
		tan, err := s.CreateTandem(ctx, a.ID, good, 0)
		if err != nil {
			t.Fatal(err)
		}
		if tan.Goals != "work,papers" {
			t.Errorf("goals %q, want them in the pages' order", tan.Goals)
		}
		row, err := s.Tandem(ctx, tan.ID)
		if err != nil || row.Nickname != "Yonas" || row.Mentor != "Mentor mentor@test.be" {
			t.Fatalf("tandem row %+v, %v", row, err)
		}
		if at, err := s.IsAt(ctx, store.KindTandem, tan.ID, a.ID); !at || err != nil {
			t.Errorf("the tandem is not at its site: %v", err)
		}
		if at, _ := s.IsAt(ctx, store.KindTandem, tan.ID, other.ID); at {
			t.Error("the tandem is at another site")
		}

		// Meetings: within the tandem's days, not after today.
		meet := store.MeetingInput{Day: "2026-05-01", Minutes: 60, Topics: []string{"papers"}, Note: "Brief van de huisbaas samen gelezen"}
		mt1, err := s.LogMeeting(ctx, tan.ID, meet, mt)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			what        string
			in          store.MeetingInput
			field, code string
		}{
			{"before the tandem", store.MeetingInput{Day: "2026-02-28", Minutes: 60}, "day", "outside"},
			{"tomorrow", store.MeetingInput{Day: "2026-05-21", Minutes: 60}, "day", "outside"},
			{"no time", store.MeetingInput{Day: "2026-05-01", Minutes: 0}, "minutes", "out_of_range"},
			{"a day and a half", store.MeetingInput{Day: "2026-05-01", Minutes: 2160}, "minutes", "out_of_range"},
			{"an unknown topic", store.MeetingInput{Day: "2026-05-01", Minutes: 30, Topics: []string{"cooking"}}, "topics", "bad_choice"},
		} {
			_, err := s.LogMeeting(ctx, tan.ID, c.in, mt)
			wantField(t, c.what, err, c.field, c.code)
		}
		if _, err := s.LogMeeting(ctx, 999999, meet, mt); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a meeting of no tandem: %v", err)
		}

		// Outcomes: one of each kind; a second day replaces the first.
		if err := s.SetOutcome(ctx, tan.ID, "work", "2026-05-02", mt); err != nil {
			t.Fatal(err)
		}
		if err := s.SetOutcome(ctx, tan.ID, "work", "2026-05-10", mt); err != nil {
			t.Fatal(err)
		}
		wantField(t, "an unknown outcome", s.SetOutcome(ctx, tan.ID, "lottery", "2026-05-10", mt), "kind", "bad_choice")
		wantField(t, "an outcome before the tandem", s.SetOutcome(ctx, tan.ID, "housing", "2025-05-10", mt), "outcome_day", "outside")
		outs, err := s.TandemOutcomes(ctx, tan.ID)
		if err != nil || len(outs) != 1 || outs[0].Day != "2026-05-10" {
			t.Errorf("outcomes %+v, %v: want work on 2026-05-10 once", outs, err)
		}

		// Days that would leave a meeting outside are refused.
		moved := good
		moved.StartsOn = "2026-05-05"
		wantField(t, "a start after a meeting", s.UpdateTandem(ctx, tan.ID, moved), "starts_on", "after_meetings")
		moved = good
		moved.Goals, moved.EndsOn = []string{"housing"}, "2026-12-31"
		if err := s.UpdateTandem(ctx, tan.ID, moved); err != nil {
			t.Fatal(err)
		}

		// A meeting is deleted from its own tandem only.
		tan2, err := s.CreateTandem(ctx, a.ID, good, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteMeeting(ctx, tan2.ID, mt1.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a meeting deleted through another tandem: %v", err)
		}

		// The database's own rules, written past the code.
		now := s.Now()
		for what, q := range map[string][]any{
			"days out of order":     {"INSERT INTO tandems (site_id, mentor_id, member_id, starts_on, ends_on, created_at) VALUES (?, ?, ?, '2026-02-01', '2026-01-01', ?)", a.ID, mt, m.ID, now},
			"a meeting of no one":   {"INSERT INTO tandem_meetings (tandem_id, day, minutes, created_at) VALUES (999999, '2026-02-01', 30, ?)", now},
			"a meeting of no time":  {"INSERT INTO tandem_meetings (tandem_id, day, minutes, created_at) VALUES (?, '2026-04-01', 0, ?)", tan.ID, now},
			"a second work outcome": {"INSERT INTO tandem_outcomes (tandem_id, kind, day, created_at) VALUES (?, 'work', '2026-04-01', ?)", tan.ID, now},
			"an unknown outcome":    {"INSERT INTO tandem_outcomes (tandem_id, kind, day, created_at) VALUES (?, 'lottery', '2026-04-01', ?)", tan.ID, now},
		} {
			if err := s.W.Exec(q[0].(string), q[1:]...).Error; err == nil {
				t.Errorf("the database took %s", what)
			}
		}

		mine, err := s.Tandems(ctx, a.ID, mt)
		if err != nil || len(mine) != 2 {
			t.Errorf("the mentor's tandems: %d, %v", len(mine), err)
		}
		if theirs, _ := s.Tandems(ctx, a.ID, farMentor); len(theirs) != 0 {
			t.Errorf("another mentor sees %d tandems", len(theirs))
		}
	})
}

// A course for tandems: enrolling a tandem seats the mentee (an ordinary
// enrolment), names the tandem, and the roll call shows the mentor with
// them. The kiosk does not offer such a course.
func TestTandemWorkshop(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		a := site(t, s)
		mt := mentor(t, s, "mentor@test.be", a.ID)
		m := mentee(t, s, "Yonas", a.ID)
		today := time.Now().In(a.Location()).Format(time.DateOnly)
		tan, err := s.CreateTandem(ctx, a.ID, store.TandemInput{MentorID: mt, MemberID: m.ID, StartsOn: today, EndsOn: "2099-01-01", Goals: []string{"work"}}, 0)
		if err != nil {
			t.Fatal(err)
		}
		plain := course(t, s, a, store.CourseOpen)
		forTandems, err := s.SaveCourse(ctx, 0, a.ID, store.CourseInput{Kind: store.CourseOpen, Audience: store.AudienceTandems, Pictogram: "people",
			Texts: map[string]store.CourseText{"nl": {Name: "Tandemcafé"}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SaveCourse(ctx, 0, a.ID, store.CourseInput{Kind: store.CourseOpen, Audience: "everyone", Pictogram: "people",
			Texts: map[string]store.CourseText{"nl": {Name: "X"}}}); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("an unknown audience: %v", err)
		}
		start := time.Now().Add(48 * time.Hour).Truncate(time.Hour)
		ps := session(t, s, plain, start, 5)
		ts := session(t, s, forTandems, start, 5)
		if _, err := s.EnrolTandem(ctx, tan.ID, ps.ID, nil); !errors.Is(err, store.ErrNotForTandems) {
			t.Errorf("a tandem in a course for members: %v", err)
		}
		st, err := s.EnrolTandem(ctx, tan.ID, ts.ID, &mt)
		if err != nil || st != store.Enrolled {
			t.Fatalf("enrol the tandem: %v %v", st, err)
		}
		rows, err := s.SessionEnrolments(ctx, ts.ID)
		if err != nil || len(rows) != 1 || rows[0].MemberID != m.ID || rows[0].TandemID == nil || *rows[0].TandemID != tan.ID ||
			rows[0].Nickname != "Yonas" || rows[0].Mentor != "Mentor mentor@test.be" {
			t.Fatalf("the roll call: %+v, %v", rows, err)
		}
		if _, err := s.EnrolTandem(ctx, tan.ID, ts.ID, nil); !errors.Is(err, store.ErrAlreadyEnrolled) {
			t.Errorf("the tandem twice: %v", err)
		}
		got, err := s.TandemEnrolments(ctx, tan.ID)
		if err != nil || len(got) != 1 || got[0].SessionID != ts.ID {
			t.Errorf("the tandem's workshops: %+v, %v", got, err)
		}
		offered, err := s.TandemSessions(ctx, a.ID)
		if err != nil || len(offered) != 1 || offered[0].ID != ts.ID {
			t.Errorf("sessions for tandems: %+v, %v", offered, err)
		}
		list, err := s.NextSessions(ctx, a.ID, start.Add(24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		kiosk := list.Sessions
		for _, k := range kiosk {
			if k.CourseID == forTandems.ID {
				t.Error("the kiosk offers a course for tandems")
			}
		}
		if len(kiosk) != 1 {
			t.Errorf("the kiosk offers %d courses, want the one for members", len(kiosk))
		}
	})
}

// TandemFigures agree with a count over the raw rows, for periods that
// cut tandems and meetings at both ends, per site and for two together.
func TestTandemFiguresMatchAFold(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		s.SetClock(func() time.Time { return time.Date(2026, 12, 31, 12, 0, 0, 0, time.UTC) })
		a := site(t, s)
		b, err := s.CreateSite(ctx, store.SiteInput{Name: "B"})
		if err != nil {
			t.Fatal(err)
		}
		rnd := rand.New(rand.NewSource(12))
		base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		day := func(d int) string { return base.AddDate(0, 0, d).Format(time.DateOnly) }
		for si, sid := range []int64{a.ID, b.ID} {
			mt := mentor(t, s, fmt.Sprintf("m%d@test.be", si), sid)
			for i := 0; i < 12; i++ {
				m := mentee(t, s, fmt.Sprintf("M%d-%d", si, i), sid)
				start := rnd.Intn(600)
				length := 30 + rnd.Intn(300)
				if start+length > 729 {
					length = 729 - start
				}
				tan, err := s.CreateTandem(ctx, sid, store.TandemInput{MentorID: mt, MemberID: m.ID, StartsOn: day(start), EndsOn: day(start + length),
					Goals: []string{store.TandemGoals[rnd.Intn(len(store.TandemGoals))]}}, 0)
				if err != nil {
					t.Fatal(err)
				}
				for k := rnd.Intn(6); k > 0; k-- {
					in := store.MeetingInput{Day: day(start + rnd.Intn(length+1)), Minutes: []int{30, 60, 90, 120, 45}[rnd.Intn(5)]}
					if _, err := s.LogMeeting(ctx, tan.ID, in, mt); err != nil {
						t.Fatal(err)
					}
				}
				for _, kind := range store.OutcomeKinds {
					if rnd.Intn(3) == 0 {
						if err := s.SetOutcome(ctx, tan.ID, kind, day(start+rnd.Intn(length+1)), mt); err != nil {
							t.Fatal(err)
						}
					}
				}
			}
		}

		var tandems []store.Tandem
		var meetings []store.TandemMeeting
		var outcomes []store.TandemOutcome
		if err := s.R.Find(&tandems).Error; err != nil {
			t.Fatal(err)
		}
		if err := s.R.Find(&meetings).Error; err != nil {
			t.Fatal(err)
		}
		if err := s.R.Find(&outcomes).Error; err != nil {
			t.Fatal(err)
		}
		fold := func(sites []int64, from, to string) store.TandemFigures {
			f := store.TandemFigures{Outcomes: map[string]int{}}
			siteOf := map[int64]int64{}
			in := func(id int64) bool {
				for _, x := range sites {
					if x == id {
						return true
					}
				}
				return false
			}
			for _, x := range tandems {
				siteOf[x.ID] = x.SiteID
				if !in(x.SiteID) || x.StartsOn >= to || x.EndsOn < from {
					continue
				}
				f.Active++
				if x.StartsOn >= from {
					f.New++
				}
			}
			for _, m := range meetings {
				if in(siteOf[m.TandemID]) && m.Day >= from && m.Day < to {
					f.Meetings++
					f.Minutes += m.Minutes
				}
			}
			for _, o := range outcomes {
				if in(siteOf[o.TandemID]) && o.Day >= from && o.Day < to {
					f.Outcomes[o.Kind]++
				}
			}
			return f
		}
		loc := a.Location()
		nonEmpty := 0
		for _, p := range []store.Period{
			{From: time.Date(2025, 1, 1, 0, 0, 0, 0, loc), To: time.Date(2026, 1, 1, 0, 0, 0, 0, loc)},
			{From: time.Date(2025, 4, 1, 0, 0, 0, 0, loc), To: time.Date(2025, 7, 1, 0, 0, 0, 0, loc)},
			{From: time.Date(2025, 11, 17, 0, 0, 0, 0, loc), To: time.Date(2025, 11, 18, 0, 0, 0, 0, loc)},
			{From: time.Date(2026, 2, 1, 0, 0, 0, 0, loc), To: time.Date(2026, 3, 1, 0, 0, 0, 0, loc)},
		} {
			for _, sites := range [][]int64{{a.ID}, {b.ID}, {a.ID, b.ID}, nil} {
				got, err := s.TandemFigures(ctx, sites, p)
				if err != nil {
					t.Fatal(err)
				}
				from, to := p.Days()
				want := fold(sites, from, to)
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("%s–%s at %v: got %+v, want %+v", from, to, sites, got, want)
				}
				if got.Meetings > 0 {
					nonEmpty++
				}
			}
		}
		if nonEmpty < 4 {
			t.Fatalf("only %d of the periods hold meetings: the test compares nothing", nonEmpty)
		}
		all, _ := s.TandemFigures(ctx, []int64{a.ID, b.ID}, store.Period{From: base, To: base.AddDate(3, 0, 0)})
		if all.Active != 24 || all.Hours() != float64(all.Minutes)/60 {
			t.Errorf("over every day: %d tandems, want 24", all.Active)
		}
	})
}

// Meeting notes are forgotten after their retention period; a mentee's
// erase empties theirs at once, and a meeting logged after it keeps no
// note; the meetings stay, for the figures.
func TestMeetingNotesRetention(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		now := time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
		s.SetClock(func() time.Time { return now.AddDate(0, -18, 0) })
		a := site(t, s)
		mt := mentor(t, s, "mentor@test.be", a.ID)
		old := mentee(t, s, "Oud", a.ID)
		gone := mentee(t, s, "Weg", a.ID)
		t1, err := s.CreateTandem(ctx, a.ID, store.TandemInput{MentorID: mt, MemberID: old.ID, StartsOn: "2024-01-01", EndsOn: "2026-12-31", Goals: []string{"work"}}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.LogMeeting(ctx, t1.ID, store.MeetingInput{Day: "2024-11-30", Minutes: 60, Note: "Oude notitie"}, mt); err != nil {
			t.Fatal(err)
		}
		s.SetClock(func() time.Time { return now })
		if _, err := s.LogMeeting(ctx, t1.ID, store.MeetingInput{Day: "2026-05-30", Minutes: 60, Note: "Nieuwe notitie"}, mt); err != nil {
			t.Fatal(err)
		}
		t2, err := s.CreateTandem(ctx, a.ID, store.TandemInput{MentorID: mt, MemberID: gone.ID, StartsOn: "2026-01-01", EndsOn: "2026-12-31", Goals: []string{"work"}}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.LogMeeting(ctx, t2.ID, store.MeetingInput{Day: "2026-05-30", Minutes: 30, Note: "Over iemand die vergeten wil worden"}, mt); err != nil {
			t.Fatal(err)
		}
		if err := s.EraseMember(ctx, gone.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.LogMeeting(ctx, t2.ID, store.MeetingInput{Day: "2026-05-31", Minutes: 30, Note: "Na het wissen"}, mt); err != nil {
			t.Fatal(err)
		}
		run, err := s.ApplyRetention(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if run.Done["meeting_notes"] != 1 {
			t.Errorf("forgot %d notes, want 1 (the old one; the erase emptied the other)", run.Done["meeting_notes"])
		}
		var notes []string
		if err := s.R.Model(&store.TandemMeeting{}).Order("id").Pluck("note", &notes).Error; err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(notes) != fmt.Sprint([]string{"", "Nieuwe notitie", "", ""}) {
			t.Errorf("notes after the run: %q", notes)
		}
	})
}
