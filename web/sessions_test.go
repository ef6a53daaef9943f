package web_test

import (
	"context"
	"log/slog"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/admin"
	"github.com/drempel/drempel/kiosk"
	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
	"github.com/drempel/drempel/web"
	"github.com/drempel/drempel/web/webtest"
)

// Sessions in the database: staff stay signed in across a restart and on
// every server of a network. These tests build "servers" the way
// cmd/drempel's newServer does (one Fiber app with the kiosk and the admin
// panel) on one store, and move a browser's cookies between them.

var (
	bg    = context.Background()
	quiet = slog.New(slog.DiscardHandler)
)

const password = "correct horse battery"

// server is one Drempel server on st: a web layer of its own, with its own
// memory, in front of the shared database.
func server(t testing.TB, st *store.Store, o web.Options) *fiber.App {
	t.Helper()
	tz, _ := time.LoadLocation("Europe/Brussels")
	o.TimeZone, o.DefaultLang, o.Log = tz, "nl", quiet
	w, err := web.New(o)
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New(w.Config())
	w.Use(app)
	kiosk.Mount(app, st, w, kiosk.Options{Idle: 60 * time.Second, Log: quiet})
	admin.Mount(app, st, w, admin.Options{LoginPerMinute: 30, Log: quiet})
	return app
}

// seedPeople gives st a site, a staff account and a member with a card.
func seedPeople(t testing.TB, st *store.Store) *store.Member {
	t.Helper()
	if _, err := st.EnsureSite(bg, "Antwerpen", "Europe/Brussels"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateUser(bg, store.UserInput{Email: "staff@test.be", Role: store.RoleStaff, Password: password}); err != nil {
		t.Fatal(err)
	}
	m, err := st.CreateMember(bg, store.MemberInput{Nickname: "Amina", Lang: "nl"})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func signIn(t *testing.T, c *webtest.Client) {
	t.Helper()
	c.Lang = "nl-BE"
	c.Get("/admin/login")
	if r := c.Post("/admin/login", webtest.Form("email", "staff@test.be", "password", password)); r.Status != 303 || r.Location != "/admin" {
		t.Fatalf("sign in: %d %q", r.Status, r.Location)
	}
}

func checkIn(t *testing.T, c *webtest.Client, m *store.Member) {
	t.Helper()
	c.Get("/kiosk")
	if r := c.Post("/kiosk/scan", webtest.Form("token", m.Card.Token)); r.Status != 303 || r.Location != "/kiosk/home" {
		t.Fatalf("scan: %d %q", r.Status, r.Location)
	}
}

func signedIn(t *testing.T, c *webtest.Client, path string) bool {
	t.Helper()
	r := c.Get(path)
	switch {
	case r.Status == 200:
		return true
	case r.Status == 303 && r.Location == "/admin/login":
		return false
	}
	t.Fatalf("GET %s: %d %q", path, r.Status, r.Location)
	return false
}

func greeted(t *testing.T, c *webtest.Client) bool {
	t.Helper()
	r := c.Get("/kiosk/home")
	switch {
	case r.Status == 200 && strings.Contains(r.Body, "Amina"):
		return true
	case r.Status == 303 && r.Location == "/kiosk":
		return false
	}
	t.Fatalf("GET /kiosk/home: %d %q", r.Status, r.Location)
	return false
}

// Two servers behind a load balancer share one database: a staff member
// signed in through the first is signed in at the second, and stays so
// when the first is gone; signing out at one signs out at all.
func TestStaffSessionSharedAcrossServers(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		seedPeople(t, st)
		first := server(t, st, web.Options{Sessions: st.Sessions()})
		second := server(t, st, web.Options{Sessions: st.Sessions()})

		c := webtest.NewClient(t, first)
		signIn(t, c)
		if !signedIn(t, c, "/admin") {
			t.Fatal("not signed in at the server that signed them in")
		}
		if signedIn(t, webtest.NewClient(t, second), "/admin") {
			t.Fatal("a browser without the cookie is signed in")
		}
		c.App = second // the load balancer sends the next request elsewhere
		if !signedIn(t, c, "/admin") || !signedIn(t, c, "/admin/members") {
			t.Fatal("signed in at the first server, not at the second")
		}

		// The first server stops; the second goes on serving them.
		_ = first.Shutdown()
		first = nil
		for _, p := range []string{"/admin", "/admin/members", "/admin"} {
			if !signedIn(t, c, p) {
				t.Fatalf("%s: signed out when the first server went away", p)
			}
		}

		// Signing out at the second ends the session everywhere, also at
		// a server that never saw it.
		stolen := c.Cookies["drempel_admin"]
		c.Get("/admin")
		if r := c.Post("/admin/logout", nil); r.Status != 303 {
			t.Fatalf("sign out: %d", r.Status)
		}
		replay := webtest.NewClient(t, server(t, st, web.Options{Sessions: st.Sessions()}))
		replay.Cookies["drempel_admin"] = stolen
		if signedIn(t, replay, "/admin") {
			t.Fatal("a signed-out session still works at another server")
		}
	})
}

// Without a session storage each server keeps its own sessions in memory:
// the control for the test above, and what tests that build web.New
// without Sessions still get.
func TestSessionsInMemoryWithoutStorage(t *testing.T) {
	st := storetest.Open(t, "sqlite")
	m := seedPeople(t, st)
	first, second := server(t, st, web.Options{}), server(t, st, web.Options{})
	c := webtest.NewClient(t, first)
	signIn(t, c)
	checkIn(t, c, m)
	if !signedIn(t, c, "/admin") || !greeted(t, c) {
		t.Fatal("memory sessions do not work")
	}
	var n int64
	if err := st.R.Table("sessions").Count(&n).Error; err != nil || n != 0 {
		t.Fatalf("memory sessions wrote %d rows (%v)", n, err)
	}
	c.App = second
	if signedIn(t, c, "/admin") || greeted(t, c) {
		t.Fatal("a memory session was seen by another server")
	}
}

// A restart: the store is closed and opened again, a new web layer starts
// on it, and the browser's cookies still sign the staff member in and
// still greet the visitor at the kiosk (within the kiosk's session time).
func TestSessionsSurviveRestart(t *testing.T) {
	for _, kind := range storetest.Kinds {
		t.Run(kind, func(t *testing.T) {
			cfg := store.Config{DataDir: t.TempDir()}
			if kind == "postgres" {
				cfg.DatabaseURL = storetest.NewPostgresDB(t)
			}
			open := func() *store.Store {
				st, err := store.Open(bg, cfg)
				if err != nil {
					t.Fatal(err)
				}
				st.SetPasswordCost(4)
				t.Cleanup(func() { st.Close() })
				return st
			}
			st := open()
			m := seedPeople(t, st)
			staff := webtest.NewClient(t, server(t, st, web.Options{Sessions: st.Sessions()}))
			signIn(t, staff)
			visitor := webtest.NewClient(t, staff.App)
			checkIn(t, visitor, m)
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}

			st = open()
			app := server(t, st, web.Options{Sessions: st.Sessions()})
			staff.App, visitor.App = app, app
			if !signedIn(t, staff, "/admin/members") {
				t.Fatal("staff signed out by a restart")
			}
			if !greeted(t, visitor) {
				t.Fatal("the kiosk visitor forgotten by a restart")
			}
		})
	}
}

// Kiosk sessions in the database keep their short life: the server forgets
// the visitor KioskSession after their last request, as it did in memory.
func TestKioskSessionExpiryInDatabase(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		m := seedPeople(t, st)
		c := webtest.NewClient(t, server(t, st, web.Options{Sessions: st.Sessions(), KioskSession: 2 * time.Second}))
		checkIn(t, c, m)
		if r := c.Get("/kiosk/alive"); r.Status != 204 {
			t.Fatalf("alive while checked in: %d", r.Status)
		}
		var exp time.Time
		if err := st.R.Table("sessions").Select("expires_at").Order("expires_at DESC").Limit(1).Row().Scan(&exp); err != nil {
			t.Fatal(err)
		}
		if d := time.Until(exp); d <= 0 || d > 2*time.Second {
			t.Fatalf("kiosk session expires in %v, want within 2s", d)
		}
		time.Sleep(2200 * time.Millisecond)
		if r := c.Get("/kiosk/alive"); r.Status != 410 {
			t.Fatalf("alive after the session's time: %d", r.Status)
		}
		if greeted(t, c) {
			t.Fatal("greeted after the session's time")
		}
	})
}

// KioskSessionsInMemory keeps the kiosk's sessions in the process while
// the staff's go to the database: the lead's one-line choice in serve.go.
func TestKioskSessionsInMemoryChoice(t *testing.T) {
	st := storetest.Open(t, "sqlite")
	m := seedPeople(t, st)
	o := web.Options{Sessions: st.Sessions(), KioskSessionsInMemory: true}
	first, second := server(t, st, o), server(t, st, o)
	c := webtest.NewClient(t, first)
	checkIn(t, c, m)
	if !greeted(t, c) {
		t.Fatal("not greeted after the scan")
	}
	var n int64
	if err := st.R.Table("sessions").Count(&n).Error; err != nil || n != 0 {
		t.Fatalf("a kiosk session in memory wrote %d rows (%v)", n, err)
	}
	signIn(t, c)
	c.App = second
	if !signedIn(t, c, "/admin") {
		t.Fatal("staff session not shared with KioskSessionsInMemory")
	}
	if greeted(t, c) {
		t.Fatal("a kiosk session in memory was seen by another server")
	}
}

// countingSessions counts what a check-in asks of the session storage.
type countingSessions struct {
	web.SessionStorage
	reads, writes atomic.Int64
}

func (s *countingSessions) Get(k string) ([]byte, error) {
	s.reads.Add(1)
	return s.SessionStorage.Get(k)
}
func (s *countingSessions) Set(k string, v []byte, exp time.Duration) error {
	s.writes.Add(1)
	return s.SessionStorage.Set(k, v, exp)
}
func (s *countingSessions) Delete(k string) error { s.writes.Add(1); return s.SessionStorage.Delete(k) }

var csrfRe = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// BenchmarkScanAndGreet is kiosk/BenchmarkScanAndGreet (the scan POST that
// stores the visit, then the greeting GET) with the kiosk's sessions in
// memory and in the database, on one seeded store in the same run, so the
// difference is the sessions' cost alone. Every scan is a member's first of
// the day, in each variant alike.
func BenchmarkScanAndGreet(b *testing.B) {
	members := 100_000
	if testing.Short() {
		members = 5_000
	}
	for _, kind := range storetest.Kinds {
		b.Run(kind, func(b *testing.B) {
			st := storetest.Open(b, kind)
			tokens := storetest.SeedLoad(b, st, members, 10)
			var next int
			for _, v := range []struct {
				name   string
				memory bool
			}{{"memory", true}, {"database", false}, {"memory-again", true}, {"database-again", false}} {
				b.Run(v.name, func(b *testing.B) {
					cs := &countingSessions{SessionStorage: st.Sessions()}
					app := server(b, st, web.Options{Sessions: cs, KioskSessionsInMemory: v.memory})
					client := webtest.NewClient(b, app)
					page := client.Get("/kiosk")
					csrf := csrfRe.FindStringSubmatch(page.Body)[1]
					cookies := client.Cookies
					b.ReportAllocs()
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						webtest.ScanAndGreet(b, app, csrf, cookies, tokens[next%len(tokens)])
						next++
					}
					b.StopTimer()
					b.ReportMetric(float64(cs.reads.Load())/float64(b.N), "session-reads/op")
					b.ReportMetric(float64(cs.writes.Load())/float64(b.N), "session-writes/op")
				})
			}
		})
	}
}
