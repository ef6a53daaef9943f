// Package store owns all persistence: the GORM models, their queries and
// transactions, and the embedded, versioned migrations. It runs on an
// embedded SQLite file by default and on PostgreSQL when given a postgres://
// URL, with the same code. It imports nothing else of Drempel.
package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Errors the callers turn into user-facing messages.
var (
	ErrNotFound  = errors.New("not found")
	ErrInvalid   = errors.New("invalid input")
	ErrDuplicate = errors.New("already exists")
)

// Config says where the data lives.
type Config struct {
	// DataDir holds the SQLite file when DatabaseURL is empty.
	DataDir string
	// DatabaseURL selects PostgreSQL when it starts with postgres:// or postgresql://.
	DatabaseURL string
	// ReadConns is the size of the SQLite read pool (default 4).
	ReadConns int
}

// Store is the one door to the database. W is the writer, R the reader; on
// SQLite they are separate pools (one writer connection, so writers queue
// in Go instead of failing with SQLITE_BUSY), on PostgreSQL the same pool.
type Store struct {
	W       *gorm.DB
	R       *gorm.DB
	Dialect string // "sqlite" or "postgres"
	clock   func() time.Time
	batch   *checkInBatcher
	pwCost  int

	dummyOnce sync.Once
	dummy     []byte

	cardKey []byte // the key of the card tokens' hash; set once, never changes

	duty        dutyCache
	courseCache markCache
	labCache    markCache
}

func newStore() *Store {
	return &Store{clock: func() time.Time { return time.Now().UTC() },
		courseCache: markCache{mark: coursesMark}, labCache: markCache{mark: labMark}}
}

// IsPostgres reports whether a database URL selects PostgreSQL.
func IsPostgres(u string) bool {
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
}

// Open connects, applies pending migrations and returns the store.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	gcfg := &gorm.Config{
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true,
		TranslateError:         true, // unique violations become gorm.ErrDuplicatedKey on both databases
		PrepareStmt:            true,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	}
	s := newStore()
	switch {
	case IsPostgres(cfg.DatabaseURL):
		db, err := gorm.Open(postgres.Open(pgSettings(cfg.DatabaseURL)), gcfg)
		if err != nil {
			return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
		}
		sqlDB, err := db.DB()
		if err != nil {
			return nil, err
		}
		sqlDB.SetMaxOpenConns(20)
		sqlDB.SetMaxIdleConns(20)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
		s.W, s.R, s.Dialect = db, db, "postgres"
	case cfg.DatabaseURL == "":
		dir := cfg.DataDir
		if dir == "" {
			dir = "drempel-data"
		}
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
		path := filepath.Join(dir, "drempel.db")
		w, err := gorm.Open(sqlite.New(sqlite.Config{DriverName: sqliteDriver, DSN: sqliteDSN(path, "immediate")}), gcfg)
		if err != nil {
			return nil, fmt.Errorf("open SQLite: %w", err)
		}
		wdb, err := w.DB()
		if err != nil {
			return nil, err
		}
		wdb.SetMaxOpenConns(1)
		wdb.SetMaxIdleConns(1)
		wdb.SetConnMaxLifetime(0)
		r, err := gorm.Open(sqlite.New(sqlite.Config{DriverName: sqliteDriver, DSN: sqliteDSN(path, "deferred")}), gcfg)
		if err != nil {
			return nil, fmt.Errorf("open SQLite reader: %w", err)
		}
		rdb, err := r.DB()
		if err != nil {
			return nil, err
		}
		n := cfg.ReadConns
		if n <= 0 {
			n = 4
		}
		rdb.SetMaxOpenConns(n)
		rdb.SetMaxIdleConns(n)
		s.W, s.R, s.Dialect = w, r, "sqlite"
		s.startBatcher()
	default:
		return nil, fmt.Errorf("unsupported database URL (want postgres://… or empty for SQLite)")
	}
	if err := s.Ping(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.loadCardKey(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// pgSettings sets two of PostgreSQL's run-time settings for Drempel's
// connections, unless the URL says otherwise (pgx passes an unknown URL
// parameter on as a run-time setting):
//   - JIT compilation off: Drempel's queries are short aggregates, and
//     compiling them cost ~19 ms each of a year's figures;
//   - no parallel workers within a query: the figures already run their
//     passes side by side, one connection each, and a worker computed the
//     whole per-member subquery again for its half of a hash join, which
//     doubled the work of the year's people pass.
func pgSettings(dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		return dbURL
	}
	q := u.Query()
	for k, v := range map[string]string{"jit": "off", "max_parallel_workers_per_gather": "0"} {
		if q.Get(k) == "" {
			q.Set(k, v)
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// sqliteDSN puts every pragma in the connection string, so that each new
// connection of the pool gets them, not only the first.
func sqliteDSN(path, txlock string) string {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "FULL") // a confirmed check-in survives a power cut
	q.Set("_foreign_keys", "on")
	q.Set("_busy_timeout", "10000")
	// What is deleted or overwritten (an erased member's name, words past
	// their retention) is zeroed in the file, not left in free pages for
	// anyone holding a copy of it.
	q.Set("_secure_delete", "on")
	q.Set("_txlock", txlock)
	return "file:" + path + "?" + q.Encode()
}

// SQLiteBaselineDSN exposes the writer's connection string so a benchmark
// can measure a bare insert loop with exactly the same settings.
func SQLiteBaselineDSN(path string) string { return sqliteDSN(path, "immediate") }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	for _, g := range []*gorm.DB{s.W, s.R} {
		db, err := g.DB()
		if err != nil {
			return err
		}
		if err := db.PingContext(ctx); err != nil {
			return fmt.Errorf("database unreachable: %w", err)
		}
	}
	return nil
}

// Close closes both pools; on SQLite it checkpoints the WAL first.
func (s *Store) Close() error {
	var errs []error
	if s.batch != nil {
		s.batch.stop()
	}
	if s.Dialect == "sqlite" {
		s.W.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	}
	seen := map[*gorm.DB]bool{}
	for _, g := range []*gorm.DB{s.R, s.W} {
		if g == nil || seen[g] {
			continue
		}
		seen[g] = true
		if db, err := g.DB(); err == nil {
			errs = append(errs, db.Close())
		}
	}
	return errors.Join(errs...)
}

// SetClock replaces the store's notion of now; tests use it to cross days.
func (s *Store) SetClock(now func() time.Time) {
	s.clock = now
	// What was kept is kept until a time of the old clock.
	s.courseCache.forget()
	s.labCache.forget()
}

// Now is the current time in UTC.
func (s *Store) Now() time.Time { return s.clock().UTC() }

// notFound turns GORM's "record not found" into the store's ErrNotFound,
// which the handlers map to a 404; other errors pass unchanged.
func notFound(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrNotFound
	}
	return err
}
