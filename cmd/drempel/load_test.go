package main

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
)

// loadSize is the database the load benchmark runs on: the issue's
// 100,000 members and 1,000,000 past visits, or a small one with -short.
func loadSize() (members, visitsPer, saturate int, paced time.Duration) {
	if testing.Short() {
		return 5_000, 10, 2_500, 3 * time.Second
	}
	return 100_000, 10, 20_000, 10 * time.Second
}

const kiosks = 200

// BenchmarkCheckInLoad starts the real drempel binary on a seeded SQLite
// database and checks members in from 200 concurrent kiosks over loopback
// HTTP. A check-in is the scan POST (the visit is stored) and the greeting
// GET. It runs two phases:
//
//   - saturation: every kiosk scans again as soon as it is greeted, which
//     gives the most check-ins per second the machine can store. Next to
//     it, in the same run, the baseline: a bare loop of durable single-row
//     SQLite inserts with the same connection settings.
//   - paced: every kiosk scans about once a second (already far busier
//     than a real entrance), which gives the latency a visitor sees.
//
// The load generator runs on the same two cores as the server, so the
// figures are a floor, not a ceiling.
func BenchmarkCheckInLoad(b *testing.B) {
	members, visitsPer, saturate, paced := loadSize()
	dir := b.TempDir()

	st, err := store.Open(context.Background(), store.Config{DataDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	t0 := time.Now()
	tokens := storetest.SeedLoad(b, st, members, visitsPer)
	st.Close()
	b.Logf("seeded %d members and %d visits in %s", members, members*visitsPer, time.Since(t0).Round(time.Second))

	baseline := baselineInserts(b, filepath.Join(b.TempDir(), "baseline.db"), 2_000)

	srv := startBinary(b, dir)
	defer srv.stop()
	// Idle: after start-up and one page, before the load.
	get(b, http.DefaultClient, srv.base+"/kiosk")
	time.Sleep(500 * time.Millisecond)
	idleRSS := rssMB(b, srv.cmd.Process.Pid)
	idleAnon, idleFile := rssParts(srv.cmd.Process.Pid)
	var peakRSS atomic.Uint64
	var peakAnon, peakFile float64 // written by the sampler only, read after it stops
	done, sampled := make(chan struct{}), make(chan struct{})
	go func() { // sample the server's memory during the load
		defer close(sampled)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if r := uint64(rssMB(b, srv.cmd.Process.Pid) * 1024); r > peakRSS.Load() {
					peakRSS.Store(r)
					peakAnon, peakFile = rssParts(srv.cmd.Process.Pid)
				}
			}
		}
	}()

	b.ResetTimer()
	var next atomic.Int64
	sat := runKiosks(b, srv.base, tokens, &next, int64(saturate), 0, 0)
	pacedRes := runKiosks(b, srv.base, tokens, &next, int64(len(tokens)), paced, time.Second)
	b.StopTimer()
	close(done)
	<-sampled
	peak := float64(peakRSS.Load()) / 1024

	perSec := float64(len(sat.full)) / sat.elapsed.Seconds()
	ratio := perSec / baseline
	b.ReportMetric(perSec, "checkins/s")
	b.ReportMetric(baseline, "baseline-inserts/s")
	b.ReportMetric(ratio*100, "%-of-baseline")
	b.ReportMetric(ms(pct(pacedRes.greet, 99)), "greeting-p99-ms")
	b.ReportMetric(ms(pct(sat.greet, 99)), "saturated-greeting-p99-ms")
	b.ReportMetric(idleRSS, "rss-idle-MB")
	b.ReportMetric(peak, "rss-load-MB")
	fmt.Printf("\nCheck-in load: %d members, %d past visits, %d concurrent kiosks (SQLite, synchronous=FULL)\n",
		members, members*visitsPer, kiosks)
	fmt.Printf("  baseline, durable single-row SQLite inserts: %7.0f /s\n", baseline)
	fmt.Printf("  saturation: %d check-ins in %s = %.0f /s = %.0f %% of baseline (target >= 100 %%, issue 13)\n",
		len(sat.full), sat.elapsed.Round(time.Millisecond), perSec, ratio*100)
	fmt.Printf("    greeting p50 %.2f ms  p99 %.2f ms; whole check-in p50 %.2f ms  p99 %.2f ms (queueing: every kiosk scans non-stop)\n",
		ms(pct(sat.greet, 50)), ms(pct(sat.greet, 99)), ms(pct(sat.full, 50)), ms(pct(sat.full, 99)))
	fmt.Printf("  paced, one scan per kiosk per second: %d check-ins in %s\n", len(pacedRes.full), pacedRes.elapsed.Round(time.Millisecond))
	fmt.Printf("    greeting p50 %.2f ms  p95 %.2f ms  p99 %.2f ms (target p99 < 10 ms); whole check-in p99 %.2f ms\n",
		ms(pct(pacedRes.greet, 50)), ms(pct(pacedRes.greet, 95)), ms(pct(pacedRes.greet, 99)), ms(pct(pacedRes.full, 99)))
	fmt.Printf("  server resident memory: idle %.1f MB (target <= 30), peak under load %.1f MB (target <= 60)\n", idleRSS, peak)
	fmt.Printf("    of which the binary's own pages and other files: idle %.1f MB, at the peak %.1f MB; the rest (heaps, stacks, SQLite's caches): %.1f MB, %.1f MB\n\n",
		idleFile, peakFile, idleAnon, peakAnon)
}

type loadResult struct {
	greet, full []time.Duration
	elapsed     time.Duration
}

// runKiosks runs 200 kiosks until limit check-ins were made or, when
// duration is set, until it is over; each kiosk waits about think between
// its check-ins (0: none).
func runKiosks(b *testing.B, base string, tokens []string, next *atomic.Int64, limit int64, duration, think time.Duration) loadResult {
	var mu sync.Mutex
	var res loadResult
	var failures atomic.Int64
	limit = min(limit, int64(len(tokens)))
	start := time.Now()
	var wg sync.WaitGroup
	for k := 0; k < kiosks; k++ {
		wg.Add(1)
		go func(k int) {
			defer wg.Done()
			cl := kioskClient()
			page := get(b, cl, base+"/kiosk")
			csrf := csrfRe.FindStringSubmatch(page)[1]
			var greet, full []time.Duration
			if think > 0 { // spread the kiosks over the first second
				time.Sleep(time.Duration(k) * think / kiosks)
			}
			for duration == 0 || time.Since(start) < duration {
				i := next.Add(1) - 1
				if i >= limit {
					break
				}
				t1 := time.Now()
				r, err := cl.PostForm(base+"/kiosk/scan", url.Values{"_csrf": {csrf}, "token": {tokens[i]}})
				if err != nil || r.StatusCode != http.StatusSeeOther {
					failures.Add(1)
					if r != nil {
						r.Body.Close()
					}
					continue
				}
				io.Copy(io.Discard, r.Body)
				r.Body.Close()
				t2 := time.Now()
				body := get(b, cl, base+"/kiosk/home")
				t3 := time.Now()
				if !strings.Contains(body, fmt.Sprintf("\u2068Member %d\u2069", i)) {
					failures.Add(1)
				}
				greet = append(greet, t3.Sub(t2))
				full = append(full, t3.Sub(t1))
				if think > 0 {
					time.Sleep(think - t3.Sub(t1)%think)
				}
			}
			mu.Lock()
			res.greet = append(res.greet, greet...)
			res.full = append(res.full, full...)
			mu.Unlock()
		}(k)
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	if f := failures.Load(); f > 0 {
		b.Fatalf("%d check-ins failed", f)
	}
	return res
}

var csrfRe = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func kioskClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{
		Jar:       jar,
		Transport: &http.Transport{MaxIdleConnsPerHost: 4},
		// The benchmark times the scan and the greeting separately.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       30 * time.Second,
	}
}

func get(b *testing.B, cl *http.Client, u string) string {
	res, err := cl.Get(u)
	if err != nil {
		b.Error(err)
		return ""
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		b.Errorf("GET %s: %d", u, res.StatusCode)
	}
	return string(body)
}

// baselineInserts measures n autocommitted single-row inserts on a fresh
// SQLite file opened with the store's own writer settings.
func baselineInserts(b *testing.B, path string, n int) float64 {
	db, err := sql.Open("sqlite3", store.SQLiteBaselineDSN(path))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, member_id BIGINT NOT NULL, day TEXT NOT NULL, at DATETIME NOT NULL)"); err != nil {
		b.Fatal(err)
	}
	stmt, err := db.Prepare("INSERT INTO t (member_id, day, at) VALUES (?, ?, ?)")
	if err != nil {
		b.Fatal(err)
	}
	defer stmt.Close()
	start := time.Now()
	for i := 0; i < n; i++ {
		if _, err := stmt.Exec(i, "2026-11-23", time.Now()); err != nil {
			b.Fatal(err)
		}
	}
	return float64(n) / time.Since(start).Seconds()
}

type server struct {
	cmd  *exec.Cmd
	base string
}

func (s *server) stop() {
	s.cmd.Process.Signal(os.Interrupt)
	s.cmd.Wait()
}

// startBinary builds drempel (or takes DREMPEL_BIN) and runs it on a free
// loopback port with the given data directory.
func startBinary(b *testing.B, dataDir string) *server {
	bin := os.Getenv("DREMPEL_BIN")
	if bin == "" {
		bin = filepath.Join(b.TempDir(), "drempel")
		out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
		if err != nil {
			b.Fatalf("build: %v\n%s", err, out)
		}
	}
	cmd := exec.Command(bin, "serve", "--data", dataDir, "--addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "DREMPEL_DATABASE_URL=")
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	re := regexp.MustCompile(`kiosk (http://\S+)/kiosk`)
	for sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			go io.Copy(io.Discard, stdout)
			return &server{cmd: cmd, base: m[1]}
		}
	}
	cmd.Process.Kill()
	b.Fatal("the server did not start")
	return nil
}

// rssMB reads a process's resident memory from /proc.
func rssMB(b *testing.B, pid int) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			f := strings.Fields(line)
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// rssParts splits a process's resident memory (MB) into its private
// pages (heaps, stacks) and the pages of files it maps (its binary).
func rssParts(pid int) (anon, file float64) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case "RssAnon:":
			anon = kb / 1024
		case "RssFile:":
			file = kb / 1024
		}
	}
	return anon, file
}

func pct(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[min(len(s)-1, int(float64(len(s))*p/100))]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
