package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/drempel/drempel/store"
)

// A job is work done for the whole network, once, whichever servers are up:
// each server runs it on its own ticker through the store's job lock, and
// skips its turn while another server holds it. When a server stops, the
// next turn of another's ticker does the work.
//
// What a server keeps in its own memory (the kiosk's words, the voice
// recordings' index) is refreshed by every server and is not a job.
type job struct {
	name  string        // the lock's name; also in the logs
	every time.Duration // how often each server tries it
	// limit bounds one run, so that a run that hangs gives the lock back.
	limit time.Duration
	run   func(ctx context.Context, st *store.Store, log *slog.Logger) error
}

var jobs = []job{
	// Free the lab seats of bookings nobody came for, so that walk-ins can
	// take them.
	{name: "release-no-shows", every: time.Minute, limit: time.Minute, run: func(ctx context.Context, st *store.Store, log *slog.Logger) error {
		n, err := st.ReleaseNoShows(ctx)
		if n > 0 {
			log.Info("released bookings nobody came for", "count", n)
		}
		return err
	}},
	// Forget what is past its retention period (the admin's Privacy page):
	// members not seen for long, visit times, old bookings, smileys,
	// loans, notes, device history, and visitors' words with their reports.
	{name: "retention", every: 24 * time.Hour, limit: 30 * time.Minute, run: func(ctx context.Context, st *store.Store, log *slog.Logger) error {
		run, err := st.ApplyRetention(ctx)
		if run != nil {
			for _, r := range store.RetentionRules {
				if n := run.Done[r.Key]; n > 0 {
					log.Info("retention: forgot records past their period", "kind", r.Key, "count", n)
				}
			}
		}
		return err
	}},
	// Remove expired staff sessions: they sign nobody in any more, and the
	// table stays small.
	{name: "purge-sessions", every: time.Minute, limit: time.Minute, run: func(ctx context.Context, st *store.Store, log *slog.Logger) error {
		_, err := st.PurgeSessions(ctx)
		return err
	}},
}

// runJobs starts every job's ticker; they stop with ctx.
func runJobs(ctx context.Context, st *store.Store, log *slog.Logger, jobs []job) {
	for _, j := range jobs {
		go runJob(ctx, st, log, j)
	}
}

// runJob tries j at once, then every j.every until ctx ends.
func runJob(ctx context.Context, st *store.Store, log *slog.Logger, j job) {
	t := time.NewTicker(j.every)
	defer t.Stop()
	for {
		runJobOnce(ctx, st, log, j)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// runJobOnce runs j unless another server is running it; it reports whether
// it did.
func runJobOnce(ctx context.Context, st *store.Store, log *slog.Logger, j job) bool {
	rctx, cancel := context.WithTimeout(ctx, j.limit)
	defer cancel()
	ran, err := st.RunExclusive(rctx, j.name, func(ctx context.Context) error { return j.run(ctx, st, log) })
	if err != nil && ctx.Err() == nil {
		log.Error("job failed", "job", j.name, "err", err)
	} else if !ran && ctx.Err() == nil {
		log.Debug("job skipped: another server is running it", "job", j.name)
	}
	return ran
}
