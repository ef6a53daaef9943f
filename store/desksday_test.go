package store_test

// The desk's day: who checked in today, newest first, capped.

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
)

func TestVisitorsOn(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		// A site far from Brussels: its day is not Brussels' day.
		site, err := s.CreateSite(ctx, store.SiteInput{Name: "Tokio", TimeZone: "Asia/Tokyo"})
		if err != nil {
			t.Fatal(err)
		}
		elsewhere, err := s.CreateSite(ctx, store.SiteInput{Name: "Gent"})
		if err != nil {
			t.Fatal(err)
		}
		defer s.SetClock(time.Now)
		// 23:30 UTC on 1 March is 08:30 on 2 March in Tokyo.
		start := time.Date(2026, 3, 1, 23, 30, 0, 0, time.UTC)
		var ids []int64
		for i := range 5 {
			m, err := s.CreateMember(ctx, store.MemberInput{Nickname: fmt.Sprintf("Bezoeker %d", i), Lang: "nl", SiteID: site.ID, Phone: "0475 00 00 0" + fmt.Sprint(i)})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, m.ID)
			at := start.Add(time.Duration(i) * 17 * time.Minute)
			s.SetClock(func() time.Time { return at })
			if _, _, err := s.CheckIn(ctx, m.ID, site); err != nil {
				t.Fatal(err)
			}
		}
		// Bezoeker 0 comes back: still one visit, at the first time.
		s.SetClock(func() time.Time { return start.Add(3 * time.Hour) })
		if _, _, err := s.CheckIn(ctx, ids[0], site); err != nil {
			t.Fatal(err)
		}
		// Bezoeker 1 checks in at another site too; Bezoeker 4 is erased.
		if _, _, err := s.CheckIn(ctx, ids[1], elsewhere); err != nil {
			t.Fatal(err)
		}
		if err := s.EraseMember(ctx, ids[4]); err != nil {
			t.Fatal(err)
		}

		got, total, err := s.VisitorsOn(ctx, site.ID, "2026-03-02", 200)
		if err != nil {
			t.Fatal(err)
		}
		if total != 4 || len(got) != 4 {
			t.Fatalf("visitors on 2 March in Tokyo: %d of %d, want 4", len(got), total)
		}
		for i, want := range []int{3, 2, 1, 0} { // newest first
			v := got[i]
			if v.MemberID != ids[want] || v.Nickname != fmt.Sprintf("Bezoeker %d", want) {
				t.Errorf("visitor %d: %+v, want Bezoeker %d", i, v, want)
			}
			if at := start.Add(time.Duration(want) * 17 * time.Minute); !v.CheckedInAt.Equal(at) {
				t.Errorf("visitor %d checked in at %v, want %v", i, v.CheckedInAt, at)
			}
		}
		// The cap: the newest ones, and how many in all.
		got, total, err = s.VisitorsOn(ctx, site.ID, "2026-03-02", 2)
		if err != nil || total != 4 || len(got) != 2 || got[0].MemberID != ids[3] {
			t.Fatalf("capped at 2: %+v of %d (%v)", got, total, err)
		}
		// Brussels' date of the same moments is 1 or 2 March: the site's
		// own day counts, and the day before holds nobody.
		if got, total, err := s.VisitorsOn(ctx, site.ID, "2026-03-01", 200); err != nil || total != 0 || len(got) != 0 {
			t.Fatalf("1 March in Tokyo: %+v of %d (%v)", got, total, err)
		}
		// The other site's list has only its own visitor.
		if got, total, err := s.VisitorsOn(ctx, elsewhere.ID, start.Add(3*time.Hour).In(elsewhere.Location()).Format(time.DateOnly), 200); err != nil || total != 1 || got[0].MemberID != ids[1] {
			t.Fatalf("the other site: %+v of %d (%v)", got, total, err)
		}
	})
}
