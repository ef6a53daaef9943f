package admin

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/web"
)

func (a *Admin) coursesList(c *fiber.Ctx) error {
	ctx := c.UserContext()
	site := web.SiteOf(c)
	cs, err := a.st.Courses(ctx, site.ID)
	if err != nil {
		return err
	}
	upcoming, err := a.st.UpcomingSessions(ctx, site.ID, a.st.Now().AddDate(0, 3, 0))
	if err != nil {
		return err
	}
	next := map[int64]store.SessionView{}
	for _, s := range upcoming {
		if _, ok := next[s.CourseID]; !ok {
			next[s.CourseID] = s
		}
	}
	return a.w.Render(c, fiber.StatusOK, "admin/courses", a.view(c, map[string]any{"Courses": cs, "Next": next}))
}

// courseForm is the course editor, new (id 0) or existing.
func (a *Admin) courseForm(c *fiber.Ctx) error {
	v := a.view(c, nil)
	id := int64(0)
	v.Form["kind"], v.Form["pictogram"], v.Form["activity"] = string(store.CourseOpen), "course", string(store.ActivityOther)
	v.Form["audience"] = string(store.AudienceMembers)
	if c.Params("id") != "" {
		course, err := a.loadCourse(c)
		if err != nil {
			return err
		}
		id = course.ID
		v.Form["kind"], v.Form["pictogram"], v.Form["activity"] = string(course.Kind), course.Pictogram, string(course.Activity)
		v.Form["audience"] = string(course.Audience)
		for lang, t := range course.Texts {
			v.Form["name_"+lang], v.Form["description_"+lang] = t.Name, t.Description
		}
	}
	v.Data = courseFormData(id)
	return a.w.Render(c, fiber.StatusOK, "admin/course_form", v)
}

func courseFormData(id int64) map[string]any {
	return map[string]any{"ID": id, "Kinds": store.CourseKinds, "Activities": store.CourseActivities, "Audiences": store.CourseAudiences, "Pictograms": store.CoursePictograms, "Langs": web.KioskLanguages()}
}

func (a *Admin) courseSave(c *fiber.Ctx) error {
	ctx := c.UserContext()
	site := web.SiteOf(c)
	var err error
	var id int64
	if c.Params("id") != "" {
		if id, err = idParam(c); err != nil {
			return err
		}
	}
	in := store.CourseInput{Kind: store.CourseKind(c.FormValue("kind")), Activity: store.CourseActivity(c.FormValue("activity")),
		Audience: store.CourseAudience(c.FormValue("audience")), Pictogram: c.FormValue("pictogram"), Texts: map[string]store.CourseText{}}
	form := map[string]string{"kind": c.FormValue("kind"), "pictogram": c.FormValue("pictogram"), "activity": c.FormValue("activity"),
		"audience": c.FormValue("audience")}
	for _, l := range web.KioskLanguages() {
		name, descr := c.FormValue("name_"+l.Code), c.FormValue("description_"+l.Code)
		form["name_"+l.Code], form["description_"+l.Code] = name, descr
		in.Texts[l.Code] = store.CourseText{Name: name, Description: descr}
	}
	course, err := a.st.SaveCourse(ctx, id, site.ID, in)
	if err != nil {
		v := a.view(c, courseFormData(id))
		v.Form = form
		if formError(v, err) {
			return a.w.Render(c, fiber.StatusUnprocessableEntity, "admin/course_form", v)
		}
		return err
	}
	a.flash(c, "admin.members.saved")
	return c.Redirect(fmt.Sprintf("/admin/courses/%d", course.ID), fiber.StatusSeeOther)
}

func (a *Admin) loadCourse(c *fiber.Ctx) (*store.Course, error) { return load(c, a.st.Course) }

type sessionRow struct {
	store.CourseSession
	Waiting int
	Ratings [5]int
	Rated   int
}

func (a *Admin) courseShow(c *fiber.Ctx) error {
	course, err := a.loadCourse(c)
	if err != nil {
		return err
	}
	v, err := a.courseView(c, course)
	if err != nil {
		return err
	}
	if n := c.QueryInt("made"); n > 0 && n <= store.MaxSessionsAtOnce {
		v.Flash = v.L.N("admin.courses.repeat.made", n)
	}
	return a.w.Render(c, fiber.StatusOK, "admin/course", v)
}

// courseView is the course page: its sessions with their smileys, and the
// form that adds one session or a weekly series.
func (a *Admin) courseView(c *fiber.Ctx, course *store.Course) (*web.View, error) {
	ctx := c.UserContext()
	ss, err := a.st.CourseSessions(ctx, course.ID)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(ss))
	for i, s := range ss {
		ids[i] = s.ID
	}
	waiting, err := a.st.WaitingCounts(ctx, ids)
	if err != nil {
		return nil, err
	}
	rows := make([]sessionRow, len(ss))
	var total [5]int
	for i, s := range ss {
		r, err := a.st.SessionRatings(ctx, s.ID)
		if err != nil {
			return nil, err
		}
		rows[i] = sessionRow{CourseSession: s, Waiting: waiting[s.ID], Ratings: r}
		for k := 1; k <= 4; k++ {
			rows[i].Rated += r[k]
			total[k] += r[k]
		}
	}
	users, err := a.st.Users(ctx)
	if err != nil {
		return nil, err
	}
	v := a.view(c, nil)
	lang := v.L.Lang.Code
	v.Data = map[string]any{"Course": course, "Name": course.Name(lang), "Sessions": rows, "Users": users,
		"Chart": ratingChart(total), "Weekdays": weekdayChoices(v.L), "Max": store.MaxSessionsAtOnce}
	return v, nil
}

// choice is one option of a select.
type choice struct {
	Value, Label string
}

// weekdayChoices are the days of the week, Monday first, in the page's
// language.
func weekdayChoices(l *web.Loc) []choice {
	var out []choice
	for _, d := range []int{1, 2, 3, 4, 5, 6, 0} {
		out = append(out, choice{strconv.Itoa(d), l.T(fmt.Sprintf("weekday.%d", d))})
	}
	return out
}

// ratingBar is one face of the satisfaction chart.
type ratingBar struct {
	Score, Count, Percent int
}

func ratingChart(r [5]int) []ratingBar {
	sum := r[1] + r[2] + r[3] + r[4]
	var bars []ratingBar
	for k := 4; k >= 1; k-- {
		p := 0
		if sum > 0 {
			p = r[k] * 100 / sum
		}
		bars = append(bars, ratingBar{k, r[k], p})
	}
	return bars
}

// parseSessionForm reads date, start, end, place, seats and facilitator.
func parseSessionForm(c *fiber.Ctx, loc *time.Location) (store.SessionInput, map[string]string, error) {
	form := map[string]string{}
	for _, k := range []string{"date", "start", "end", "place", "seats", "facilitator"} {
		form[k] = strings.TrimSpace(c.FormValue(k))
	}
	in := store.SessionInput{Place: form["place"]}
	start, err1 := time.ParseInLocation("2006-01-02 15:04", form["date"]+" "+form["start"], loc)
	end, err2 := time.ParseInLocation("2006-01-02 15:04", form["date"]+" "+form["end"], loc)
	if err1 != nil {
		return in, form, &store.FieldError{Field: "start", Code: "bad_date"}
	}
	if err2 != nil {
		return in, form, &store.FieldError{Field: "end", Code: "bad_end"}
	}
	in.Start, in.End = start, end
	seats, err := strconv.Atoi(form["seats"])
	if err != nil {
		return in, form, &store.FieldError{Field: "seats", Code: "out_of_range"}
	}
	in.Seats = seats
	if f, err := strconv.ParseInt(form["facilitator"], 10, 64); err == nil && f > 0 {
		in.FacilitatorID = &f
	}
	return in, form, nil
}

// sessionAdd adds one session, or with repeat=weekly a weekly series in
// one step (all or none), or with preview=1 shows the series' dates
// first. Bad input shows the course page again with the form and its
// message.
func (a *Admin) sessionAdd(c *fiber.Ctx) error {
	course, err := a.loadCourse(c)
	if err != nil {
		return err
	}
	site := web.SiteOf(c)
	in, form, err := parseSessionForm(c, site.Location())
	for _, k := range []string{"repeat", "weekday", "weeks", "until", "skip"} {
		form[k] = strings.TrimSpace(c.FormValue(k))
	}
	weekly := form["repeat"] == "weekly"
	var plan []store.SessionInput
	var skipped []time.Time
	if err == nil && weekly {
		plan, skipped, err = parseRepeat(form, in, site.Location())
	}
	preview := c.FormValue("preview") == "1"
	if err == nil && !preview {
		if weekly {
			var made []store.CourseSession
			made, err = a.st.AddSessions(c.UserContext(), course.ID, plan)
			if err == nil {
				a.log.Info("sessions added", "course", course.ID, "count", len(made), "by", currentUser(c).ID)
				// The page says how many were made.
				return c.Redirect(fmt.Sprintf("/admin/courses/%d?made=%d", course.ID, len(made)), fiber.StatusSeeOther)
			}
		} else {
			_, err = a.st.AddSession(c.UserContext(), course.ID, in)
		}
	}
	if err != nil || preview {
		fe, isField := store.AsFieldError(err)
		if err != nil && !isField {
			return err
		}
		v, verr := a.courseView(c, course)
		if verr != nil {
			return verr
		}
		v.Form = form
		if isField {
			msg := v.L.Field(fe.Field, fe.Code)
			if id := "admin.courses.repeat.err." + fe.Code; v.L.Has(id) {
				msg = v.L.T(id, "Max", store.MaxSessionsAtOnce)
			} else if id := "error.session." + fe.Field; v.L.Has(id) {
				msg = v.L.T(id)
			}
			v.Fields[fe.Field], v.Error = msg, v.L.T("error.form")
			return a.w.Render(c, fiber.StatusUnprocessableEntity, "admin/course", v)
		}
		var dates []time.Time
		if weekly {
			for _, p := range plan {
				dates = append(dates, p.Start)
			}
		} else {
			dates = []time.Time{in.Start}
		}
		v.Data.(map[string]any)["Preview"] = map[string]any{"Dates": dates, "Skipped": skipped, "End": in.End}
		return a.w.Render(c, fiber.StatusOK, "admin/course", v)
	}
	a.flash(c, "admin.courses.session_added")
	return c.Redirect(fmt.Sprintf("/admin/courses/%d", course.ID), fiber.StatusSeeOther)
}

// parseRepeat reads a weekly series from the session form: its first day
// and clock times (in), the weekday (the first day's when none), for a
// number of weeks or until a day, and the days to skip, separated by
// commas, spaces or lines.
func parseRepeat(form map[string]string, in store.SessionInput, loc *time.Location) ([]store.SessionInput, []time.Time, error) {
	start, end := in.Start.In(loc), in.End.In(loc)
	r := store.SessionRepeat{From: start, Weekday: start.Weekday(), Loc: loc, Place: in.Place, Seats: in.Seats,
		FacilitatorID: in.FacilitatorID, Start: start.Hour()*60 + start.Minute(), End: end.Hour()*60 + end.Minute()}
	if end.Day() != start.Day() || !end.After(start) {
		return nil, nil, &store.FieldError{Field: "end", Code: "bad_end"}
	}
	if form["weekday"] != "" {
		d, err := strconv.Atoi(form["weekday"])
		if err != nil || d < 0 || d > 6 {
			return nil, nil, &store.FieldError{Field: "weekday", Code: "bad_choice"}
		}
		r.Weekday = time.Weekday(d)
	}
	if form["weeks"] != "" {
		n, err := strconv.Atoi(form["weeks"])
		if err != nil || n < 1 {
			return nil, nil, &store.FieldError{Field: "weeks", Code: "repeat_range"}
		}
		r.Weeks = n
	}
	if form["until"] != "" {
		u, err := time.ParseInLocation(time.DateOnly, form["until"], loc)
		if err != nil {
			return nil, nil, &store.FieldError{Field: "until", Code: "bad_date"}
		}
		r.Until = u
	}
	for _, f := range strings.FieldsFunc(form["skip"], func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' }) {
		d, err := time.ParseInLocation(time.DateOnly, f, loc)
		if err != nil {
			return nil, nil, &store.FieldError{Field: "skip", Code: "bad_date"}
		}
		r.Skip = append(r.Skip, d)
	}
	return r.Plan()
}

func (a *Admin) loadSession(c *fiber.Ctx) (*store.CourseSession, *store.Course, error) {
	id, err := idParam(c)
	if err != nil {
		return nil, nil, err
	}
	s, err := a.st.Session(c.UserContext(), id)
	if err != nil {
		return nil, nil, err
	}
	course, err := a.st.Course(c.UserContext(), s.CourseID)
	return s, course, err
}

// sessionShow is the roll call: who is enrolled (tap to mark present),
// who waits, and the session's editor.
func (a *Admin) sessionShow(c *fiber.Ctx) error {
	s, course, err := a.loadSession(c)
	if err != nil {
		return err
	}
	rows, err := a.st.SessionEnrolments(c.UserContext(), s.ID)
	if err != nil {
		return err
	}
	ratings, err := a.st.SessionRatings(c.UserContext(), s.ID)
	if err != nil {
		return err
	}
	users, err := a.st.Users(c.UserContext())
	if err != nil {
		return err
	}
	site := web.SiteOf(c)
	v := a.view(c, nil)
	loc := site.Location()
	v.Form = map[string]string{"date": s.Start().In(loc).Format(time.DateOnly), "start": s.Start().In(loc).Format("15:04"),
		"end": s.End().In(loc).Format("15:04"), "place": s.Place, "seats": strconv.Itoa(s.Seats)}
	if s.FacilitatorID != nil {
		v.Form["facilitator"] = strconv.FormatInt(*s.FacilitatorID, 10)
	}
	var enrolled, waiting []store.EnrolmentRow
	for _, r := range rows {
		if r.Status == store.Enrolled {
			enrolled = append(enrolled, r)
		} else {
			waiting = append(waiting, r)
		}
	}
	v.Data = map[string]any{"S": s, "Course": course, "Name": course.Name(v.L.Lang.Code), "Enrolled": enrolled, "Waiting": waiting,
		"Users": users, "Chart": ratingChart(ratings), "Skipped": ratings[0], "RollOpen": store.RollCallOpen(*s, a.st.Now()),
		"Marks": []store.RollMark{store.RollPresent, store.RollAbsent, store.RollExcused}}
	return a.w.Render(c, fiber.StatusOK, "admin/session", v)
}

func (a *Admin) sessionAttend(c *fiber.Ctx) error {
	s, _, err := a.loadSession(c)
	if err != nil {
		return err
	}
	eid, err := strconv.ParseInt(c.FormValue("enrolment"), 10, 64)
	if err != nil {
		return fiber.NewError(fiber.StatusBadRequest, "error.bad_request")
	}
	e, err := a.st.Enrolment(c.UserContext(), eid)
	if err != nil {
		return err
	}
	if e.SessionID != s.ID {
		return fiber.ErrNotFound // another session's enrolment
	}
	mark := store.RollMark(c.FormValue("mark"))
	if mark == "" { // the older form: present=1 or 0
		mark = store.RollAbsent
		if c.FormValue("present") == "1" {
			mark = store.RollPresent
		}
	}
	err = a.st.SetRoll(c.UserContext(), eid, mark)
	switch {
	case errors.Is(err, store.ErrRollNotOpen):
		return rollNotOpen(s.ID)
	case errors.Is(err, store.ErrInvalid):
		return fiber.NewError(fiber.StatusBadRequest, "error.bad_request")
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return err
	}
	return c.Redirect(fmt.Sprintf("/admin/sessions/%d", s.ID), fiber.StatusSeeOther)
}

// sessionAddMember adds a member by check code: a walk-in who is here now,
// or an enrolment (or waiting-list place) made at the desk.
func (a *Admin) sessionAddMember(c *fiber.Ctx) error {
	s, _, err := a.loadSession(c)
	if err != nil {
		return err
	}
	m, err := a.st.MemberByCheckCode(c.UserContext(), c.FormValue("code"), web.SiteOf(c).ID)
	if errors.Is(err, store.ErrNotFound) {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "admin.courses.err.no_such_code")
	}
	if err != nil {
		return err
	}
	by := currentUser(c).ID
	if c.FormValue("walkin") == "1" {
		err = a.st.AddWalkIn(c.UserContext(), s.ID, m.ID, &by)
	} else {
		_, err = a.st.Enrol(c.UserContext(), store.EnrolInput{SessionID: s.ID, MemberID: m.ID, By: &by, Wait: true})
	}
	switch {
	case errors.Is(err, store.ErrRollNotOpen):
		return rollNotOpen(s.ID)
	case errors.Is(err, store.ErrAlreadyEnrolled):
		return fiber.NewError(fiber.StatusConflict, "kiosk.courses.already")
	case errors.Is(err, store.ErrSessionStarted):
		return fiber.NewError(fiber.StatusConflict, "admin.courses.err.started")
	case errors.Is(err, store.ErrNoActiveCard):
		return fiber.NewError(fiber.StatusConflict, "kiosk.lab.err.card")
	case err != nil:
		return err
	}
	a.flash(c, "admin.members.saved")
	return c.Redirect(fmt.Sprintf("/admin/sessions/%d", s.ID), fiber.StatusSeeOther)
}

// sessionUpdate changes a session; fewer seats than enrolled asks first,
// naming who would move to the waiting list.
func (a *Admin) sessionUpdate(c *fiber.Ctx) error {
	s, _, err := a.loadSession(c)
	if err != nil {
		return err
	}
	site := web.SiteOf(c)
	in, form, err := parseSessionForm(c, site.Location())
	confirmed := c.FormValue("confirm") == "yes"
	var moved []store.EnrolmentRow
	if err == nil {
		moved, err = a.st.UpdateSession(c.UserContext(), s.ID, in, confirmed)
	}
	if fe, ok := store.AsFieldError(err); ok && fe.Code == "below_enrolled" {
		rows, err := a.st.SessionEnrolments(c.UserContext(), s.ID)
		if err != nil {
			return err
		}
		var affected []string
		n := s.Taken - in.Seats
		for i := len(rows) - 1; i >= 0 && len(affected) < n; i-- {
			if rows[i].Status == store.Enrolled {
				affected = append(affected, rows[i].Nickname)
			}
		}
		v := a.view(c, map[string]any{"Action": fmt.Sprintf("/admin/sessions/%d/edit", s.ID), "Affected": affected,
			"Question": "admin.courses.confirm_seats", "Back": fmt.Sprintf("/admin/sessions/%d", s.ID)})
		v.Form = form
		return a.w.Render(c, fiber.StatusConflict, "admin/confirm", v)
	}
	if fe, ok := store.AsFieldError(err); ok {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "error.session."+fe.Field)
	}
	if err != nil {
		return err
	}
	if len(moved) > 0 {
		a.log.Info("session seats reduced", "session", s.ID, "moved", len(moved), "by", currentUser(c).ID)
	}
	a.flash(c, "admin.members.saved")
	return c.Redirect(fmt.Sprintf("/admin/sessions/%d", s.ID), fiber.StatusSeeOther)
}

// sessionDelete removes a session after a confirmation that names everyone
// enrolled or waiting.
func (a *Admin) sessionDelete(c *fiber.Ctx) error {
	s, course, err := a.loadSession(c)
	if err != nil {
		return err
	}
	if c.FormValue("confirm") != "yes" {
		rows, err := a.st.SessionEnrolments(c.UserContext(), s.ID)
		if err != nil {
			return err
		}
		var affected []string
		for _, r := range rows {
			affected = append(affected, r.Nickname)
		}
		v := a.view(c, map[string]any{"Action": fmt.Sprintf("/admin/sessions/%d/delete", s.ID), "Affected": affected,
			"Question": "admin.courses.confirm_delete", "Back": fmt.Sprintf("/admin/sessions/%d", s.ID)})
		return a.w.Render(c, fiber.StatusOK, "admin/confirm", v)
	}
	if err := a.st.DeleteSession(c.UserContext(), s.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	a.log.Info("session deleted", "session", s.ID, "by", currentUser(c).ID)
	a.flash(c, "admin.courses.session_deleted")
	return c.Redirect(fmt.Sprintf("/admin/courses/%d", course.ID), fiber.StatusSeeOther)
}

func (a *Admin) enrolmentCancel(c *fiber.Ctx) error {
	e, err := load(c, a.st.Enrolment)
	if err != nil {
		return err
	}
	id := e.ID
	if err := a.st.CancelEnrolment(c.UserContext(), id, 0); errors.Is(err, store.ErrNotFound) {
		return fiber.NewError(fiber.StatusConflict, "admin.lab.err.not_cancellable")
	} else if err != nil {
		return err
	}
	a.flash(c, "admin.lab.cancelled")
	return c.Redirect(safeBack(c.FormValue("back"), fmt.Sprintf("/admin/sessions/%d", e.SessionID)), fiber.StatusSeeOther)
}

// rollNotOpen refuses a roll call, or a walk-in, before the session is on.
func rollNotOpen(int64) error {
	return fiber.NewError(fiber.StatusConflict, "admin.courses.err.not_started")
}
