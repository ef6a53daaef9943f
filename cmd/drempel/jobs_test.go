package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
)

func TestJobsAreWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, j := range jobs {
		if j.name == "" || seen[j.name] {
			t.Errorf("job name %q empty or taken twice", j.name)
		}
		seen[j.name] = true
		if j.every <= 0 || j.limit <= 0 || j.limit > j.every || j.run == nil {
			t.Errorf("job %s: every %v, limit %v", j.name, j.every, j.limit)
		}
	}
}

// Every job of the server takes the network's lock: while another server
// holds it, the job does not run here; once it is free, it does, without
// error, on both databases.
func TestJobsTakeTheLock(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		var logs syncBuf
		log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		for _, j := range jobs {
			var ran atomic.Int32
			counted := j
			counted.run = func(ctx context.Context, st *store.Store, log *slog.Logger) error {
				ran.Add(1)
				return j.run(ctx, st, log)
			}
			inside, release, done := make(chan struct{}), make(chan struct{}), make(chan struct{})
			go func() {
				defer close(done)
				st.RunExclusive(ctx, j.name, func(context.Context) error {
					close(inside)
					<-release
					return nil
				})
			}()
			<-inside
			if runJobOnce(ctx, st, log, counted) || ran.Load() != 0 {
				t.Errorf("%s ran while another server held its lock", j.name)
			}
			close(release)
			<-done
			if !runJobOnce(ctx, st, log, counted) || ran.Load() != 1 {
				t.Errorf("%s did not run with its lock free", j.name)
			}
		}
		if strings.Contains(logs.String(), "level=ERROR") {
			t.Errorf("a job failed:\n%s", logs.String())
		}
	})
}

// Two servers on one PostgreSQL run a job on their tickers: never both at
// once. When one stops, the other goes on running it.
func TestJobsSurviveAServerStopping(t *testing.T) {
	dbURL := storetest.NewPostgresDB(t)
	var running, overlaps atomic.Int32
	var runs [2]atomic.Int32
	var stop [2]context.CancelFunc
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for i := range 2 {
		st, err := store.Open(context.Background(), store.Config{DatabaseURL: dbURL})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		ctx, cancel := context.WithCancel(context.Background())
		t.Cleanup(cancel)
		stop[i] = cancel
		runJobs(ctx, st, log, []job{{name: "test-job", every: 10 * time.Millisecond, limit: 10 * time.Millisecond,
			run: func(ctx context.Context, st *store.Store, log *slog.Logger) error {
				if running.Add(1) > 1 {
					overlaps.Add(1)
				}
				runs[i].Add(1)
				time.Sleep(3 * time.Millisecond)
				running.Add(-1)
				return nil
			}}})
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); !ok(); time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: runs %d and %d", what, runs[0].Load(), runs[1].Load())
			}
		}
	}
	waitFor("both servers run the job", func() bool { return runs[0].Load() >= 3 && runs[1].Load() >= 3 })
	stop[0]()
	time.Sleep(50 * time.Millisecond) // a run of the first server in flight ends
	first, second := runs[0].Load(), runs[1].Load()
	waitFor("the second server goes on alone", func() bool { return runs[1].Load() >= second+10 })
	if runs[0].Load() != first {
		t.Error("the stopped server still ran the job")
	}
	if n := overlaps.Load(); n > 0 {
		t.Errorf("the job ran on both servers at once %d times", n)
	}
}
