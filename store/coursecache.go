package store

import (
	"context"
	"maps"
	"sync"
	"time"
)

// The kiosk reads the same course rows on every load of its courses
// pages: a site's next sessions, a course with its texts, a session, a
// course's dates. The store keeps what it read while the courses' mark
// stays the same (migration 24: every write to the courses' tables sets
// it anew, whichever server or tool makes it), so such a read costs one
// primary-key read of the mark instead of its queries. The mark is read
// before the rows: rows read after a change are never kept under a mark
// from before it, and nothing kept is shown once the mark has moved.

// nextFresh is how long a site's next sessions are kept at most, even
// with the mark unchanged: sessions come within the kiosk's horizon as
// time passes. A listed session that starts ends it sooner.
const nextFresh = time.Minute

// courseCacheMax bounds each of the cache's maps: past it, the map starts
// again empty.
const courseCacheMax = 10_000

type courseCache struct {
	mu       sync.Mutex
	mark     int64
	lists    uint64 // how many lists NextSessions made: each list's Version
	next     map[nextKey]SessionList
	courses  map[int64]Course
	sessions map[int64]CourseSession
	ofCourse map[int64][]CourseSession
}

type nextKey struct {
	site    int64
	horizon time.Duration // until, from now, to the minute
}

// SessionList is a site's next sessions, as NextSessions lists them.
// Several callers may share it: read it, never change it.
type SessionList struct {
	Sessions []SessionView
	// Version names the list: a list with other sessions, seats or texts
	// has another. The kiosk keys what it makes of the list by it.
	Version uint64
	// until is when the list may be out of date without a write.
	until time.Time
}

// at forgets everything kept when the mark is not the one it was kept
// under.
func (c *courseCache) at(mark int64) {
	if c.mark != mark {
		c.mark, c.next, c.courses, c.sessions, c.ofCourse = mark, nil, nil, nil, nil
	}
}

// forget empties the cache.
func (c *courseCache) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.next, c.courses, c.sessions, c.ofCourse = nil, nil, nil, nil
}

func (s *Store) courseMark(ctx context.Context) (int64, error) {
	var mark int64
	err := s.R.WithContext(ctx).Raw("SELECT mark FROM change_marks WHERE name = 'courses'").Scan(&mark).Error
	return mark, err
}

// cachedCourseRead answers from the course cache's map that pick names,
// or with load, whose answer it keeps; valid may refuse what was kept.
func cachedCourseRead[K comparable, V any](ctx context.Context, s *Store, pick func(*courseCache) *map[K]V, key K,
	valid func(V) bool, load func() (V, error)) (V, error) {
	mark, err := s.courseMark(ctx)
	if err != nil {
		var zero V
		return zero, err
	}
	c := &s.courseCache
	c.mu.Lock()
	c.at(mark)
	v, ok := (*pick(c))[key]
	c.mu.Unlock()
	if ok && (valid == nil || valid(v)) {
		return v, nil
	}
	if v, err = load(); err != nil {
		return v, err
	}
	c.mu.Lock()
	if c.mark == mark {
		m := pick(c)
		if *m == nil || len(*m) >= courseCacheMax {
			*m = map[K]V{}
		}
		(*m)[key] = v
	}
	c.mu.Unlock()
	return v, nil
}

// Course loads a course with its texts.
func (s *Store) Course(ctx context.Context, id int64) (*Course, error) {
	c, err := cachedCourseRead(ctx, s, func(c *courseCache) *map[int64]Course { return &c.courses }, id, nil,
		func() (Course, error) {
			cs, err := s.coursesByID(ctx, []int64{id})
			if err != nil {
				return Course{}, err
			}
			c, ok := cs[id]
			if !ok {
				return Course{}, ErrNotFound
			}
			return c, nil
		})
	if err != nil {
		return nil, err
	}
	c.Texts = maps.Clone(c.Texts) // the kept one stays as it was read
	return &c, nil
}

// Session loads a course session.
func (s *Store) Session(ctx context.Context, id int64) (*CourseSession, error) {
	cs, err := cachedCourseRead(ctx, s, func(c *courseCache) *map[int64]CourseSession { return &c.sessions }, id, nil,
		func() (CourseSession, error) {
			var cs CourseSession
			err := s.R.WithContext(ctx).Take(&cs, id).Error
			return cs, notFound(err)
		})
	if err != nil {
		return nil, err
	}
	return &cs, nil
}

// CourseSessions lists a course's sessions by start.
func (s *Store) CourseSessions(ctx context.Context, courseID int64) ([]CourseSession, error) {
	ss, err := cachedCourseRead(ctx, s, func(c *courseCache) *map[int64][]CourseSession { return &c.ofCourse }, courseID, nil,
		func() ([]CourseSession, error) {
			var ss []CourseSession
			err := s.R.WithContext(ctx).Where("course_id = ?", courseID).Order("starts_at").Find(&ss).Error
			return ss, err
		})
	return append([]CourseSession(nil), ss...), err
}

// NextSessions lists, for each course of a site with a session between
// now and until, its next session with a free seat, or else its next
// session: one tile per course at the kiosk. Earliest first. A course
// for tandems is not offered there: a coordinator enrols the pair.
func (s *Store) NextSessions(ctx context.Context, siteID int64, until time.Time) (SessionList, error) {
	now := s.Now()
	key := nextKey{siteID, until.Sub(now).Round(time.Minute)}
	return cachedCourseRead(ctx, s, func(c *courseCache) *map[nextKey]SessionList { return &c.next }, key,
		func(l SessionList) bool { return s.Now().Before(l.until) },
		func() (SessionList, error) {
			views, err := s.nextSessions(ctx, siteID, now, until)
			if err != nil {
				return SessionList{}, err
			}
			l := SessionList{Sessions: views, until: now.Add(nextFresh)}
			for _, v := range views {
				if st := v.Start(); st.Before(l.until) {
					l.until = st
				}
			}
			s.courseCache.mu.Lock()
			s.courseCache.lists++
			l.Version = s.courseCache.lists
			s.courseCache.mu.Unlock()
			return l, nil
		})
}
