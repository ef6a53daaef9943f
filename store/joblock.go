package store

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"sync"
	"time"

	"gorm.io/driver/sqlite"
)

// jobLockSpace is the first key of every job lock Drempel takes on
// PostgreSQL ("DRMP"), so that its locks cannot meet another program's that
// shares the database. Advisory locks with two int4 keys do not overlap those
// with one bigint key, such as the lock goose takes around migrations.
const jobLockSpace int32 = 0x44524D50

// jobLockKey is a job's second key: a hash computed here rather than with
// PostgreSQL's internal hashtext, so that it never changes with the server's
// version. In pg_locks a job's lock shows as classid = jobLockSpace and
// objid = jobLockKey(name).
func jobLockKey(name string) int32 {
	h := fnv.New32a()
	h.Write([]byte(name))
	return int32(h.Sum32())
}

// RunExclusive runs fn unless the job called name is already running,
// anywhere on the network. It reports whether fn ran; err is fn's error, or
// why the lock could not be taken. It never waits for the lock: jobs run on a
// ticker in every server, and whichever server comes first in a period runs
// the job, while the others skip it. When one server stops, the next turn of
// another server's ticker takes the job over. Two servers may still run the
// same job one after the other in one period, so a job must leave nothing
// undone or done twice when that happens (as a conditional UPDATE does).
//
// On PostgreSQL the lock is a transaction-level advisory lock taken in a
// transaction of its own, held open on one pool connection while fn runs
// with its own connections; it goes when the transaction ends, however it
// ends, and when the connection drops. On SQLite (one server per database
// file) it is a lock in this process, one per file and job.
func (s *Store) RunExclusive(ctx context.Context, name string, fn func(context.Context) error) (ran bool, err error) {
	if s.Dialect == "postgres" {
		return s.runExclusivePostgres(ctx, name, fn)
	}
	return s.runExclusiveLocal(ctx, name, fn)
}

func (s *Store) runExclusivePostgres(ctx context.Context, name string, fn func(context.Context) error) (bool, error) {
	db, err := s.W.DB()
	if err != nil {
		return false, err
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	// The lock's transaction outlives ctx: were it to end when ctx does, the
	// lock would go while fn, told to stop but not yet stopped, still runs.
	// It ends when fn has returned.
	lockCtx, endLock := context.WithCancel(context.WithoutCancel(ctx))
	defer endLock()
	tx, err := db.BeginTx(lockCtx, nil)
	if err != nil {
		return false, fmt.Errorf("job %s: %w", name, err)
	}
	defer tx.Rollback()
	// The transaction stays idle while fn works on other connections: a
	// server-wide idle_in_transaction_session_timeout must not end it, and the
	// lock with it, half-way through.
	if _, err := tx.ExecContext(ctx, "SET LOCAL idle_in_transaction_session_timeout = 0"); err != nil {
		return false, fmt.Errorf("job %s: %w", name, err)
	}
	var got bool
	if err := tx.QueryRowContext(ctx, "SELECT pg_try_advisory_xact_lock($1::integer, $2::integer)",
		jobLockSpace, jobLockKey(name)).Scan(&got); err != nil {
		return false, fmt.Errorf("job %s: take lock: %w", name, err)
	}
	if !got {
		return false, nil
	}
	err = fn(ctx)
	// The transaction wrote nothing; its end releases the lock. If it cannot
	// end cleanly, the connection was lost while fn ran, and with it the lock:
	// another server may have started the job meanwhile. A database that no
	// longer answers gets ten seconds, then the connection is dropped.
	giveUp := time.AfterFunc(10*time.Second, endLock)
	defer giveUp.Stop()
	if cerr := tx.Commit(); cerr != nil {
		err = errors.Join(err, fmt.Errorf("job %s: lock lost while running: %w", name, cerr))
	}
	return true, err
}

// localJobs holds, per SQLite file and job name, a channel of one slot: the
// job's lock in this process.
var localJobs sync.Map

func (s *Store) runExclusiveLocal(ctx context.Context, name string, fn func(context.Context) error) (bool, error) {
	// One lock per database file, as on PostgreSQL one per database: two
	// Store values on one file share it.
	file := fmt.Sprintf("%p", s)
	if d, ok := s.W.Dialector.(*sqlite.Dialector); ok && d.DSN != "" {
		file, _, _ = strings.Cut(d.DSN, "?")
	}
	v, _ := localJobs.LoadOrStore(file+"\x00"+name, make(chan struct{}, 1))
	slot := v.(chan struct{})
	select {
	case slot <- struct{}{}:
	default:
		return false, nil
	}
	defer func() { <-slot }()
	if err := ctx.Err(); err != nil {
		return false, err
	}
	return true, fn(ctx)
}

// SchemaVersion is the database's current migration version, as recorded in
// goose_db_version.
func (s *Store) SchemaVersion(ctx context.Context) (int64, error) {
	var v int64
	err := s.R.WithContext(ctx).Raw("SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version").Scan(&v).Error
	return v, err
}
