package kiosk

import (
	"errors"
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/web"
)

// courseHorizon is how far ahead the kiosk lists course sessions.
const courseHorizon = 30 * 24 * time.Hour

// sessionTile is a course session as the kiosk shows it.
type sessionTile struct {
	ID          int64
	Pictogram   string
	Name, Descr string
	When, Place string
	Free        int
	FreeText    string
	Waiting     bool // on this member's list: the waiting list
	EnrolmentID int64
	// Say is the course's name and date; Parts are the date's prompts.
	Say   web.Speech
	Parts []string
}

func (k *Kiosk) tile(v *web.View, s store.SessionView, loc *time.Location) sessionTile {
	lang := v.L.Lang.Code
	t := sessionTile{ID: s.ID, Pictogram: s.Course.Pictogram, Name: s.Course.Name(lang, k.w.Opts.DefaultLang),
		Descr: s.Course.Description(lang, k.w.Opts.DefaultLang), Place: s.Place, Free: s.Free(),
		When: dayLabel(v.L, s.Start(), k.st.Now(), loc) + " " + v.L.Time(s.Start())}
	t.Parts = append([]string{fmt.Sprintf("course.%d", s.CourseID), t.Name}, whenSay(v.L, s.Start(), k.st.Now(), loc)...)
	t.Say = v.L.SayParts(t.Parts...)
	if t.Free > 0 {
		t.FreeText = v.L.N("kiosk.courses.free", t.Free)
	} else {
		t.FreeText = v.L.T("kiosk.courses.full")
	}
	return t
}

// courses lists the sessions of the coming weeks as tiles.
func (k *Kiosk) courses(c *fiber.Ctx) error {
	site := web.SiteOf(c)
	// One tile per course: its next session with a free seat, else its
	// next session (full, with a waiting list). Other dates are on the
	// course's own screen.
	next, err := k.st.NextSessions(c.UserContext(), site.ID, k.st.Now().Add(courseHorizon))
	if err != nil {
		return err
	}
	v := k.view(c, nil)
	tiles, err := k.courseTiles.Get(courseTilesKey{list: next.Version, loc: v.L, words: v.L.Version(),
		day: k.st.Now().In(site.Location()).Format(time.DateOnly)}, func() (template.HTML, error) {
		var b strings.Builder
		for _, s := range next.Sessions {
			t := k.tile(v, s, site.Location())
			h, err := k.w.CourseTile(t.ID, t.Pictogram, t.Name, t.When, t.FreeText, t.Free == 0, t.Say)
			if err != nil {
				return "", err
			}
			b.WriteString(string(h))
		}
		return template.HTML(b.String()), nil //nolint:gosec // CourseTile escapes
	})
	if err != nil {
		return err
	}
	v.Data = map[string]any{"Tiles": tiles}
	return k.w.Render(c, fiber.StatusOK, "kiosk/courses", v)
}

// courseTilesKey is what the courses screen's tiles are made of, by
// which Kiosk.courseTiles keeps them as written: the same for every
// visitor who reads them in one language on one day, and most of the
// screen's time. The store's list (its Version changes with any session,
// seat or text), the language and time zone (the Loc), its words and
// sounds (Loc.Version, counted by each Loc), and the day ("today",
// "tomorrow" and weekdays are counted from it).
type courseTilesKey struct {
	list  uint64
	loc   *web.Loc // the language and the site's time zone
	day   string
	words uint64
}

func (k *Kiosk) loadSession(c *fiber.Ctx) (*store.SessionView, error) {
	s, _, err := k.loadSessionDates(c, false)
	return s, err
}

// loadSessionDates is the session of the path with its course, and with
// dates all the course's sessions.
func (k *Kiosk) loadSessionDates(c *fiber.Ctx, dates bool) (*store.SessionView, []store.CourseSession, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return nil, nil, fiber.ErrNotFound
	}
	var s *store.SessionView
	var all []store.CourseSession
	if dates {
		s, all, err = k.st.SessionDates(c.UserContext(), id)
	} else {
		s, err = k.st.SessionView(c.UserContext(), id)
	}
	if err != nil {
		return nil, nil, err
	}
	if s.Course.SiteID != web.SiteOf(c).ID {
		return nil, nil, fiber.ErrNotFound // another site's course is not this kiosk's
	}
	return s, all, nil
}

// courseSession: one course, one question: enrol (or join the waiting list)?
func (k *Kiosk) courseSession(c *fiber.Ctx) error {
	s, all, err := k.loadSessionDates(c, true)
	if err != nil {
		return err
	}
	site := web.SiteOf(c)
	v := k.view(c, nil)
	// Other dates of an open course, to choose another one.
	var others strings.Builder
	if s.Course.Kind == store.CourseOpen {
		now, n := k.st.Now().Unix(), 0
		for _, o := range all {
			if o.ID != s.ID && o.StartsAt > now && o.StartsAt < now+int64(courseHorizon/time.Second) && n < 6 {
				t := k.tile(v, store.SessionView{CourseSession: o, Course: s.Course}, site.Location())
				others.WriteString(k.w.DateTile("/kiosk/courses/"+strconv.FormatInt(t.ID, 10), t.When, t.FreeText, t.Say))
				n++
			}
		}
	}
	v.Data = map[string]any{"S": k.tile(v, *s, site.Location()), "Others": template.HTML(others.String())} //nolint:gosec // DateTile escapes
	return k.w.Render(c, fiber.StatusOK, "kiosk/course", v)
}

func (k *Kiosk) enrol(c *fiber.Ctx) error {
	s, err := k.loadSession(c)
	if err != nil {
		return err
	}
	status, err := k.st.Enrol(c.UserContext(), store.EnrolInput{SessionID: s.ID, MemberID: memberID(c), Wait: c.FormValue("wait") == "1"})
	switch {
	case errors.Is(err, store.ErrSessionFull):
		// Someone took the last seat a moment ago: offer the waiting list.
		return k.enrolAnswer(c, "full", s.ID, false, fmt.Sprintf("/kiosk/courses/%d/full", s.ID))
	case errors.Is(err, store.ErrAlreadyEnrolled), errors.Is(err, store.ErrSessionStarted), errors.Is(err, store.ErrNoActiveCard):
		id := map[bool]string{true: "kiosk.courses.already", false: "kiosk.courses.started"}[errors.Is(err, store.ErrAlreadyEnrolled)]
		if errors.Is(err, store.ErrNoActiveCard) {
			id = "kiosk.lab.err.card"
		}
		return k.showNote(c, note{Error: id, Back: "/kiosk/courses", Status: fiber.StatusConflict})
	case err != nil:
		return err
	}
	return k.enrolAnswer(c, "enrolled", s.ID, status == store.Waiting, fmt.Sprintf("/kiosk/courses/%d/done", s.ID))
}

// enrolAnswer keeps what happened to the visitor's enrolment in their
// session, for the page the POST redirects to.
func (k *Kiosk) enrolAnswer(c *fiber.Ctx, key string, sessionID int64, waiting bool, to string) error {
	sess, err := k.w.Kiosk.Get(c)
	if err != nil {
		return err
	}
	sess.Set(key, sessionID)
	if key == "enrolled" {
		sess.Set("waiting", waiting)
	}
	if err := sess.Save(); err != nil {
		return err
	}
	return c.Redirect(to, fiber.StatusSeeOther)
}

// ownEnrolment loads an enrolment of the checked-in member; anyone else's
// is not found.
func (k *Kiosk) ownEnrolment(c *fiber.Ctx) (*store.Enrolment, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return nil, fiber.ErrNotFound
	}
	e, err := k.st.Enrolment(c.UserContext(), id)
	if err != nil {
		return nil, err
	}
	if e.MemberID != memberID(c) {
		return nil, fiber.ErrNotFound
	}
	return e, nil
}

func (k *Kiosk) enrolmentCancelConfirm(c *fiber.Ctx) error {
	e, err := k.ownEnrolment(c)
	if err != nil {
		return err
	}
	s, err := k.st.SessionView(c.UserContext(), e.SessionID)
	if err != nil {
		return err
	}
	site := web.SiteOf(c)
	v := k.view(c, nil)
	t := k.tile(v, *s, site.Location())
	v.Data = map[string]any{"When": t.Name + " · " + t.When, "Action": fmt.Sprintf("/kiosk/enrolments/%d/cancel", e.ID), "Icon": t.Pictogram,
		"Q": v.L.SayWith("kiosk.bookings.cancel_q", t.Parts)}
	return k.w.Render(c, fiber.StatusOK, "kiosk/cancel_confirm", v)
}

func (k *Kiosk) enrolmentCancel(c *fiber.Ctx) error {
	e, err := k.ownEnrolment(c)
	if err != nil {
		return err
	}
	return k.cancelled(c, k.st.CancelEnrolment(c.UserContext(), e.ID, memberID(c)))
}

// rate asks the one satisfaction question, four faces and a skip.
func (k *Kiosk) rate(c *fiber.Ctx) error {
	s, err := k.loadSession(c)
	if err != nil {
		return err
	}
	v := k.view(c, nil)
	name := s.Course.Name(v.L.Lang.Code, k.w.Opts.DefaultLang)
	v.Data = map[string]any{"ID": s.ID, "Name": name, "Pictogram": s.Course.Pictogram,
		"Q": v.L.SayParts("kiosk.rate.question", v.L.T("kiosk.rate.question"), fmt.Sprintf("course.%d", s.CourseID), name)}
	return k.w.Render(c, fiber.StatusOK, "kiosk/rate", v)
}

func (k *Kiosk) rateSubmit(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	score, err := strconv.Atoi(c.FormValue("score"))
	if err != nil || score < 0 || score > 4 {
		return fiber.NewError(fiber.StatusBadRequest, "error.bad_request")
	}
	if err := k.st.Rate(c.UserContext(), id, memberID(c), score); err != nil {
		return err
	}
	sess, err := k.w.Kiosk.Get(c)
	if err != nil {
		return err
	}
	sess.Set("rated", true)
	if score != 0 {
		setNote(sess, note{Flash: "kiosk.rate.thanks", Back: "/kiosk/home"})
	}
	if err := sess.Save(); err != nil {
		return err
	}
	if score == 0 {
		return c.Redirect("/kiosk/home", fiber.StatusSeeOther)
	}
	return c.Redirect("/kiosk/message", fiber.StatusSeeOther)
}
