package main

import (
	"context"
	"database/sql"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
)

// serveForTest runs `drempel serve` in this process on a free port, with the
// given database flags, and returns its address; it stops when the test ends.
func serveForTest(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuf{}
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), strings.NewReader(""), out, io.Discard)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-errc:
			if err != nil {
				t.Errorf("shutdown: %v", err)
			}
		case <-time.After(25 * time.Second):
			t.Error("the server did not stop")
		}
	})
	re := regexp.MustCompile(`kiosk (http://\S+)/kiosk`)
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			return m[1]
		}
		select {
		case err := <-errc:
			t.Fatalf("the server stopped: %v\n%s", err, out.String())
		default:
		}
	}
	t.Fatalf("the server did not start:\n%s", out.String())
	return ""
}

func getHealthz(t *testing.T, base string) (int, string) {
	t.Helper()
	res, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("/healthz Content-Type %q, want plain text", ct)
	}
	return res.StatusCode, string(b)
}

// /healthz names the database and its schema version, in one short line of
// plain text.
func TestHealthzSaysDatabaseAndSchema(t *testing.T) {
	for _, kind := range storetest.Kinds {
		t.Run(kind, func(t *testing.T) {
			cfg := store.Config{DataDir: t.TempDir()}
			if kind == "postgres" {
				cfg.DatabaseURL = storetest.NewPostgresDB(t)
			}
			base := serveForTest(t, "--data", cfg.DataDir, "--database-url", cfg.DatabaseURL)
			st, err := store.Open(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			v, err := st.SchemaVersion(context.Background())
			st.Close()
			if err != nil || v < 10 {
				t.Fatalf("schema version %d: %v", v, err)
			}
			status, body := getHealthz(t, base)
			if want := "ok " + kind + " schema " + strconv.FormatInt(v, 10); status != 200 || body != want {
				t.Errorf("/healthz: %d %q, want 200 %q", status, body, want)
			}
		})
	}
}

// When PostgreSQL refuses the server, /healthz answers 503.
func TestHealthzDatabaseUnreachable(t *testing.T) {
	dbURL := storetest.NewPostgresDB(t)
	base := serveForTest(t, "--data", t.TempDir(), "--database-url", dbURL)
	if status, body := getHealthz(t, base); status != 200 || !strings.HasPrefix(body, "ok postgres schema ") {
		t.Fatalf("/healthz before: %d %q", status, body)
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	admin, err := sql.Open("pgx", os.Getenv("DREMPEL_TEST_POSTGRES_URL"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	// Refuse new connections to the server's database and end its own.
	if _, err := admin.Exec("ALTER DATABASE " + name + " ALLOW_CONNECTIONS false"); err != nil {
		t.Fatal(err)
	}
	defer admin.Exec("ALTER DATABASE " + name + " ALLOW_CONNECTIONS true")
	if _, err := admin.Exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name); err != nil {
		t.Fatal(err)
	}
	status, body := getHealthz(t, base)
	if status != http.StatusServiceUnavailable || body != "database unreachable" {
		t.Errorf("/healthz with the database gone: %d %q, want 503 %q", status, body, "database unreachable")
	}
	if _, err := admin.Exec("ALTER DATABASE " + name + " ALLOW_CONNECTIONS true"); err != nil {
		t.Fatal(err)
	}
	// The pool drops the connections PostgreSQL ended one by one, as they
	// fail: the first checks may still fail.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		status, body := getHealthz(t, base)
		if status == 200 && strings.HasPrefix(body, "ok postgres schema ") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz once the database is back: %d %q", status, body)
		}
	}
}
