package store_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
)

// twoServers opens two stores on one database, as two Drempel servers of a
// network would (on SQLite, two stores on one file in this process).
func twoServers(t *testing.T, kind string) [2]*store.Store {
	t.Helper()
	cfg := store.Config{DataDir: t.TempDir()}
	if kind == "postgres" {
		cfg.DatabaseURL = storetest.NewPostgresDB(t)
	}
	var servers [2]*store.Store
	for i := range servers {
		s, err := store.Open(context.Background(), cfg)
		if err != nil {
			t.Fatalf("open %s: %v", kind, err)
		}
		t.Cleanup(func() { s.Close() })
		servers[i] = s
	}
	return servers
}

// Two servers run a job 20 times each, at the same time: never both at
// once, and each of them gets its turn.
func TestRunExclusiveOneAtATime(t *testing.T) {
	for _, kind := range storetest.Kinds {
		t.Run(kind, func(t *testing.T) {
			servers := twoServers(t, kind)
			var running, overlaps, skipped atomic.Int32
			var ran [2]atomic.Int32
			var wg sync.WaitGroup
			for i, s := range servers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range 20 {
						ok, err := s.RunExclusive(ctx, "release-no-shows", func(ctx context.Context) error {
							if running.Add(1) > 1 {
								overlaps.Add(1)
							}
							ran[i].Add(1)
							time.Sleep(5 * time.Millisecond)
							running.Add(-1)
							return nil
						})
						if err != nil {
							t.Error(err)
							return
						}
						// Like a ticker, a server that ran the job waits longer
						// before its next turn than one that found it taken.
						pause := 3000 + rand.IntN(3000)
						if !ok {
							skipped.Add(1)
							pause = rand.IntN(2000)
						}
						time.Sleep(time.Duration(pause) * time.Microsecond)
					}
				}()
			}
			wg.Wait()
			t.Logf("server 1 ran %d, server 2 ran %d, %d skipped", ran[0].Load(), ran[1].Load(), skipped.Load())
			if n := overlaps.Load(); n > 0 {
				t.Errorf("the job ran on both servers at once %d times", n)
			}
			if ran[0].Load() == 0 || ran[1].Load() == 0 {
				t.Errorf("one server never ran the job: %d and %d runs", ran[0].Load(), ran[1].Load())
			}
			if skipped.Load() == 0 {
				t.Error("no call was ever skipped: the test did not make the servers meet")
			}
		})
	}
}

// One server's lock is its own job's: another job runs meanwhile, the lock
// goes when the job fails, and an error comes back as the job's.
func TestRunExclusiveNamesAndErrors(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		inside := make(chan struct{})
		release := make(chan struct{})
		done := make(chan error, 1)
		go func() {
			_, err := s.RunExclusive(ctx, "purge-old-words", func(ctx context.Context) error {
				close(inside)
				<-release
				return errors.New("disk full")
			})
			done <- err
		}()
		<-inside
		if ok, err := s.RunExclusive(ctx, "purge-old-words", func(context.Context) error { return nil }); ok || err != nil {
			t.Errorf("a second run of a running job: ran %v, %v", ok, err)
		}
		if ok, err := s.RunExclusive(ctx, "release-no-shows", func(context.Context) error { return nil }); !ok || err != nil {
			t.Errorf("another job waited for the first: ran %v, %v", ok, err)
		}
		close(release)
		if err := <-done; err == nil || err.Error() != "disk full" {
			t.Errorf("the job's error: %v", err)
		}
		if ok, err := s.RunExclusive(ctx, "purge-old-words", func(context.Context) error { return nil }); !ok || err != nil {
			t.Errorf("after a failed run: ran %v, %v", ok, err)
		}
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		if ok, err := s.RunExclusive(cancelled, "purge-old-words", func(context.Context) error { return nil }); ok || err == nil {
			t.Errorf("with its context cancelled: ran %v, %v", ok, err)
		}
	})
}

// A job told to stop (its context ends) keeps the lock until it has stopped.
func TestRunExclusiveHeldUntilTheJobReturns(t *testing.T) {
	for _, kind := range storetest.Kinds {
		t.Run(kind, func(t *testing.T) {
			servers := twoServers(t, kind)
			jobCtx, cancel := context.WithCancel(ctx)
			inside, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
			go func() {
				_, err := servers[0].RunExclusive(jobCtx, "purge-old-words", func(context.Context) error {
					close(inside)
					<-release // a job slow to notice its context
					return nil
				})
				done <- err
			}()
			<-inside
			cancel()
			time.Sleep(100 * time.Millisecond)
			noop := func(context.Context) error { return nil }
			if ok, err := servers[1].RunExclusive(ctx, "purge-old-words", noop); ok || err != nil {
				t.Errorf("the other server ran the job while the first had not stopped: ran %v, %v", ok, err)
			}
			close(release)
			if err := <-done; err != nil {
				t.Errorf("the first server: %v", err)
			}
			if ok, err := servers[1].RunExclusive(ctx, "purge-old-words", noop); !ok || err != nil {
				t.Errorf("once the first server stopped: ran %v, %v", ok, err)
			}
		})
	}
}

// A server that loses its connection in the middle of a job (it crashed, or
// the network went) does not keep the job from the others.
func TestRunExclusiveServerGone(t *testing.T) {
	servers := twoServers(t, "postgres")
	a, b := servers[0], servers[1]
	inside := make(chan struct{})
	release := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		_, err := a.RunExclusive(ctx, "release-no-shows", func(ctx context.Context) error {
			close(inside)
			<-release
			return nil
		})
		done <- err
	}()
	<-inside
	noop := func(context.Context) error { return nil }
	if ok, err := b.RunExclusive(ctx, "release-no-shows", noop); ok || err != nil {
		t.Fatalf("while the first server runs the job: ran %v, %v", ok, err)
	}
	var killed int
	if err := b.W.Raw(`SELECT COUNT(pg_terminate_backend(l.pid)) FROM pg_locks l
		WHERE l.locktype = 'advisory' AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
		AND l.pid <> pg_backend_pid()`).Scan(&killed).Error; err != nil || killed != 1 {
		t.Fatalf("end the first server's lock session: %d, %v", killed, err)
	}
	ran := false
	for deadline := time.Now().Add(5 * time.Second); !ran && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		var err error
		if ran, err = b.RunExclusive(ctx, "release-no-shows", noop); err != nil {
			t.Fatal(err)
		}
	}
	if !ran {
		t.Error("the second server never took the job over")
	}
	close(release)
	if err := <-done; err == nil {
		t.Error("the first server was not told it lost the lock")
	}
}

func TestSchemaVersion(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		v, err := s.SchemaVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var last int64
		if err := s.R.Raw("SELECT version_id FROM goose_db_version ORDER BY id DESC LIMIT 1").Scan(&last).Error; err != nil {
			t.Fatal(err)
		}
		if v < 10 || v != last {
			t.Errorf("schema version %d, last migration applied %d", v, last)
		}
	})
}
