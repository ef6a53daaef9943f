package store_test

import (
	"testing"
	"time"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
)

// The nightly job forgets each kind of record after its period and no
// sooner: a member not seen for two years is erased, one seen last week
// is not; old visit times keep only their day and the day's count.
func TestRetentionForgetsOnTime(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		a := site(t, s)
		real := time.Now
		defer s.SetClock(real)
		at := func(d time.Time) { s.SetClock(func() time.Time { return d }) }
		now := real().UTC()
		long := now.AddDate(-3, 0, 0)

		at(long)
		gone, err := s.CreateMember(ctx, store.MemberInput{Nickname: "Lang weg", Lang: "nl", Phone: "0470", SiteID: a.ID})
		if err != nil {
			t.Fatal(err)
		}
		stays, err := s.CreateMember(ctx, store.MemberInput{Nickname: "Nog hier", Lang: "nl", SiteID: a.ID})
		if err != nil {
			t.Fatal(err)
		}
		at(long.Add(13*time.Hour + 17*time.Minute))
		v, _, err := s.CheckIn(ctx, gone.ID, a)
		if err != nil {
			t.Fatal(err)
		}
		at(now.AddDate(0, 0, -7))
		if _, _, err := s.CheckIn(ctx, stays.ID, a); err != nil {
			t.Fatal(err)
		}
		at(now)
		if err := s.SetRetention(ctx, map[string]int{"members": 24}); err != nil {
			t.Fatal(err)
		}
		if err := s.SetRetention(ctx, map[string]int{"members": 1}); err == nil {
			t.Fatal("a period below its minimum was accepted")
		}
		run, err := s.ApplyRetention(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if run.Done["members"] != 1 || run.Done["visit_times"] < 1 {
			t.Fatalf("the run: %+v", run.Done)
		}
		if ok, _ := s.MemberSeenAt(ctx, gone.ID, a.ID); ok {
			t.Error("a member not seen for three years is still there")
		}
		if ok, _ := s.MemberSeenAt(ctx, stays.ID, a.ID); !ok {
			t.Error("a member seen last week was erased")
		}
		if log, err := s.AuditLog(ctx, gone.ID, 10); err != nil || len(log) != 1 || log[0].Action != store.AuditEraseAll || log[0].UserID != nil {
			t.Errorf("the job's erase is not in the audit log: %+v %v", log, err)
		}
		vs, err := s.VisitsOn(ctx, a.ID, v.Day)
		if err != nil || len(vs) != 1 {
			t.Fatalf("the old day's visits: %d %v", len(vs), err)
		}
		if h, m, _ := vs[0].CheckedInAt.UTC().Clock(); h != 0 || m != 0 {
			t.Errorf("an old visit keeps its time: %v", vs[0].CheckedInAt)
		}
		// A second run finds nothing more to do.
		run, err = s.ApplyRetention(ctx)
		if err != nil || run.Done["members"] != 0 || run.Done["visit_times"] != 0 {
			t.Fatalf("a second run: %+v %v", run, err)
		}
		if last, err := s.LastRetentionRun(ctx); err != nil || last == nil || !last.At.Equal(run.At) {
			t.Fatalf("the last run is not recorded: %+v %v", last, err)
		}
	})
}

// A mentee meets their mentor wherever suits them and may never check in
// at the kiosk: the rule that erases members not seen for two years
// spares one whose tandem is still running, or ran within the period, and
// erases one whose tandem ended before it.
func TestRetentionSparesAMentee(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		now := time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
		s.SetClock(func() time.Time { return now.AddDate(-3, 0, 0) })
		a := site(t, s)
		mt := mentor(t, s, "mentor@test.be", a.ID)
		running, recent, old := mentee(t, s, "Loopt nog", a.ID), mentee(t, s, "Kort geleden", a.ID), mentee(t, s, "Lang geleden", a.ID)
		for _, c := range []struct {
			m        *store.Member
			from, to string
			met      string
		}{
			{running, "2023-06-01", "2026-12-31", "2023-07-01"},
			{recent, "2023-06-01", "2026-01-31", "2023-07-01"},
			{old, "2023-06-01", "2024-01-31", "2024-01-15"},
		} {
			tan, err := s.CreateTandem(ctx, a.ID, store.TandemInput{MentorID: mt, MemberID: c.m.ID, StartsOn: c.from, EndsOn: c.to, Goals: []string{"work"}}, 0)
			if err != nil {
				t.Fatal(err)
			}
			s.SetClock(func() time.Time { return now })
			if _, err := s.LogMeeting(ctx, tan.ID, store.MeetingInput{Day: c.met, Minutes: 60}, mt); err != nil {
				t.Fatal(err)
			}
		}
		run, err := s.ApplyRetention(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if run.Done["members"] != 1 {
			t.Errorf("erased %d members, want 1", run.Done["members"])
		}
		for _, c := range []struct {
			m    *store.Member
			stay bool
		}{{running, true}, {recent, true}, {old, false}} {
			if ok, err := s.MemberSeenAt(ctx, c.m.ID, a.ID); ok != c.stay || err != nil {
				t.Errorf("%s still there: %v (%v), want %v", c.m.Nickname, ok, err, c.stay)
			}
		}
	})
}
