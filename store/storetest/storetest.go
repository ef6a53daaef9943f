// Package storetest opens real databases for tests: a SQLite file in a
// temporary directory, and a fresh database on the PostgreSQL server named
// by DREMPEL_TEST_POSTGRES_URL. Under CI=true a missing PostgreSQL fails
// the test instead of skipping it.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver for database/sql

	"github.com/drempel/drempel/store"
)

// Kinds are the databases every store test runs on.
var Kinds = []string{"sqlite", "postgres"}

// EachDB runs f once on SQLite and once on PostgreSQL, as subtests.
func EachDB(t *testing.T, f func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, kind := range Kinds {
		t.Run(kind, func(t *testing.T) {
			f(t, Open(t, kind))
		})
	}
}

// Open returns a migrated, empty store of the given kind, closed when the
// test ends.
func Open(t testing.TB, kind string) *store.Store {
	t.Helper()
	cfg := store.Config{DataDir: t.TempDir()}
	if kind == "postgres" {
		cfg.DatabaseURL = NewPostgresDB(t)
	}
	s, err := store.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("open %s: %v", kind, err)
	}
	t.Cleanup(func() { s.Close() })
	s.SetPasswordCost(4) // bcrypt's minimum: sign-ins in tests need no real cost
	return s
}

// NewPostgresDB creates an empty database on the test server, dropped when
// the test ends, and returns its URL.
func NewPostgresDB(t testing.TB) string {
	t.Helper()
	admin := os.Getenv("DREMPEL_TEST_POSTGRES_URL")
	if admin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("DREMPEL_TEST_POSTGRES_URL is not set: under CI the PostgreSQL tests must run (use .ci/test)")
		}
		t.Skip("DREMPEL_TEST_POSTGRES_URL not set; .ci/test starts a throwaway PostgreSQL")
	}
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	b := make([]byte, 6)
	rand.Read(b)
	name := "drempel_t_" + hex.EncodeToString(b)
	if _, err := db.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", admin)
		if err == nil {
			db.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
			db.Close()
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}
