package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/admin"
	"github.com/drempel/drempel/kiosk"
	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/web"
	"github.com/drempel/drempel/web/voice"
)

type serveConfig struct {
	dbFlags
	addr, lang, tz string
	demo, secure   bool
	idle           time.Duration
	quiet          bool
	publicURL      string
	backup         backupFlags
}

func serveCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg serveConfig
	fs := newFlagSet("serve", stderr, usage)
	cfg.register(fs)
	fs.StringVar(&cfg.addr, "addr", envDefault("addr", ":8080"), "address to listen on")
	demoDefault, _ := strconv.ParseBool(envDefault("demo", "false"))
	fs.BoolVar(&cfg.demo, "demo", demoDefault, "load a demo organisation (a site, 20 members, a mentoring tandem, and the logins of staff, a peer supporter and a mentor, printed here) into an empty database")
	fs.StringVar(&cfg.lang, "lang", envDefault("lang", "nl"), "default language of the kiosk and admin panel: nl, fr or en")
	fs.StringVar(&cfg.tz, "timezone", envDefault("timezone", "Europe/Brussels"), "time zone for dates and times")
	idleDefault, err := time.ParseDuration(envDefault("kiosk-idle", "60s"))
	if err != nil {
		return fmt.Errorf("DREMPEL_KIOSK_IDLE: %w", err)
	}
	fs.DurationVar(&cfg.idle, "kiosk-idle", idleDefault, "how long the kiosk waits for a touch before it resets (at least 5s)")
	quietDefault, _ := strconv.ParseBool(envDefault("kiosk-quiet", "false"))
	fs.BoolVar(&cfg.quiet, "kiosk-quiet", quietDefault, "do not say each kiosk screen's question when it opens (the speaker buttons still work)")
	secureDefault, _ := strconv.ParseBool(envDefault("secure-cookies", "false"))
	fs.BoolVar(&cfg.secure, "secure-cookies", secureDefault, "mark cookies Secure (when served over HTTPS by a reverse proxy)")
	fs.StringVar(&cfg.publicURL, "public-url", envDefault("public-url", ""), "the address people open, for the links printed here (default http://localhost:PORT)")
	if err := cfg.backup.register(fs); err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cfg.idle < 5*time.Second {
		return fmt.Errorf("--kiosk-idle must be at least 5s")
	}
	tz, err := time.LoadLocation(cfg.tz)
	if err != nil {
		return fmt.Errorf("--timezone: %w", err)
	}
	if l, ok := web.LookupLanguage(cfg.lang); !ok || !l.Admin {
		return fmt.Errorf("--lang must be nl, fr or en")
	}
	backups, err := cfg.backup.plan(cfg.data, tz)
	if err != nil {
		return err
	}
	log := newLogger(stderr)
	if os.Getenv("MALLOC_ARENA_MAX") == "" {
		limitMallocArenas()
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		// A small box shares its memory with a browser and a print queue:
		// ask the garbage collector to work harder before the heap grows
		// past this, rather than let it double as it would by default.
		debug.SetMemoryLimit(48 << 20)
	}

	if !store.IsPostgres(cfg.databaseURL) {
		// Shared: `drempel restore` takes it exclusively, and so refuses to
		// replace the database under a running server.
		unlock, err := lockDataDir(cfg.data, false)
		if errors.Is(err, errDataDirBusy) {
			return fmt.Errorf("a restore is running in %s: start Drempel once it has finished", cfg.data)
		} else if err != nil {
			return err
		}
		defer unlock()
	}
	st, err := cfg.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	// The backup job ends before the store closes: a backup cut off by the
	// shutdown removes its temporary file rather than leave it half-written.
	var backupDone sync.WaitGroup
	defer backupDone.Wait()

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	base := cfg.publicURL
	if base == "" {
		base = "http://localhost:" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	}
	if err := prepare(ctx, st, cfg, base, stdout); err != nil {
		ln.Close()
		return err
	}
	o, ko := serverOptions(st, cfg, tz, log)
	app, refresh, err := newServer(ctx, st, o, ko, base, cfg.data)
	if err != nil {
		ln.Close()
		return err
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- app.Listener(ln) }()
	runJobs(ctx, st, log, jobs)
	if backups != nil {
		backupDone.Add(1)
		go func() {
			defer backupDone.Done()
			runJob(ctx, st, log, backups.job())
		}()
		fmt.Fprintf(stdout, "Backups: %s.\n", backups)
		if store.IsPostgres(cfg.databaseURL) {
			if _, err := exec.LookPath("pg_dump"); err != nil {
				// Said now, not first at 02:30 in a log nobody reads.
				log.Error("the nightly backup will fail: pg_dump is not installed here (apt-get install postgresql-client), or set --backup-at off")
			}
		}
	} else {
		fmt.Fprintln(stdout, "Backups: off (--backup-at off). Make them with drempel backup, or on the database server.")
	}
	go refresh(ctx)
	fmt.Fprintf(stdout, "Drempel is running: kiosk %s/kiosk · admin %s/admin\n", base, base)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight")
	// In-flight check-ins finish; the store closes after, in the defer.
	if err := app.ShutdownWithTimeout(20 * time.Second); err != nil {
		return err
	}
	return nil
}

// prepare loads the demo, or makes sure the first admin can be created.
func prepare(ctx context.Context, st *store.Store, cfg serveConfig, base string, out io.Writer) error {
	if cfg.demo {
		res, err := st.SeedDemo(ctx)
		if err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		fmt.Fprintln(out, "Demo organisation loaded. Sign in at "+base+"/admin with:")
		for _, l := range res.Logins {
			fmt.Fprintf(out, "  %-12s %-25s password: %s\n", l.Role, l.Email, l.Password)
		}
		fmt.Fprintf(out, "Try the kiosk at %s/kiosk: type the demo card of %s on the keyboard, then Enter:\n  %s\n",
			base, res.SampleName, res.SampleCard.Token)
		if res.DutchCard.Token != "" {
			fmt.Fprintf(out, "A member who prefers Dutch has this card:\n  %s\n", res.DutchCard.Token)
		}
		if res.RaterCard.Token != "" {
			fmt.Fprintf(out, "A member who came to yesterday's course (the kiosk asks for a smiley):\n  %s\n", res.RaterCard.Token)
		}
		fmt.Fprintln(out, "A member in each language (the kiosk speaks it after the scan):")
		for _, c := range res.ByLang {
			fmt.Fprintf(out, "  %-4s %s  %s\n", c.Lang, c.Card.Token, c.Nickname)
		}
		return nil
	}
	if _, err := st.EnsureSite(ctx, "Drempel", cfg.tz); err != nil {
		return err
	}
	n, err := st.CountUsers(ctx)
	if err != nil {
		return err
	}
	if n == 0 {
		tok, err := st.NewSetupToken(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "No accounts yet. Open this one-time link to create the first admin account:\n  %s/setup/%s\n", base, tok)
	}
	return nil
}

// newServer wires the kiosk, its voice and the admin panel into one Fiber
// app. refresh keeps the kiosk's words and recordings current with what
// other servers of a network save; run it until the server stops.
// serverOptions are the options serve gives the web layer and the kiosk
// (and the kiosk pages benchmark, which serves as serve does).
func serverOptions(st *store.Store, cfg serveConfig, tz *time.Location, log *slog.Logger) (web.Options, kiosk.Options) {
	return web.Options{TimeZone: tz, DefaultLang: cfg.lang, SecureCookies: cfg.secure, Log: log,
		// The visitor's session ends with the kiosk's reset: idle time and
		// countdown after their last request, whatever the browser does.
		KioskSession: kiosk.SessionLifetime(cfg.idle),
		// Sessions live in the database: staff stay signed in across a
		// restart and on every server of a network.
		Sessions: st.Sessions(),
		// Kiosk visitors' sessions stay in this server's memory: they last
		// a minute or two, a kiosk talks to one server, and in the database
		// they cost a check-in about 1 ms more (two more flushed writes on
		// SQLite, measured).
		KioskSessionsInMemory: true,
	}, kiosk.Options{Idle: cfg.idle, Quiet: cfg.quiet}
}

// newServer builds the app. mount adds routes after the kiosk's and the
// admin's and before the catch-all 404: the kiosk pages benchmark's bare
// handlers, behind the same middleware as the pages.
func newServer(ctx context.Context, st *store.Store, o web.Options, ko kiosk.Options, publicURL, dataDir string, mount ...func(*fiber.App)) (app *fiber.App, refresh func(context.Context), err error) {
	w, err := web.New(o)
	if err != nil {
		return nil, nil, err
	}
	// Staff corrections of the kiosk's words win over the catalogs.
	words, err := loadKioskWords(ctx, st, w)
	if err != nil {
		return nil, nil, err
	}
	// Recordings first, then espeak-ng's speech, kept in the data directory.
	v, err := voice.New(ctx, st, voice.Options{CacheDir: filepath.Join(dataDir, "voice-cache"),
		Private: voice.TemplatedMessages(w.I18n), Log: o.Log})
	if err != nil {
		return nil, nil, err
	}
	w.I18n.SetVoice(v)
	app = fiber.New(w.Config())
	w.Use(app)
	app.Get("/healthz", func(c *fiber.Ctx) error {
		ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
		defer cancel()
		if err := st.Ping(ctx); err != nil {
			return c.Status(fiber.StatusServiceUnavailable).SendString("database unreachable")
		}
		v, err := st.SchemaVersion(ctx)
		if err != nil {
			return c.Status(fiber.StatusServiceUnavailable).SendString("schema version unreadable")
		}
		// "ok postgres schema 11": which database, and how far it is migrated.
		return c.SendString("ok " + st.Dialect + " schema " + strconv.FormatInt(v, 10))
	})
	v.Mount(app) // before the kiosk: plain GETs of sound skip its middleware
	ko.Log = o.Log
	kiosk.Mount(app, st, w, ko)
	admin.Mount(app, st, w, admin.Options{Log: o.Log, PublicURL: publicURL, Voice: v})
	for _, m := range mount {
		m(app)
	}
	app.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
	refresh = func(ctx context.Context) {
		go v.Run(ctx, time.Minute)
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		last := words
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			m, err := st.KioskWordOverrides(ctx)
			if err != nil {
				if ctx.Err() == nil {
					o.Log.Error("reload kiosk words", "err", err)
				}
				continue
			}
			// Only a change empties the catalogs' caches.
			if !reflect.DeepEqual(m, last) {
				w.I18n.SetOverrides(m)
			}
			last = m
		}
	}
	return app, refresh, nil
}

// loadKioskWords hands the staff's corrections to the catalogs.
func loadKioskWords(ctx context.Context, st *store.Store, w *web.Web) (map[string]map[string]string, error) {
	m, err := st.KioskWordOverrides(ctx)
	if err != nil {
		return nil, fmt.Errorf("kiosk words: %w", err)
	}
	w.I18n.SetOverrides(m)
	return m, nil
}
