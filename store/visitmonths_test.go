package store_test

import (
	"fmt"
	"testing"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
)

// TestVisitMonthsFollowVisits: whatever writes visits (a check-in, an
// insert of many, a move to another site or day, a delete, a member
// deleted with their visits), visit_months holds exactly the distinct
// member, month and site of the visits, which is what the period figures
// count people from.
func TestVisitMonthsFollowVisits(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		demo, b := storetest.SeedFigures(t, s)
		same := func(step string) {
			t.Helper()
			var diff []struct {
				MemberID, SiteID int64
				Month            string
				N                int
			}
			// Rows on one side only, either way round.
			q := `SELECT member_id, site_id, month, COUNT(*) AS n FROM (
				SELECT member_id, site_id, month FROM visit_months
				UNION ALL SELECT DISTINCT member_id, site_id, substr(day, 1, 7) FROM visits) x
				GROUP BY member_id, site_id, month HAVING COUNT(*) <> 2`
			if err := s.R.Raw(q).Scan(&diff).Error; err != nil {
				t.Fatal(err)
			}
			if len(diff) > 0 {
				t.Fatalf("%s: visit_months differs from the visits in %d rows, such as %+v", step, len(diff), diff[0])
			}
			var n int64
			if err := s.R.Raw("SELECT COUNT(*) FROM visit_months").Scan(&n).Error; err != nil || n == 0 {
				t.Fatalf("%s: %d rows in visit_months (%v)", step, n, err)
			}
		}
		same("the demo")

		var ids []int64
		if err := s.R.Raw("SELECT id FROM members ORDER BY id LIMIT 3").Scan(&ids).Error; err != nil || len(ids) < 3 {
			t.Fatalf("members: %v %v", ids, err)
		}
		exec := func(q string, args ...any) {
			t.Helper()
			if err := s.W.Exec(q, args...).Error; err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		// Two visits in one month at b, then one of them taken away: the
		// month stays; then the other: it goes.
		for _, day := range []string{"2024-03-04", "2024-03-18"} {
			exec("INSERT INTO visits (member_id, site_id, day, checked_in_at) VALUES (?, ?, ?, ?)", ids[0], b.ID, day, storetest.FiguresClock)
		}
		same("two visits in a month")
		exec("DELETE FROM visits WHERE member_id = ? AND day = ?", ids[0], "2024-03-04")
		same("one of the two deleted")
		exec("DELETE FROM visits WHERE member_id = ? AND day = ?", ids[0], "2024-03-18")
		same("both deleted")

		// Moved to another site, and to another day of another month.
		exec("UPDATE visits SET site_id = ? WHERE member_id = ? AND site_id = ?", b.ID, ids[1], demo.ID)
		same("visits moved to another site")
		exec(fmt.Sprintf("UPDATE visits SET day = '2023-12-31' WHERE member_id = %d", ids[1]))
		same("visits moved to another day")

		// A check-in as the kiosk makes it, and a member deleted with
		// their visits.
		if _, _, err := s.CheckIn(ctx, ids[2], b); err != nil {
			t.Fatal(err)
		}
		same("a check-in")
		exec("DELETE FROM members WHERE id = ?", ids[1])
		same("a member deleted")
	})
}
