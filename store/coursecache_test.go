package store_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
)

// The store keeps the courses it read (coursecache.go): whatever changes
// them, on this server or another of the network, shows at the next read.
func TestCourseChangeOnOneServerShowsOnAnother(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s1 *store.Store) {
		st, now := labFixture(t, s1, 1)
		c := course(t, s1, st, store.CourseOpen)
		first := session(t, s1, c, now.Add(24*time.Hour), 2)
		s2 := secondServer(t, s1)
		horizon := func() time.Time { return s1.Now().Add(30 * 24 * time.Hour) }
		next := func(want int) store.SessionList {
			t.Helper()
			l, err := s1.NextSessions(ctx, st.ID, horizon())
			if err != nil || len(l.Sessions) != want {
				t.Fatalf("server 1's next sessions: %v, want %d: %+v", err, want, l)
			}
			return l
		}
		taken := func(id int64) int {
			t.Helper()
			cs, err := s1.Session(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return cs.Taken
		}

		// Server 1 reads everything once, then again: the same list.
		l := next(1)
		if again := next(1); again.Version != l.Version {
			t.Fatalf("nothing changed, yet the list was read again: version %d then %d", l.Version, again.Version)
		}
		if taken(first.ID) != 0 {
			t.Fatal("taken before anyone enrolled")
		}
		got, err := s1.Course(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		// What a caller does with its copy is not what the next one gets.
		got.Texts["nl"] = store.CourseText{Name: "changed by a caller"}
		if again, _ := s1.Course(ctx, c.ID); again.Name("nl") != "Computerwerkplaats" {
			t.Fatalf("a caller changed the kept course: %q", again.Name("nl"))
		}

		// Server 2 enrols a member: the seat shows taken on server 1.
		if _, err := s2.Enrol(ctx, store.EnrolInput{SessionID: first.ID, MemberID: member(t, s2, "A").ID}); err != nil {
			t.Fatal(err)
		}
		if taken(first.ID) != 1 {
			t.Fatal("server 1 does not see the seat server 2 took")
		}
		if l2 := next(1); l2.Version == l.Version || l2.Sessions[0].Taken != 1 {
			t.Fatalf("server 1's list after server 2's enrolment: %+v", l2)
		}

		// Server 2 renames the course.
		if _, err := s2.SaveCourse(ctx, c.ID, st.ID, store.CourseInput{Kind: store.CourseOpen, Pictogram: "laptop",
			Texts: map[string]store.CourseText{"nl": {Name: "Digitaal café"}}}); err != nil {
			t.Fatal(err)
		}
		if got, err := s1.Course(ctx, c.ID); err != nil || got.Name("nl") != "Digitaal café" {
			t.Fatalf("server 1's course after the rename: %v %+v", err, got)
		}
		if n := next(1).Sessions[0].Course.Name("nl"); n != "Digitaal café" {
			t.Fatalf("server 1's tile after the rename: %q", n)
		}

		// Server 2 adds an earlier date, then changes the first one's seats.
		earlier := session(t, s2, c, now.Add(12*time.Hour), 3)
		if ss, err := s1.CourseSessions(ctx, c.ID); err != nil || len(ss) != 2 || ss[0].ID != earlier.ID {
			t.Fatalf("server 1's dates after server 2 added one: %v %+v", err, ss)
		}
		if v, dates, err := s1.SessionDates(ctx, first.ID); err != nil || len(dates) != 2 || v.Course.Name("nl") != "Digitaal café" {
			t.Fatalf("server 1's session with its dates: %v %d %+v", err, len(dates), v)
		}
		if l := next(1); l.Sessions[0].ID != earlier.ID {
			t.Fatalf("server 1's tile shows session %d, want the earlier %d", l.Sessions[0].ID, earlier.ID)
		}
		if _, err := s2.UpdateSession(ctx, first.ID, store.SessionInput{Start: first.Start(), End: first.Start().Add(time.Hour),
			Place: "Zaal 2", Seats: 5}, false); err != nil {
			t.Fatal(err)
		}
		if cs, err := s1.Session(ctx, first.ID); err != nil || cs.Seats != 5 || cs.Place != "Zaal 2" {
			t.Fatalf("server 1's session after server 2 changed it: %v %+v", err, cs)
		}

		// Time passes: once the earlier date has started, the tile is the
		// next one, with no write in between.
		*now = now.Add(13 * time.Hour)
		if l := next(1); l.Sessions[0].ID != first.ID {
			t.Fatalf("after the earlier date started, the tile shows session %d, want %d", l.Sessions[0].ID, first.ID)
		}

		// Server 2 deletes a date; server 1 no longer finds it.
		if err := s2.DeleteSession(ctx, first.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s1.Session(ctx, first.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("server 1 still finds the deleted session: %v", err)
		}
		next(0)
	})
}

// Every writer of the courses' tables takes the courses' mark first
// (migration 24): enrolling in a series, cancelling and changing the
// seats at once never wait for each other in a circle (PostgreSQL would
// end one of them with "deadlock detected").
func TestCourseWritersAtOnce(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		st, now := labFixture(t, s, 1)
		c := course(t, s, st, store.CourseSeries)
		var ss []*store.CourseSession
		for i := 1; i <= 3; i++ {
			ss = append(ss, session(t, s, c, now.Add(time.Duration(i)*24*time.Hour), 3))
		}
		var members []*store.Member
		for range 12 {
			members = append(members, member(t, s, "M"))
		}
		var wg sync.WaitGroup
		errs := make(chan error, 100)
		start := make(chan struct{})
		for _, m := range members {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				// Sessions in turn, so that the series' rows are taken in
				// different orders.
				if _, err := s.Enrol(ctx, store.EnrolInput{SessionID: ss[int(m.ID)%3].ID, MemberID: m.ID, Wait: true}); err != nil {
					errs <- err
					return
				}
				es, err := s.UpcomingEnrolments(ctx, m.ID)
				if err == nil && len(es) > 0 && m.ID%2 == 0 {
					err = s.CancelEnrolment(ctx, es[len(es)-1].ID, m.ID)
				}
				if err != nil {
					errs <- err
				}
			}()
		}
		for i, x := range ss {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				for seats := 2; seats <= 6; seats++ {
					if _, err := s.UpdateSession(ctx, x.ID, store.SessionInput{Start: x.Start(), End: x.Start().Add(time.Hour),
						Seats: seats + i%2}, true); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})
}

// A statement that changes nothing sets no mark: on PostgreSQL the
// triggers run once per statement, changed rows or not, and every
// check-in and greeting asks whether the member has a course place to
// mark as attended or a new place to show.
func TestQuietWritesLeaveTheMark(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		st, now := labFixture(t, s, 1)
		c := course(t, s, st, store.CourseOpen)
		later := session(t, s, c, now.Add(72*time.Hour), 3)
		m := member(t, s, "A")
		if _, err := s.Enrol(ctx, store.EnrolInput{SessionID: later.ID, MemberID: m.ID}); err != nil {
			t.Fatal(err)
		}
		mark := func() int64 {
			var n int64
			if err := s.W.Raw("SELECT mark FROM change_marks WHERE name = 'courses'").Scan(&n).Error; err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := mark()
		if _, _, err := s.CheckIn(ctx, m.ID, st); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkPlacesSeen(ctx, m.ID); err != nil {
			t.Fatal(err)
		}
		if mark() != before {
			t.Fatal("a check-in with no course on now, and no new place to show, set the courses' mark")
		}
	})
}

// Enrolling locks the member, then takes the courses' mark; a walk-in
// takes the mark, then inserts a place that refers to the member. The
// member's lock must not stop that insert, or the two wait for each other
// (PostgreSQL: "deadlock detected").
func TestEnrolAndWalkInAtOnce(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		st, now := labFixture(t, s, 1)
		c := course(t, s, st, store.CourseOpen)
		on := session(t, s, c, now.Add(-30*time.Minute), 40)
		var errs []error
		var mu sync.Mutex
		for i := range 15 {
			m := member(t, s, "M")
			later := session(t, s, c, now.Add(time.Duration(24+i)*time.Hour), 40)
			var wg sync.WaitGroup
			start := make(chan struct{})
			wg.Add(2)
			go func() {
				defer wg.Done()
				<-start
				if _, err := s.Enrol(ctx, store.EnrolInput{SessionID: later.ID, MemberID: m.ID}); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}()
			go func() {
				defer wg.Done()
				<-start
				if err := s.AddWalkIn(ctx, on.ID, m.ID, nil); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}()
			close(start)
			wg.Wait()
		}
		for _, err := range errs {
			t.Error(err)
		}
	})
}
