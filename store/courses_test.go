package store_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
)

func course(t *testing.T, s *store.Store, st *store.Site, kind store.CourseKind) *store.Course {
	t.Helper()
	c, err := s.SaveCourse(ctx, 0, st.ID, store.CourseInput{Kind: kind, Pictogram: "laptop",
		Texts: map[string]store.CourseText{"nl": {Name: "Computerwerkplaats"}, "fr": {Name: "Atelier informatique"}}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func session(t *testing.T, s *store.Store, c *store.Course, start time.Time, seats int) *store.CourseSession {
	t.Helper()
	cs, err := s.AddSession(ctx, c.ID, store.SessionInput{Start: start, End: start.Add(2 * time.Hour), Place: "Zaal 1", Seats: seats})
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func TestCourseValidation(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		st := site(t, s)
		for _, in := range []store.CourseInput{
			{Kind: "weekly", Pictogram: "laptop", Texts: map[string]store.CourseText{"nl": {Name: "X"}}},
			{Kind: store.CourseOpen, Pictogram: "nope", Texts: map[string]store.CourseText{"nl": {Name: "X"}}},
			{Kind: store.CourseOpen, Pictogram: "laptop", Texts: map[string]store.CourseText{"nl": {Name: ""}}},
			{Kind: store.CourseOpen, Pictogram: "laptop", Texts: map[string]store.CourseText{"nl": {Name: "", Description: "d"}}},
		} {
			if _, err := s.SaveCourse(ctx, 0, st.ID, in); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("%+v: %v", in, err)
			}
		}
		c := course(t, s, st, store.CourseOpen)
		if got := c.Name("ar", "nl"); got != "Computerwerkplaats" {
			t.Errorf("fallback name: %q", got)
		}
		now := time.Now()
		if _, err := s.AddSession(ctx, c.ID, store.SessionInput{Start: now, End: now.Add(-time.Hour), Seats: 3}); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("end before start: %v", err)
		}
		if _, err := s.AddSession(ctx, c.ID, store.SessionInput{Start: now, End: now.Add(time.Hour), Seats: 0}); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("no seats: %v", err)
		}
	})
}

func TestWaitingListMovesUp(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		st, now := labFixture(t, s, 1)
		c := course(t, s, st, store.CourseOpen)
		cs := session(t, s, c, now.Add(48*time.Hour), 1)
		a, b, d := member(t, s, "A"), member(t, s, "B"), member(t, s, "D")
		if st, err := s.Enrol(ctx, store.EnrolInput{SessionID: cs.ID, MemberID: a.ID}); err != nil || st != store.Enrolled {
			t.Fatalf("A: %v %v", st, err)
		}
		if _, err := s.Enrol(ctx, store.EnrolInput{SessionID: cs.ID, MemberID: a.ID}); !errors.Is(err, store.ErrAlreadyEnrolled) {
			t.Fatalf("A twice: %v", err)
		}
		if _, err := s.Enrol(ctx, store.EnrolInput{SessionID: cs.ID, MemberID: b.ID}); !errors.Is(err, store.ErrSessionFull) {
			t.Fatalf("B without waiting: %v", err)
		}
		for _, m := range []*store.Member{b, d} {
			if st, err := s.Enrol(ctx, store.EnrolInput{SessionID: cs.ID, MemberID: m.ID, Wait: true}); err != nil || st != store.Waiting {
				t.Fatalf("%s waits: %v %v", m.Nickname, st, err)
			}
		}
		es, _ := s.UpcomingEnrolments(ctx, a.ID)
		if len(es) != 1 {
			t.Fatalf("A's enrolments: %d", len(es))
		}
		if err := s.CancelEnrolment(ctx, es[0].ID, b.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("B cancels A's seat: %v", err)
		}
		if err := s.CancelEnrolment(ctx, es[0].ID, a.ID); err != nil {
			t.Fatal(err)
		}
		places, err := s.NewPlaces(ctx, b.ID)
		if err != nil || len(places) != 1 || places[0].Session.Course.Name("nl") != "Computerwerkplaats" {
			t.Fatalf("B's new place: %v %+v", err, places)
		}
		if p, _ := s.NewPlaces(ctx, d.ID); len(p) != 0 {
			t.Fatal("D moved up too")
		}
		s.MarkPlacesSeen(ctx, b.ID)
		if p, _ := s.NewPlaces(ctx, b.ID); len(p) != 0 {
			t.Fatal("the new place is shown twice")
		}
		got, _ := s.Session(ctx, cs.ID)
		if got.Taken != 1 {
			t.Fatalf("taken: %d", got.Taken)
		}
		// More seats: D moves up too.
		if _, err := s.UpdateSession(ctx, cs.ID, store.SessionInput{Start: got.Start(), End: got.End(), Seats: 2}, false); err != nil {
			t.Fatal(err)
		}
		if p, _ := s.NewPlaces(ctx, d.ID); len(p) != 1 {
			t.Fatal("D did not get the new seat")
		}
		// Fewer seats than enrolled needs a confirmation, and says who.
		if _, err := s.UpdateSession(ctx, cs.ID, store.SessionInput{Start: got.Start(), End: got.End(), Seats: 1}, false); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("shrink without confirmation: %v", err)
		}
		moved, err := s.UpdateSession(ctx, cs.ID, store.SessionInput{Start: got.Start(), End: got.End(), Seats: 1}, true)
		if err != nil || len(moved) != 1 || moved[0].Nickname != "D" {
			t.Fatalf("moved: %v %+v", err, moved)
		}
	})
}

func TestLastCourseSeatUnderConcurrency(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		st, now := labFixture(t, s, 1)
		cs := session(t, s, course(t, s, st, store.CourseOneOff), now.Add(24*time.Hour), 1)
		var members []*store.Member
		for i := 0; i < 50; i++ {
			members = append(members, member(t, s, "M"))
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		got := map[string]int{}
		start := make(chan struct{})
		for _, m := range members {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, err := s.Enrol(ctx, store.EnrolInput{SessionID: cs.ID, MemberID: m.ID})
				key := "ok"
				if err != nil {
					key = err.Error()
				}
				mu.Lock()
				got[key]++
				mu.Unlock()
			}()
		}
		close(start)
		wg.Wait()
		if got["ok"] != 1 || got[store.ErrSessionFull.Error()] != 49 {
			t.Fatalf("want 1 seat and 49 full, got %v", got)
		}
		rows, _ := s.SessionEnrolments(ctx, cs.ID)
		if len(rows) != 1 {
			t.Fatalf("%d enrolments for 1 seat", len(rows))
		}
	})
}

func TestSeriesIsAllOrNothing(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		st, now := labFixture(t, s, 1)
		c := course(t, s, st, store.CourseSeries)
		var ss []*store.CourseSession
		for i := 1; i <= 3; i++ {
			ss = append(ss, session(t, s, c, now.Add(time.Duration(i)*24*time.Hour), 2))
		}
		a, b, d := member(t, s, "A"), member(t, s, "B"), member(t, s, "D")
		for _, m := range []*store.Member{a, b} {
			if st, err := s.Enrol(ctx, store.EnrolInput{SessionID: ss[1].ID, MemberID: m.ID}); err != nil || st != store.Enrolled {
				t.Fatalf("%s: %v %v", m.Nickname, st, err)
			}
		}
		if es, _ := s.UpcomingEnrolments(ctx, a.ID); len(es) != 3 {
			t.Fatalf("a series enrols in all 3 sessions, got %d", len(es))
		}
		if st, err := s.Enrol(ctx, store.EnrolInput{SessionID: ss[0].ID, MemberID: d.ID, Wait: true}); err != nil || st != store.Waiting {
			t.Fatalf("D: %v %v", st, err)
		}
		for _, x := range ss {
			if got, _ := s.Session(ctx, x.ID); got.Taken != 2 {
				t.Fatalf("session %d taken %d", x.ID, got.Taken)
			}
		}
		es, _ := s.UpcomingEnrolments(ctx, a.ID)
		if err := s.CancelEnrolment(ctx, es[2].ID, a.ID); err != nil {
			t.Fatal(err)
		}
		if es, _ := s.UpcomingEnrolments(ctx, a.ID); len(es) != 0 {
			t.Fatalf("cancelling a series leaves %d", len(es))
		}
		if p, _ := s.NewPlaces(ctx, d.ID); len(p) != 3 {
			t.Fatalf("D gets all three seats, got %d", len(p))
		}
	})
}

func TestAttendanceAndSmileys(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		st, now := labFixture(t, s, 1)
		cs := session(t, s, course(t, s, st, store.CourseOpen), now.Add(24*time.Hour), 5)
		a, b := member(t, s, "A"), member(t, s, "B")
		for _, m := range []*store.Member{a, b} {
			if _, err := s.Enrol(ctx, store.EnrolInput{SessionID: cs.ID, MemberID: m.ID}); err != nil {
				t.Fatal(err)
			}
		}
		// A scans in ten minutes before the start: present. B does not come.
		*now = cs.Start().Add(-10 * time.Minute)
		if _, _, err := s.CheckIn(ctx, a.ID, st); err != nil {
			t.Fatal(err)
		}
		if p, _ := s.PendingRating(ctx, a.ID); p != nil {
			t.Fatal("asked before the session ended")
		}
		// The next day A scans in: the smiley question, once.
		*now = cs.End().Add(20 * time.Hour)
		p, err := s.PendingRating(ctx, a.ID)
		if err != nil || p == nil || p.ID != cs.ID {
			t.Fatalf("pending rating: %v %+v", err, p)
		}
		if p, _ := s.PendingRating(ctx, b.ID); p != nil {
			t.Fatal("B did not come and is asked anyway")
		}
		if err := s.Rate(ctx, cs.ID, b.ID, 4); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("B rates a session they missed: %v", err)
		}
		if err := s.Rate(ctx, cs.ID, a.ID, 7); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("score 7: %v", err)
		}
		if err := s.Rate(ctx, cs.ID, a.ID, 4); err != nil {
			t.Fatal(err)
		}
		if err := s.Rate(ctx, cs.ID, a.ID, 1); err != nil {
			t.Fatal(err)
		}
		if p, _ := s.PendingRating(ctx, a.ID); p != nil {
			t.Fatal("asked twice")
		}
		r, _ := s.SessionRatings(ctx, cs.ID)
		if r != [5]int{0, 0, 0, 0, 1} {
			t.Fatalf("ratings: %v", r)
		}
		att, _ := s.MemberAttendance(ctx, b.ID, st.ID)
		if len(att) != 1 || att[0].AttendedAt != nil {
			t.Fatalf("B's attendance: %+v", att)
		}
		if att, _ := s.MemberAttendance(ctx, b.ID, st.ID+1); len(att) != 0 {
			t.Fatalf("B's attendance at another site: %+v", att)
		}
	})
}

func TestNextSessionPerCourse(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		st, now := labFixture(t, s, 1)
		a := course(t, s, st, store.CourseOpen)
		full := session(t, s, a, now.Add(24*time.Hour), 1)
		free := session(t, s, a, now.Add(48*time.Hour), 1)
		session(t, s, a, now.Add(72*time.Hour), 1)
		b := course(t, s, st, store.CourseOneOff)
		onlyFull := session(t, s, b, now.Add(36*time.Hour), 1)
		for _, x := range []*store.CourseSession{full, onlyFull} {
			if _, err := s.Enrol(ctx, store.EnrolInput{SessionID: x.ID, MemberID: member(t, s, "M").ID}); err != nil {
				t.Fatal(err)
			}
		}
		list, err := s.NextSessions(ctx, st.ID, now.Add(30*24*time.Hour))
		next := list.Sessions
		if err != nil || len(next) != 2 {
			t.Fatalf("next sessions: %v %d", err, len(next))
		}
		if next[0].ID != onlyFull.ID || next[1].ID != free.ID {
			t.Fatalf("want the full one-off (only date) then the first free date, got %d, %d", next[0].ID, next[1].ID)
		}
	})
}
