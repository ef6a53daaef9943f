package store_test

import (
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
)

// secondServer opens another store on the database s uses, as a second
// Drempel server sharing it: the same SQLite file, or the same PostgreSQL
// database. It shares s's clock.
func secondServer(t testing.TB, s *store.Store) *store.Store {
	t.Helper()
	var cfg store.Config
	switch s.Dialect {
	case "sqlite":
		var rows []struct {
			Seq  int
			Name string
			File string
		}
		if err := s.W.Raw("PRAGMA database_list").Scan(&rows).Error; err != nil || len(rows) == 0 || rows[0].File == "" {
			t.Fatalf("SQLite file: %v %+v", err, rows)
		}
		cfg.DataDir = filepath.Dir(rows[0].File)
	case "postgres":
		var name string
		if err := s.W.Raw("SELECT current_database()").Scan(&name).Error; err != nil {
			t.Fatal(err)
		}
		u, err := url.Parse(os.Getenv("DREMPEL_TEST_POSTGRES_URL"))
		if err != nil {
			t.Fatal(err)
		}
		u.Path = "/" + name
		cfg.DatabaseURL = u.String()
	}
	s2, err := store.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("second server: %v", err)
	}
	t.Cleanup(func() { s2.Close() })
	s2.SetClock(s.Now)
	return s2
}

// Issue 9: a lab setting changed on server 2 is what server 1 shows at its
// next page, whatever server 1 read before.
func TestLabChangeOnOneServerShowsOnAnother(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s1 *store.Store) {
		st, _ := labFixture(t, s1, 4)
		s2 := secondServer(t, s1)
		tomorrow := at("2026-03-27", "12:00")
		day := func(want int) []store.Slot {
			t.Helper()
			slots, err := s1.LabDay(ctx, st, tomorrow)
			if err != nil || len(slots) != want {
				t.Fatalf("server 1: want %d slots, got %d (%v): %+v", want, len(slots), err, slots)
			}
			return slots
		}

		// Server 1 reads the lab: its pages, the greeting, the settings.
		if sl := day(2); sl[0].Seats != 4 {
			t.Fatalf("seats: %+v", sl[0])
		}
		if ok, err := s1.LabBookable(ctx, st.ID); err != nil || !ok {
			t.Fatalf("bookable: %v %v", ok, err)
		}
		if days, err := s1.BookableDays(ctx, st); err != nil || len(days) != 8 {
			t.Fatalf("bookable days: %v %v", days, err)
		}

		// Server 2 changes the seats, the slot length and the horizon.
		lab, err := s2.Lab(ctx, st.ID)
		if err != nil {
			t.Fatal(err)
		}
		lab.Seats, lab.SlotMinutes, lab.HorizonDays = 6, 30, 8
		if err := s2.SaveLab(ctx, lab); err != nil {
			t.Fatal(err)
		}
		sl := day(4)
		if sl[0].Seats != 6 || sl[0].End.Sub(sl[0].Start) != 30*time.Minute {
			t.Fatalf("server 1 after the change: %+v", sl[0])
		}
		if got, _ := s1.Lab(ctx, st.ID); got != lab {
			t.Fatalf("server 1's settings: %+v, want %+v", got, lab)
		}

		// Server 2 changes the weekly hours: Fridays 14:00–15:00 only.
		if err := s2.SetLabHours(ctx, st.ID, []store.LabHours{{Weekday: 5, Opens: 14 * 60, Closes: 15 * 60}}); err != nil {
			t.Fatal(err)
		}
		if sl := day(2); !sl[0].Start.Equal(at("2026-03-27", "14:00")) {
			t.Fatalf("server 1 after new hours: %+v", sl[0])
		}
		if days, _ := s1.BookableDays(ctx, st); len(days) != 2 { // 27 March and, 8 days ahead, 3 April
			t.Fatalf("bookable days after new hours: %v", days)
		}

		// Server 2 blocks seats and closes a day: server 1 counts them.
		if err := s2.BlockSeats(ctx, st, at("2026-03-27", "14:00"), 5); err != nil {
			t.Fatal(err)
		}
		if sl := day(2); sl[0].Blocked != 5 || sl[0].Free() != 1 {
			t.Fatalf("server 1 after blocking: %+v", sl[0])
		}
		// Server 1 books the one seat left; server 2 sees it taken.
		jan := member(t, s1, "Jan")
		if _, err := s1.BookLab(ctx, store.BookInput{Site: st, MemberID: jan.ID, Start: at("2026-03-27", "14:00")}); err != nil {
			t.Fatal(err)
		}
		if sl, _ := s2.LabDay(ctx, st, tomorrow); sl[0].Free() != 0 {
			t.Fatalf("server 2 after server 1's booking: %+v", sl[0])
		}
		if err := s2.CloseLab(ctx, st.ID, "2026-03-27", "Vorming"); err != nil {
			t.Fatal(err)
		}
		day(0)

		// Server 2 makes the lab walk-in only: server 1 stops offering it
		// and refuses a booking.
		lab.Mode = store.LabWalkIn
		if err := s2.SaveLab(ctx, lab); err != nil {
			t.Fatal(err)
		}
		if ok, err := s1.LabBookable(ctx, st.ID); err != nil || ok {
			t.Fatalf("server 1 still offers a walk-in lab: %v %v", ok, err)
		}
		if slots, err := s1.BookableSlots(ctx, st); err != nil || len(slots) != 0 {
			t.Fatalf("server 1's bookable slots: %v %v", len(slots), err)
		}
		piet := member(t, s1, "Piet")
		if _, err := s1.BookLab(ctx, store.BookInput{Site: st, MemberID: piet.ID, Start: at("2026-04-03", "14:00")}); !errors.Is(err, store.ErrNotBookable) {
			t.Fatalf("server 1 booked a walk-in lab: %v", err)
		}

		// Back to bookings with one seat: server 1 decides on it at once.
		lab.Mode, lab.Seats = store.LabBoth, 1
		if err := s2.SaveLab(ctx, lab); err != nil {
			t.Fatal(err)
		}
		friday := at("2026-04-03", "14:00")
		if _, err := s1.BookLab(ctx, store.BookInput{Site: st, MemberID: piet.ID, Start: friday}); err != nil {
			t.Fatal(err)
		}
		if _, err := s1.BookLab(ctx, store.BookInput{Site: st, MemberID: member(t, s1, "Els").ID, Start: friday}); !errors.Is(err, store.ErrSlotFull) {
			t.Fatalf("second booking of a one-seat slot: %v", err)
		}
	})
}

// A site whose lab nobody has set up reads as the defaults without hours,
// and the first settings saved on another server show at once.
func TestLabNeverSavedReadsDefaults(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s1 *store.Store) {
		st := site(t, s1)
		s2 := secondServer(t, s1)
		if lab, err := s1.Lab(ctx, st.ID); err != nil || lab != store.DefaultLab(st.ID) {
			t.Fatalf("defaults: %+v %v", lab, err)
		}
		if ok, err := s1.LabBookable(ctx, st.ID); err != nil || ok {
			t.Fatalf("a lab without hours is bookable: %v %v", ok, err)
		}
		if err := s2.SetLabHours(ctx, st.ID, []store.LabHours{{Weekday: 1, Opens: 600, Closes: 720}, {Weekday: 1, Opens: 480, Closes: 540}}); err != nil {
			t.Fatal(err)
		}
		if ok, err := s1.LabBookable(ctx, st.ID); err != nil || !ok {
			t.Fatalf("hours set on server 2, server 1 says bookable=%v %v", ok, err)
		}
		// Monday 30 March: 08:00 and then 10:00, 11:00, in order.
		slots, err := s1.LabDay(ctx, st, at("2026-03-30", "12:00"))
		if err != nil || len(slots) != 3 || !slots[0].Start.Equal(at("2026-03-30", "08:00")) || !slots[1].Start.Equal(at("2026-03-30", "10:00")) {
			t.Fatalf("monday: %v %+v", err, slots)
		}
		lab := store.DefaultLab(st.ID)
		lab.Seats = 3
		if err := s2.SaveLab(ctx, lab); err != nil {
			t.Fatal(err)
		}
		if got, _ := s1.Lab(ctx, st.ID); got != lab {
			t.Fatalf("first save on server 2: server 1 reads %+v", got)
		}
	})
}

// BenchmarkLabDay is the store's part of the "slots of a day" page: the
// lab's settings and hours, the closures and the counts, as kept while
// nothing changes (a read of the lab's mark).
func BenchmarkLabDay(b *testing.B) {
	for _, kind := range storetest.Kinds {
		b.Run(kind, func(b *testing.B) {
			s := storetest.Open(b, kind)
			st, err := s.EnsureSite(ctx, "Test", "Europe/Brussels")
			if err != nil {
				b.Fatal(err)
			}
			storetest.SeedLabAndCourses(b, s, 0, 0, 0, 0)
			day := time.Now().AddDate(0, 0, 1)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if slots, err := s.LabDay(ctx, st, day); err != nil || len(slots) == 0 {
					b.Fatal(err, len(slots))
				}
			}
		})
	}
}
