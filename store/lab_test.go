package store_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
)

var brussels, _ = time.LoadLocation("Europe/Brussels")

// labFixture: a lab open every day 10:00–12:00 local, hourly slots, and a
// clock on Thursday 26 March 2026, 08:00 UTC (09:00 in Brussels).
func labFixture(t *testing.T, s *store.Store, seats int) (*store.Site, *time.Time) {
	t.Helper()
	st := site(t, s)
	lab := store.DefaultLab(st.ID)
	lab.Seats = seats
	if err := s.SaveLab(ctx, lab); err != nil {
		t.Fatal(err)
	}
	var hours []store.LabHours
	for d := 0; d < 7; d++ {
		hours = append(hours, store.LabHours{Weekday: d, Opens: 10 * 60, Closes: 12 * 60})
	}
	if err := s.SetLabHours(ctx, st.ID, hours); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 26, 8, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	return st, &now
}

func at(day, hhmm string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", day+" "+hhmm, brussels)
	if err != nil {
		panic(err)
	}
	return t
}

func member(t *testing.T, s *store.Store, name string) *store.Member {
	t.Helper()
	m, err := s.CreateMember(ctx, store.MemberInput{Nickname: name, Lang: "nl"})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestLabSlotsFollowTheWallClock(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		st, _ := labFixture(t, s, 4)
		// Saturday before the clocks change (UTC+1), and the Sunday they
		// change (UTC+2): the lab opens at 10:00 on the wall both days.
		sat, err := s.LabDay(ctx, st, at("2026-03-28", "12:00"))
		if err != nil || len(sat) != 2 {
			t.Fatalf("saturday: %v %d slots", err, len(sat))
		}
		sun, err := s.LabDay(ctx, st, at("2026-03-29", "12:00"))
		if err != nil || len(sun) != 2 {
			t.Fatalf("sunday: %v %d slots", err, len(sun))
		}
		if got := sat[0].Start.Format(time.RFC3339); got != "2026-03-28T09:00:00Z" {
			t.Errorf("saturday 10:00 is %s", got)
		}
		if got := sun[0].Start.Format(time.RFC3339); got != "2026-03-29T08:00:00Z" {
			t.Errorf("sunday 10:00 is %s", got)
		}
		if sun[0].Free() != 4 {
			t.Errorf("free seats: %d", sun[0].Free())
		}
		if err := s.CloseLab(ctx, st.ID, "2026-03-28", "Paasmarkt"); err != nil {
			t.Fatal(err)
		}
		if sat, _ := s.LabDay(ctx, st, at("2026-03-28", "12:00")); len(sat) != 0 {
			t.Error("a closed day has slots")
		}
		days, err := s.BookableDays(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		// Today (26th) to the horizon of 7 days, minus the closed 28th.
		if len(days) != 7 || days[2].Format("2006-01-02") != "2026-03-29" {
			t.Errorf("bookable days: %v", days)
		}
	})
}

func TestBookingRules(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		st, now := labFixture(t, s, 4)
		jan := member(t, s, "Jan")
		book := func(m *store.Member, start time.Time) error {
			_, err := s.BookLab(ctx, store.BookInput{Site: st, MemberID: m.ID, Start: start})
			return err
		}
		cases := []struct {
			name  string
			start time.Time
			want  error
		}{
			{"tomorrow 10:00", at("2026-03-27", "10:00"), nil},
			{"the same again", at("2026-03-27", "10:00"), store.ErrAlreadyBooked},
			{"not on the hour", at("2026-03-27", "10:30"), store.ErrNotOpen},
			{"before opening", at("2026-03-27", "09:00"), store.ErrNotOpen},
			{"yesterday", at("2026-03-25", "10:00"), store.ErrSlotPast},
			{"beyond the horizon", at("2026-04-03", "10:00"), store.ErrBeyondHorizon},
			{"second booking", at("2026-03-27", "11:00"), nil},
			{"third booking", at("2026-03-28", "10:00"), store.ErrTooManyBookings},
		}
		for _, c := range cases {
			if err := book(jan, c.start); !errors.Is(err, c.want) {
				t.Errorf("%s: want %v, got %v", c.name, c.want, err)
			}
		}
		bs, _ := s.UpcomingBookings(ctx, jan.ID)
		if len(bs) != 2 {
			t.Fatalf("want 2 bookings, got %d", len(bs))
		}
		// Another member cannot cancel Jan's booking; Jan can.
		piet := member(t, s, "Piet")
		if err := s.CancelBooking(ctx, bs[0].ID, piet.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("someone else's booking: %v", err)
		}
		if err := s.CancelBooking(ctx, bs[0].ID, jan.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.CancelBooking(ctx, bs[0].ID, jan.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("cancel twice: %v", err)
		}
		slots, _ := s.LabDay(ctx, st, at("2026-03-27", "12:00"))
		if slots[0].Taken != 0 || slots[1].Taken != 1 {
			t.Fatalf("seats after cancel: %+v", slots)
		}
		// Now a third booking fits again.
		if err := book(jan, at("2026-03-28", "10:00")); err != nil {
			t.Fatal(err)
		}
		// Today's 10:00 slot can be booked until 10:30, not after.
		*now = at("2026-03-26", "10:29").UTC()
		if err := book(piet, at("2026-03-26", "10:00")); err != nil {
			t.Fatalf("current slot: %v", err)
		}
		*now = at("2026-03-26", "10:31").UTC()
		if err := book(piet, at("2026-03-26", "11:00")); err != nil {
			t.Fatal(err)
		}
		if err := book(member(t, s, "Els"), at("2026-03-26", "10:00")); !errors.Is(err, store.ErrSlotPast) {
			t.Fatalf("half-gone slot: %v", err)
		}
		walkin := store.DefaultLab(st.ID)
		walkin.Mode = store.LabWalkIn
		s.SaveLab(ctx, walkin)
		if err := book(member(t, s, "Bo"), at("2026-03-27", "10:00")); !errors.Is(err, store.ErrNotBookable) {
			t.Fatalf("walk-in only lab: %v", err)
		}
	})
}

// 50 kiosks and desks press "book" on the last seat at the same moment:
// one gets it, 49 are told it was just taken.
func TestLastSeatUnderConcurrency(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		st, _ := labFixture(t, s, 3)
		slot := at("2026-03-27", "10:00")
		for _, n := range []string{"A", "B"} {
			if _, err := s.BookLab(ctx, store.BookInput{Site: st, MemberID: member(t, s, n).ID, Start: slot}); err != nil {
				t.Fatal(err)
			}
		}
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
				_, err := s.BookLab(ctx, store.BookInput{Site: st, MemberID: m.ID, Start: slot})
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
		if got["ok"] != 1 || got[store.ErrSlotFull.Error()] != 49 {
			t.Fatalf("want 1 success and 49 full, got %v", got)
		}
		slots, _ := s.LabDay(ctx, st, slot)
		if slots[0].Taken != 3 || slots[0].Free() != 0 {
			t.Fatalf("slot after the race: %+v", slots[0])
		}
		var n int64
		s.R.Model(&store.Booking{}).Where("starts_at = ? AND status = ?", slot.Unix(), store.BookingBooked).Count(&n)
		if n != 3 {
			t.Fatalf("%d bookings for 3 seats", n)
		}
	})
}

// One member pressing on twenty slots at once still holds at most their
// allowed number of bookings.
func TestMaxBookingsUnderConcurrency(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		st, _ := labFixture(t, s, 5)
		m := member(t, s, "Jan")
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok := 0
		for d := 0; d < 7; d++ {
			for _, hh := range []string{"10:00", "11:00"} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					day := time.Date(2026, 3, 27+d, 12, 0, 0, 0, brussels).Format("2006-01-02")
					if _, err := s.BookLab(ctx, store.BookInput{Site: st, MemberID: m.ID, Start: at(day, hh)}); err == nil {
						mu.Lock()
						ok++
						mu.Unlock()
					}
				}()
			}
		}
		wg.Wait()
		if ok != 2 {
			t.Fatalf("want 2 bookings (the maximum), got %d", ok)
		}
	})
}

func TestAttendanceAndNoShows(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		st, now := labFixture(t, s, 2)
		jan, piet := member(t, s, "Jan"), member(t, s, "Piet")
		for _, m := range []*store.Member{jan, piet} {
			if _, err := s.BookLab(ctx, store.BookInput{Site: st, MemberID: m.ID, Start: at("2026-03-26", "10:00")}); err != nil {
				t.Fatal(err)
			}
		}
		// Jan scans in at 09:50: attended. Piet does not come.
		*now = at("2026-03-26", "09:50").UTC()
		if _, _, err := s.CheckIn(ctx, jan.ID, st); err != nil {
			t.Fatal(err)
		}
		*now = at("2026-03-26", "10:14").UTC()
		if n, err := s.ReleaseNoShows(ctx); err != nil || n != 0 {
			t.Fatalf("released within the grace time: %d %v", n, err)
		}
		*now = at("2026-03-26", "10:15").UTC()
		if n, err := s.ReleaseNoShows(ctx); err != nil || n != 1 {
			t.Fatalf("want Piet's booking released, got %d %v", n, err)
		}
		slots, _ := s.LabDay(ctx, st, *now)
		if slots[0].Taken != 1 || slots[0].Free() != 1 {
			t.Fatalf("the released seat is free for a walk-in: %+v", slots[0])
		}
		bs, _ := s.UpcomingBookings(ctx, jan.ID)
		if len(bs) != 1 || bs[0].Status != store.BookingAttended {
			t.Fatalf("Jan's booking: %+v", bs)
		}
		if n, _ := s.NoShows(ctx, piet.ID, st.ID); n != 1 {
			t.Fatalf("Piet's no-shows: %d", n)
		}
		if n, _ := s.NoShows(ctx, piet.ID, st.ID+1); n != 0 {
			t.Fatalf("Piet's no-shows at another site: %d", n)
		}
	})
}
