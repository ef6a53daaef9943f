package store

import (
	"context"
	"fmt"
	"sync"
)

// The kiosk reads the same rows on every load of its busiest pages: a
// site's courses and their sessions, the lab's settings and seats. The
// store keeps what it read of a group of tables while the group's change
// mark stays the same (change_marks, migrations 24 and 25: every write to
// the group's tables sets it anew, whichever server or tool makes it), so
// such a read costs one primary-key read of the mark instead of its
// queries. The mark is read before the rows: rows read after a change are
// never kept under a mark from before it, and nothing kept is shown once
// the mark has moved.

// markCacheMax bounds what a cache keeps: past it, it starts again empty.
const markCacheMax = 10_000

// markCache keeps what was read of one mark's tables, by key.
type markCache struct {
	mark  changeMark
	mu    sync.Mutex
	at    int64 // the mark what is kept was read under
	kept  map[any]any
	count uint64 // Versions handed out (see next)
}

// current reads the mark from the database, and forgets what was kept
// under another.
func (c *markCache) current(ctx context.Context, s *Store) (int64, error) {
	var mark int64
	res := s.R.WithContext(ctx).Raw("SELECT mark FROM change_marks WHERE name = ?", c.mark.name).Scan(&mark)
	if res.Error != nil {
		return 0, res.Error
	}
	if res.RowsAffected == 0 {
		// Without its row nothing would ever say the tables changed.
		return 0, fmt.Errorf("the database has no change mark %q", c.mark.name)
	}
	c.mu.Lock()
	if c.at != mark {
		c.at, c.kept = mark, nil
	}
	c.mu.Unlock()
	return mark, nil
}

// forget empties the cache.
func (c *markCache) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.kept = nil
}

// next is a new version number, for what is made of a read (see
// SessionList.Version).
func (c *markCache) next() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.count++
	return c.count
}

// keptRead answers from what c keeps under key at mark (which current
// read), or with load, whose answer it keeps; valid may refuse what was
// kept. What it returns is shared: callers copy what they change.
func keptRead[V any](c *markCache, mark int64, key any, valid func(V) bool, load func() (V, error)) (V, error) {
	c.mu.Lock()
	// Only what was kept at the caller's own mark: a reader that read the
	// mark before a write may have put the cache back to the older mark.
	v, ok := c.kept[key].(V)
	ok = ok && c.at == mark
	c.mu.Unlock()
	if ok && (valid == nil || valid(v)) {
		return v, nil
	}
	v, err := load()
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	if c.at == mark {
		if c.kept == nil || len(c.kept) >= markCacheMax {
			c.kept = map[any]any{}
		}
		c.kept[key] = v
	}
	c.mu.Unlock()
	return v, nil
}

// cachedRead is keptRead at the mark current reads.
func cachedRead[V any](ctx context.Context, s *Store, c *markCache, key any, valid func(V) bool, load func() (V, error)) (V, error) {
	mark, err := c.current(ctx, s)
	if err != nil {
		var zero V
		return zero, err
	}
	return keptRead(c, mark, key, valid, load)
}
