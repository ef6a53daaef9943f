package admin_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/admin"
	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
	"github.com/drempel/drempel/web"
	"github.com/drempel/drempel/web/webtest"
)

// BenchmarkFiguresPage is issue 11's acceptance 5 as a user meets it: an
// admin opens this year's figures for the network (GET
// /admin/figures?range=year&scope=network: the year and the one before,
// masked against each site's own) over 100,000 members and 1,000,000
// visits at four sites, with courses, attendance and smileys
// (storetest.SeedFiguresLoad). It prints the page's time next to a bare
// COUNT(*) over the same visits. Run it with
//
//	go test ./admin -run '^$' -bench FiguresPage -benchtime 10x
//
// and DREMPEL_BENCH_DB=postgres (with DREMPEL_TEST_POSTGRES_URL) for
// PostgreSQL.
func BenchmarkFiguresPage(b *testing.B) {
	kind := "sqlite"
	if k := os.Getenv("DREMPEL_BENCH_DB"); k != "" {
		kind = k
	}
	st := storetest.Open(b, kind)
	sites := storetest.SeedFiguresLoad(b, st, 100_000, 10)
	if _, err := st.CreateUser(ctx, store.UserInput{Email: "admin@test.be", Role: store.RoleAdmin, Password: pw}); err != nil {
		b.Fatal(err)
	}
	app := webtest.NewApp(b, func(app *fiber.App, w *web.Web) {
		admin.Mount(app, st, w, admin.Options{LoginPerMinute: 30, Log: quiet})
	})
	c := webtest.NewClient(b, app)
	c.Lang = "nl-BE"
	c.Get("/admin/login")
	if r := c.Post("/admin/login", webtest.Form("email", "admin@test.be", "password", pw)); r.Status != 303 {
		b.Fatalf("sign in: %d", r.Status)
	}

	// The baseline: a bare count of the year's visits.
	year, _ := store.NamedPeriod("year", st.Now(), sites[0].Location())
	from, to := year.Days()
	var rows int64
	const runs = 5
	bare := time.Duration(1 << 62)
	for range runs {
		t0 := time.Now()
		if err := st.R.Raw("SELECT COUNT(*) FROM visits WHERE day >= ? AND day < ?", from, to).Scan(&rows).Error; err != nil {
			b.Fatal(err)
		}
		bare = min(bare, time.Since(t0))
	}

	const page = "/admin/figures?range=year&scope=network"
	var r webtest.Response
	best := time.Duration(1 << 62)
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		r = c.Get(page)
		best = min(best, time.Since(t0))
		if r.Status != 200 {
			b.Fatalf("%s: %d", page, r.Status)
		}
	}
	b.StopTimer()
	if !strings.Contains(r.Body, `id="f-people"`) {
		b.Fatalf("%s has no people figures", page)
	}
	per := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(float64(per.Microseconds())/1000, "ms/page")
	b.ReportMetric(float64(best.Microseconds())/1000, "ms/best-page")
	b.ReportMetric(float64(bare.Microseconds())/1000, "ms/bare-count")
	b.Logf("%s: the network's figures page for this year (%s to %s, and the year before): %v a page (best %v); a bare COUNT(*) over the year's %d visits: %v (best of %d)",
		kind, from, to, per, best, rows, bare, runs)
}
