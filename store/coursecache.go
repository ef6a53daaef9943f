package store

import (
	"context"
	"maps"
	"time"
)

// The course reads the kiosk makes on every load of its courses pages
// are kept while the courses' mark stays the same (markcache.go).

// nextFresh is how long a site's next sessions are kept at most, even
// with the mark unchanged: sessions come within the kiosk's horizon as
// time passes. A listed session that starts ends it sooner.
const nextFresh = time.Minute

// Keys of the course cache, one type for each kind of answer.
type (
	courseKey         int64
	sessionKey        int64
	courseSessionsKey int64
	nextKey           struct {
		site    int64
		horizon time.Duration // until, from now, to the minute
	}
)

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

// Course loads a course with its texts.
func (s *Store) Course(ctx context.Context, id int64) (*Course, error) {
	mark, err := s.courseCache.current(ctx, s)
	if err != nil {
		return nil, err
	}
	return s.keptCourse(ctx, mark, id)
}

// keptCourse is a course as kept at mark, a copy the caller may change.
func (s *Store) keptCourse(ctx context.Context, mark, id int64) (*Course, error) {
	c, err := keptRead(&s.courseCache, mark, courseKey(id), nil, func() (Course, error) {
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
	mark, err := s.courseCache.current(ctx, s)
	if err != nil {
		return nil, err
	}
	return s.keptSession(ctx, mark, id)
}

func (s *Store) keptSession(ctx context.Context, mark, id int64) (*CourseSession, error) {
	cs, err := keptRead(&s.courseCache, mark, sessionKey(id), nil, func() (CourseSession, error) {
		var cs CourseSession
		err := s.R.WithContext(ctx).Take(&cs, id).Error
		return cs, notFound(err)
	})
	if err != nil {
		return nil, err
	}
	return &cs, nil
}

// SessionView loads a session with its course, both as kept at one mark
// (one read of the mark, where Session and Course take one each).
func (s *Store) SessionView(ctx context.Context, id int64) (*SessionView, error) {
	v, _, err := s.sessionView(ctx, id, false)
	return v, err
}

// SessionDates is SessionView with all the sessions of the course, by
// start, at the same mark.
func (s *Store) SessionDates(ctx context.Context, id int64) (*SessionView, []CourseSession, error) {
	return s.sessionView(ctx, id, true)
}

func (s *Store) sessionView(ctx context.Context, id int64, dates bool) (*SessionView, []CourseSession, error) {
	mark, err := s.courseCache.current(ctx, s)
	if err != nil {
		return nil, nil, err
	}
	cs, err := s.keptSession(ctx, mark, id)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.keptCourse(ctx, mark, cs.CourseID)
	if err != nil {
		return nil, nil, err
	}
	var all []CourseSession
	if dates {
		if all, err = s.keptCourseSessions(ctx, mark, cs.CourseID); err != nil {
			return nil, nil, err
		}
	}
	return &SessionView{CourseSession: *cs, Course: *c}, all, nil
}

// CourseSessions lists a course's sessions by start.
func (s *Store) CourseSessions(ctx context.Context, courseID int64) ([]CourseSession, error) {
	mark, err := s.courseCache.current(ctx, s)
	if err != nil {
		return nil, err
	}
	return s.keptCourseSessions(ctx, mark, courseID)
}

// keptCourseSessions is a course's sessions as kept at mark, a copy.
func (s *Store) keptCourseSessions(ctx context.Context, mark, courseID int64) ([]CourseSession, error) {
	ss, err := keptRead(&s.courseCache, mark, courseSessionsKey(courseID), nil, func() ([]CourseSession, error) {
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
	return cachedRead(ctx, s, &s.courseCache, key,
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
			l.Version = s.courseCache.next()
			return l, nil
		})
}
