package store_test

import (
	"os"
	"testing"
	"time"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
)

// BenchmarkYearFigures counts a year's figures for the network over
// 100,000 members and 1,000,000 visits at four sites, with courses,
// attendance and smileys (storetest.SeedFiguresLoad; issue 11: under 200
// ms), and prints the time next to a bare COUNT(*) over the same visit
// rows, which is the floor any figure over those rows stands on. Run it
// with
//
//	go test ./store -run '^$' -bench YearFigures -benchtime 10x
//
// and DREMPEL_BENCH_DB=postgres (with DREMPEL_TEST_POSTGRES_URL) for
// PostgreSQL.
func BenchmarkYearFigures(b *testing.B) {
	kind := "sqlite"
	if k := os.Getenv("DREMPEL_BENCH_DB"); k != "" {
		kind = k
	}
	s := storetest.Open(b, kind)
	sites := storetest.SeedFiguresLoad(b, s, 100_000, 10)
	var err error
	var ids []int64
	for _, site := range sites {
		ids = append(ids, site.ID)
	}
	loc := sites[0].Location()
	today := time.Now().In(loc)
	to := time.Date(today.Year(), today.Month(), today.Day()+1, 0, 0, 0, 0, loc)
	p := store.Period{From: to.AddDate(-1, 0, 0), To: to}
	from, until := p.Days()

	// The baseline: a bare count of the same visit rows.
	var rows int64
	count := func() {
		if err := s.R.Raw("SELECT COUNT(*) FROM visits WHERE day >= ? AND day < ?", from, until).Scan(&rows).Error; err != nil {
			b.Fatal(err)
		}
	}
	count()
	if rows != 1_000_000 {
		b.Fatalf("the year holds %d visits, want 1,000,000", rows)
	}
	const runs = 5
	bare := time.Duration(1 << 62)
	for range runs {
		t0 := time.Now()
		count()
		bare = min(bare, time.Since(t0))
	}

	var f *store.Figures
	b.ResetTimer()
	for b.Loop() {
		if f, err = s.PeriodFigures(ctx, ids, p); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	per := b.Elapsed() / time.Duration(b.N)
	if f.Visits != 1_000_000 || f.Participants != 100_000 {
		b.Fatalf("figures: %d visits, %d participants", f.Visits, f.Participants)
	}
	// The page counts the year before too, side by side, for the network
	// as masked against each site.
	both := time.Duration(1 << 62)
	for range runs {
		t0 := time.Now()
		errs := make(chan error, 2)
		for _, q := range []store.Period{p, p.Previous()} {
			go func() {
				_, _, err := s.NetworkFigures(ctx, ids, q)
				errs <- err
			}()
		}
		for range 2 {
			if err := <-errs; err != nil {
				b.Fatal(err)
			}
		}
		both = min(both, time.Since(t0))
	}
	b.ReportMetric(float64(per.Microseconds())/1000, "ms/year")
	b.ReportMetric(float64(both.Microseconds())/1000, "ms/year+previous")
	b.ReportMetric(float64(bare.Microseconds())/1000, "ms/bare-count")
	b.Logf("%s: a year's figures: %v; with the year before (as the page counts them): %v; a bare COUNT(*) over the same %d visits: %v (best of %d)",
		kind, per, both, rows, bare, runs)
	b.Logf("the year: %d participants (%d new), %d visits over %d months, %d course participants (%d helped, %d completed), by age band %v",
		f.Participants, f.NewParticipants, f.Visits, len(f.Months), f.Support.Participants, f.Support.Helped, f.Support.Completed, f.ByAgeBand)
}
