package store

import (
	"context"
	"errors"
	"sync"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// ErrClosed is returned for work handed to a store that is closing.
var ErrClosed = errors.New("store closed")

// checkInBatcher is group commit for SQLite check-ins. SQLite has one
// writer, and with synchronous=FULL every commit waits for the disk; when
// many kiosks scan at once, their visits are written in one transaction and
// one flush instead of one each. A check-in is answered only after the
// commit that holds it, so "confirmed" still means "on disk". At low load a
// batch holds one visit and adds no delay: the batch is simply whatever
// queued up while the previous commit was on its way to the disk.
type checkInBatcher struct {
	in       chan checkInReq
	quit     chan struct{}
	wg       sync.WaitGroup
	stopOnce sync.Once
}

type checkInReq struct {
	v    *Visit
	att  attendance
	done chan checkInRes
}

// attendance says which attendance a check-in may have to record.
type attendance struct{ booking, courses bool }

type checkInRes struct {
	counted bool
	err     error
}

const maxBatch = 256

func (s *Store) startBatcher() {
	// Unbuffered: a request is handed over only to a running loop, so none
	// is stranded when the store closes.
	b := &checkInBatcher{in: make(chan checkInReq), quit: make(chan struct{})}
	s.batch = b
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		for {
			select {
			case <-b.quit:
				return
			case first := <-b.in:
				batch := []checkInReq{first}
			collect:
				for len(batch) < maxBatch {
					select {
					case r := <-b.in:
						batch = append(batch, r)
					default:
						break collect
					}
				}
				s.commitCheckIns(batch)
			}
		}
	}()
}

func (b *checkInBatcher) stop() {
	b.stopOnce.Do(func() { close(b.quit) })
	b.wg.Wait()
}

// commitCheckIns writes a batch in one transaction. In SQLite a failing
// statement rolls back only itself, so one bad visit (a member deleted a
// moment ago) fails alone.
func (s *Store) commitCheckIns(batch []checkInReq) {
	res := make([]checkInRes, len(batch))
	tx := s.W.Begin()
	err := tx.Error
	if err == nil {
		for i, r := range batch {
			counted, err := checkInTx(tx, r.v, r.att)
			res[i] = checkInRes{counted: counted, err: err}
		}
		err = tx.Commit().Error
	}
	for i, r := range batch {
		if err != nil {
			res[i] = checkInRes{err: err}
		}
		r.done <- res[i]
	}
}

// checkInTx is everything a check-in writes: the day's visit (once) and
// the attendance of a lab booking the member came for.
func checkInTx(tx *gorm.DB, v *Visit, att attendance) (bool, error) {
	q := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(v)
	if q.Error != nil {
		return false, q.Error
	}
	if att.booking {
		if _, err := markAttended(tx, v); err != nil {
			return false, err
		}
	}
	if att.courses {
		if err := markCourseAttendance(tx, v); err != nil {
			return false, err
		}
	}
	return q.RowsAffected == 1, nil
}

// insertVisit stores a visit, through the batcher where there is one.
func (s *Store) insertVisit(ctx context.Context, v *Visit, att attendance) (bool, error) {
	if s.batch == nil {
		var counted bool
		err := s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			var err error
			counted, err = checkInTx(tx, v, att)
			return err
		})
		return counted, err
	}
	req := checkInReq{v: v, att: att, done: make(chan checkInRes, 1)}
	select {
	case s.batch.in <- req:
	case <-s.batch.quit:
		return false, ErrClosed
	case <-ctx.Done():
		return false, ctx.Err()
	}
	// Once handed over, wait for the commit even if the caller gave up:
	// the answer must match what is on disk.
	r := <-req.done
	return r.counted, r.err
}
