package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/kiosk"
	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
)

// BenchmarkKioskPagesLoad measures the kiosk's pages on 100,000 members,
// 1,000,000 visits, 200,000 past bookings and 100 course sessions (with
// -short: 5,000, 50,000, 10,000), on SQLite or, with
// DREMPEL_BENCH_DB=postgres, on PostgreSQL:
//
//   - what a visitor waits for when booking: the p99 of "which day?", a
//     day's slots and the courses, from 200 kiosks each opening a page
//     about once a second;
//   - every kiosk page at saturation, next to a bare handler that sends
//     the same bytes from memory behind the same middleware (the kiosk's
//     site, language, CSRF and session): what the HTTP stack can do on
//     this machine. The ratio of the two is the page's own cost; the goal
//     is at least 0.35 for every page (issue 13).
//
// DREMPEL_BENCH_SCALE=10 multiplies the members, visits and bookings.
// The server runs in this process, built as serve builds it, so that
// the bare handlers can be mounted; the clients share its cores.
func BenchmarkKioskPagesLoad(b *testing.B) {
	members, visitsPer, bookings, dur, window := 100_000, 10, 200_000, 12*time.Second, 1500*time.Millisecond
	if testing.Short() {
		members, visitsPer, bookings, dur, window = 5_000, 10, 10_000, 4*time.Second, 300*time.Millisecond
	}
	// DREMPEL_BENCH_SCALE=10 runs it on ten times the members, visits and
	// bookings: a page's cost must not grow with them (issue 13).
	if x, err := strconv.Atoi(os.Getenv("DREMPEL_BENCH_SCALE")); err == nil && x > 1 {
		members, bookings = members*x, bookings*x
	}
	kind := os.Getenv("DREMPEL_BENCH_DB")
	if kind == "" {
		kind = "sqlite"
	}
	ctx := context.Background()
	dir := b.TempDir()
	cfg := store.Config{DataDir: dir}
	if kind == "postgres" {
		cfg = store.Config{DatabaseURL: storetest.NewPostgresDB(b)}
	}
	st, err := store.Open(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	t0 := time.Now()
	tokens := storetest.SeedLoad(b, st, members, visitsPer)
	storetest.SeedLabAndCourses(b, st, members, bookings, 20, 5)
	site, err := st.DefaultSite(ctx)
	if err != nil {
		b.Fatal(err)
	}
	// The services a report can name, as a lab keeps them.
	for _, name := range []string{"OCMW", "Mutualiteit", "VDAB", "Huisvesting"} {
		if _, err := st.AddOrganisation(ctx, site.ID, name, "building"); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("%s: seeded %d members, %d visits, %d bookings, 100 course sessions in %s", kind, members, members*visitsPer, bookings, time.Since(t0).Round(time.Second))

	var bare atomic.Pointer[[]barePage]
	base := serveInProcess(b, st, dir, func(app *fiber.App) {
		// Registered after the kiosk's group, whose middleware covers
		// every /kiosk path, so these pass through it as the pages do.
		app.Get("/kiosk/bare/:i", func(c *fiber.Ctx) error {
			pages := *bare.Load()
			i, err := strconv.Atoi(c.Params("i"))
			if err != nil || i < 0 || i >= len(pages) {
				return fiber.ErrNotFound
			}
			c.Set(fiber.HeaderContentType, pages[i].contentType)
			return c.Send(pages[i].body)
		})
	})
	bare.Store(&[]barePage{})

	bookingLatency(b, base, tokens, site, dur)
	pageRatios(b, base, tokens, site, &bare, window)
}

// serveInProcess serves st as `drempel serve` does, on a free port of the
// loopback, until the benchmark ends.
func serveInProcess(b *testing.B, st *store.Store, dataDir string, mount ...func(*fiber.App)) string {
	tz, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		b.Fatal(err)
	}
	o, ko := serverOptions(st, serveConfig{lang: "nl", idle: 60 * time.Second}, tz, slog.New(slog.NewTextHandler(io.Discard, nil)))
	app, _, err := newServer(context.Background(), st, o, ko, "http://localhost", dataDir, mount...)
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go app.Listener(ln)
	b.Cleanup(func() { app.ShutdownWithTimeout(5 * time.Second) })
	return "http://" + ln.Addr().String()
}

// checkIn makes a kiosk client and checks the member of token in.
func checkIn(b *testing.B, base, token string) *http.Client {
	cl := kioskClient()
	page := get(b, cl, base+"/kiosk")
	m := csrfRe.FindStringSubmatch(page)
	if m == nil {
		b.Fatalf("no CSRF token on the idle page")
	}
	r, err := cl.PostForm(base+"/kiosk/scan", url.Values{"_csrf": {m[1]}, "token": {token}})
	if err != nil || r.StatusCode != http.StatusSeeOther {
		b.Fatalf("check-in: %v %v", r, err)
	}
	r.Body.Close()
	return cl
}

// bookingLatency: 200 kiosks, each checked in, open a booking page about
// once a second; the p99 of each page.
func bookingLatency(b *testing.B, base string, tokens []string, site *store.Site, dur time.Duration) {
	tomorrow := time.Now().In(site.Location()).AddDate(0, 0, 1).Format(time.DateOnly)
	pages := []struct{ name, path, want string }{
		{"which day (7 days of slots)", "/kiosk/lab", "/kiosk/lab/" + tomorrow},
		{"slots of one day", "/kiosk/lab/" + tomorrow, "tile slot"},
		{"upcoming courses", "/kiosk/courses", "Vorming 1"},
	}
	var mu sync.Mutex
	lat := make([][]time.Duration, len(pages))
	var failures atomic.Int64
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for k := 0; k < kiosks; k++ {
		wg.Add(1)
		go func(k int) {
			defer wg.Done()
			cl := checkIn(b, base, tokens[k])
			time.Sleep(time.Duration(k) * time.Second / kiosks)
			mine := make([][]time.Duration, len(pages))
			for i := 0; time.Since(start) < dur; i++ {
				p := pages[(i+k)%len(pages)]
				t1 := time.Now()
				body := get(b, cl, base+p.path)
				d := time.Since(t1)
				if !strings.Contains(body, p.want) {
					failures.Add(1)
				}
				// The first two seconds warm the server up (the kiosks'
				// own check-ins, caches, the runtime); they are not counted.
				if time.Since(start) > 2*time.Second {
					mine[(i+k)%len(pages)] = append(mine[(i+k)%len(pages)], d)
				}
				time.Sleep(time.Second - d%time.Second)
			}
			mu.Lock()
			for i := range pages {
				lat[i] = append(lat[i], mine[i]...)
			}
			mu.Unlock()
		}(k)
	}
	wg.Wait()
	b.StopTimer()
	if f := failures.Load(); f > 0 {
		b.Fatalf("%d page loads failed", f)
	}
	fmt.Printf("\nKiosk booking pages: %d kiosks each opening a page every second (after a 2 s warm-up)\n", kiosks)
	worst := 0.0
	for i, p := range pages {
		p99 := ms(pct(lat[i], 99))
		worst = max(worst, p99)
		fmt.Printf("  %-28s %5d loads  p50 %.2f ms  p95 %.2f ms  p99 %.2f ms (target p99 < 10 ms)\n",
			p.name, len(lat[i]), ms(pct(lat[i], 50)), ms(pct(lat[i], 95)), p99)
	}
	b.ReportMetric(worst, "worst-page-p99-ms")
}

type barePage struct {
	contentType string
	body        []byte
}

// ratioClients is how many clients load a page at once, each on its own
// connection: enough to keep two cores busy.
const ratioClients = 8

// pageRatios loads every kiosk page, then its bare twin, as fast as
// ratioClients clients can, and prints each page's rate as a share of
// its twin's.
func pageRatios(b *testing.B, base string, tokens []string, site *store.Site, bare *atomic.Pointer[[]barePage], window time.Duration) {
	// Visitors checked in (the pages of a member), and kiosks nobody
	// checked in at (the idle screen, reports, help).
	var members, anonymous []*http.Client
	for i := range ratioClients {
		members = append(members, checkIn(b, base, tokens[kiosks+i]))
		anonymous = append(anonymous, kioskClient())
	}
	tomorrow := time.Now().In(site.Location()).AddDate(0, 0, 1).Format(time.DateOnly)
	course := firstLink(b, get(b, members[0], base+"/kiosk/courses"), `/kiosk/courses/\d+`)
	// The report's steps, each the first choice of the one before.
	report := []string{"/kiosk/report"}
	for range 3 {
		last := report[len(report)-1]
		next := firstLink(b, get(b, anonymous[0], base+last), regexp.QuoteMeta(last)+`/[^"/?]+`)
		if strings.HasSuffix(next, "/help") || strings.HasSuffix(next, "/thanks") {
			b.Fatalf("the report's step after %s is %s", last, next)
		}
		report = append(report, next)
	}
	// Members who just made a report, asked whether they want help with
	// it: as many as one kiosk may send reports in a minute. (The thanks
	// after it shows once, by design: it is not loaded again and again.)
	var reported []*http.Client
	for i := range min(ratioClients, kiosk.ReportsPerMinute) {
		cl := checkIn(b, base, tokens[kiosks+ratioClients+i])
		submitReport(b, base, cl, report[3])
		reported = append(reported, cl)
	}
	ticket := askForHelp(b, base, anonymous[0])

	pages := []struct {
		name, path string
		clients    []*http.Client
	}{
		{"idle screen, languages", "/kiosk", anonymous},
		{"greeting", "/kiosk/home", members},
		{"which day", "/kiosk/lab", members},
		{"a day's slots", "/kiosk/lab/" + tomorrow, members},
		{"courses", "/kiosk/courses", members},
		{"one course", course, members},
		{"my bookings", "/kiosk/bookings", members},
		{"report: domain", report[0], anonymous},
		{"report: problem", report[1], anonymous},
		{"report: organisation", report[2], anonymous},
		{"report: words", report[3], anonymous},
		{"report: help?", "/kiosk/report/help", reported},
		{"help: subjects", "/kiosk/help", anonymous},
		{"help: my number", ticket, anonymous},
	}
	// The bare twins send what each page sent.
	var twins []barePage
	for _, p := range pages {
		res, err := p.clients[0].Get(base + p.path)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || len(body) < 500 {
			b.Fatalf("%s (%s): %d, %d bytes", p.name, p.path, res.StatusCode, len(body))
		}
		twins = append(twins, barePage{res.Header.Get("Content-Type"), body})
	}
	bare.Store(&twins)

	fmt.Printf("\nKiosk pages at saturation, %d clients, next to a bare handler sending the same bytes behind the same middleware (goal: ratio >= 0.35)\n", ratioClients)
	worst := 1e9
	for i, p := range pages {
		clients := p.clients
		// Twin, page, twin, page: the better of each, so that a pause of
		// the machine does not decide the ratio.
		var pageRate, bareRate float64
		for range 2 {
			bareRate = max(bareRate, rate(b, clients, base+"/kiosk/bare/"+strconv.Itoa(i), window))
			pageRate = max(pageRate, rate(b, clients, base+p.path, window))
		}
		ratio := pageRate / bareRate
		worst = min(worst, ratio)
		fmt.Printf("  %-24s %7.0f /s  bare %7.0f /s  ratio %.2f  (%5.1f kB)\n", p.name, pageRate, bareRate, ratio, float64(len(twins[i].body))/1024)
	}
	fmt.Println()
	b.ReportMetric(worst, "worst-page-ratio")
}

// rate is how many loads of u a second the clients complete together.
func rate(b *testing.B, clients []*http.Client, u string, d time.Duration) float64 {
	var n, failed atomic.Int64
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for _, cl := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				res, err := cl.Get(u)
				if err != nil {
					failed.Add(1)
					return
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != 200 {
					failed.Add(1)
					return
				}
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	if failed.Load() > 0 {
		b.Fatalf("GET %s failed", u)
	}
	return float64(n.Load()) / d.Seconds()
}

// firstLink is the first href of body that matches pattern whole.
func firstLink(b *testing.B, body, pattern string) string {
	m := regexp.MustCompile(`href="(` + pattern + `)"`).FindStringSubmatch(body)
	if m == nil {
		b.Fatalf("no link like %s", pattern)
	}
	return m[1]
}

// askForHelp asks for help as an anonymous visitor and returns the
// address of the ticket's page.
func askForHelp(b *testing.B, base string, cl *http.Client) string {
	page := get(b, cl, base+"/kiosk/help")
	csrf := csrfRe.FindStringSubmatch(page)
	subject := regexp.MustCompile(`name="subject" value="([^"]+)"`).FindStringSubmatch(page)
	if csrf == nil || subject == nil {
		b.Fatalf("the help page has no subject to choose")
	}
	r, err := cl.PostForm(base+"/kiosk/help", url.Values{"_csrf": {csrf[1]}, "subject": {subject[1]}})
	if err != nil || r.StatusCode != http.StatusSeeOther {
		b.Fatalf("ask for help: %v %v", r, err)
	}
	r.Body.Close()
	return r.Header.Get("Location")
}

// submitReport sends the report of the words page at words, without
// words, as a visitor who skips them.
func submitReport(b *testing.B, base string, cl *http.Client, words string) {
	page := get(b, cl, base+words)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, name := range []string{"_csrf", "domain", "problem", "org"} {
		m := regexp.MustCompile(`name="` + name + `" value="([^"]*)"`).FindStringSubmatch(page)
		if m == nil {
			b.Fatalf("the words page has no %s", name)
		}
		mw.WriteField(name, m[1])
	}
	mw.WriteField("skip", "1")
	mw.Close()
	r, err := cl.Post(base+"/kiosk/report", mw.FormDataContentType(), &body)
	if err != nil || r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/kiosk/report/help" {
		b.Fatalf("report: %v %v", r, err)
	}
	r.Body.Close()
}
