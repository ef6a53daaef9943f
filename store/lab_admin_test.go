package store_test

import (
	"testing"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
)

func TestBlockSeatsKeepsBookings(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		st, _ := labFixture(t, s, 3)
		slot := at("2026-03-27", "10:00")
		if _, err := s.BookLab(ctx, store.BookInput{Site: st, MemberID: member(t, s, "Jan").ID, Start: slot}); err != nil {
			t.Fatal(err)
		}
		if err := s.BlockSeats(ctx, st, slot, 3); err == nil {
			t.Fatal("blocked a booked seat")
		}
		if err := s.BlockSeats(ctx, st, slot, 2); err != nil {
			t.Fatal(err)
		}
		if _, err := s.BookLab(ctx, store.BookInput{Site: st, MemberID: member(t, s, "Piet").ID, Start: slot}); err != store.ErrSlotFull {
			t.Fatalf("booking a blocked seat: %v", err)
		}
		rows, err := s.LabBookings(ctx, st.ID, slot, slot.Add(3600e9))
		if err != nil || len(rows) != 1 || rows[0].Nickname != "Jan" {
			t.Fatalf("schedule: %v %+v", err, rows)
		}
		free, _ := s.BookableSlots(ctx, st)
		for _, f := range free {
			if f.Start.Equal(slot) {
				t.Fatal("a full slot is offered at the desk")
			}
		}
		if len(free) == 0 {
			t.Fatal("no bookable slots")
		}
	})
}
