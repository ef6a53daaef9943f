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

// Mentoring tandems: coordinators (and admins) pair a mentor with a member
// and follow them; a mentor sees their own tandems and nothing else. A
// meeting's note is read on these pages only, by the tandem's mentor and
// the coordinators: it is in no export and no figure.

// mentorHome is a mentor's start page: their tandems, in place of the
// dashboard, which holds what the desk sees of the day.
func (a *Admin) mentorHome(c *fiber.Ctx) error {
	if u := currentUser(c); u != nil && u.Role == store.RoleMentor {
		return a.tandemsList(c)
	}
	return c.Next()
}

// ownTandem comes after a.at(store.KindTandem): it lets a mentor reach
// only their own tandems (another's is a 404, as if it did not exist),
// and keeps the tandem for the handler.
func (a *Admin) ownTandem(c *fiber.Ctx) error {
	t, err := load(c, a.st.Tandem)
	if err != nil {
		return err
	}
	if u := currentUser(c); u.Role == store.RoleMentor && t.MentorID != u.ID {
		return fiber.ErrNotFound
	}
	c.Locals("tandem", t)
	return c.Next()
}

func tandemOf(c *fiber.Ctx) *store.TandemRow {
	t, _ := c.Locals("tandem").(*store.TandemRow)
	return t
}

// manages reports whether the user pairs tandems (coordinators, admins),
// rather than being a mentor in one.
func manages(c *fiber.Ctx) bool {
	u := currentUser(c)
	return u != nil && (u.Role == store.RoleAdmin || u.Role == store.RoleCoordinator)
}

// goalChoice is a goal or topic as a toggle: its pictogram and whether it
// is on.
type goalChoice struct {
	Value, Pictogram string
	On               bool
}

func goalChoices(on []string) []goalChoice {
	out := make([]goalChoice, len(store.TandemGoals))
	for i, g := range store.TandemGoals {
		out[i] = goalChoice{Value: g, Pictogram: store.TandemGoalPictogram(g)}
		for _, x := range on {
			out[i].On = out[i].On || x == g
		}
	}
	return out
}

// siteToday is today at the request's site.
func (a *Admin) siteToday(c *fiber.Ctx) time.Time {
	return a.st.Now().In(web.SiteOf(c).Location())
}

func (a *Admin) tandemsList(c *fiber.Ctx) error {
	site := web.SiteOf(c)
	var mentorID int64
	if !manages(c) {
		mentorID = currentUser(c).ID
	}
	rows, err := a.st.Tandems(c.UserContext(), site.ID, mentorID)
	if err != nil {
		return err
	}
	return a.w.Render(c, fiber.StatusOK, "admin/tandems", a.view(c, map[string]any{
		"Rows": rows, "Site": site.Name, "Manages": manages(c), "Today": a.siteToday(c).Format(time.DateOnly),
	}))
}

// tandemFormView is the tandem form, new (t nil) or existing.
func (a *Admin) tandemFormView(c *fiber.Ctx, t *store.TandemRow, goals []string) (*web.View, error) {
	mentors, err := a.st.Mentors(c.UserContext(), web.SiteOf(c).ID)
	if err != nil {
		return nil, err
	}
	return a.view(c, map[string]any{"T": t, "Mentors": mentors, "Goals": goalChoices(goals)}), nil
}

func (a *Admin) tandemForm(c *fiber.Ctx) error {
	t := tandemOf(c)
	today := a.siteToday(c)
	form := map[string]string{"starts_on": today.Format(time.DateOnly), "ends_on": today.AddDate(0, 6, 0).Format(time.DateOnly)}
	var goals []string
	if t != nil {
		form = map[string]string{"mentor": strconv.FormatInt(t.MentorID, 10), "starts_on": t.StartsOn, "ends_on": t.EndsOn}
		goals = t.GoalList()
	}
	v, err := a.tandemFormView(c, t, goals)
	if err != nil {
		return err
	}
	v.Form = form
	return a.w.Render(c, fiber.StatusOK, "admin/tandem_form", v)
}

// tandemInput reads the tandem form; the mentee is found by the check
// code on their card, behind the walls of the request's site.
func (a *Admin) tandemInput(c *fiber.Ctx) (store.TandemInput, map[string]string) {
	form := map[string]string{}
	for _, k := range []string{"mentor", "code", "starts_on", "ends_on"} {
		form[k] = strings.TrimSpace(c.FormValue(k))
	}
	in := store.TandemInput{StartsOn: form["starts_on"], EndsOn: form["ends_on"], Goals: formValues(c, "goals")}
	in.MentorID, _ = strconv.ParseInt(form["mentor"], 10, 64)
	return in, form
}

// formValues is every value a posted form gives a name.
func formValues(c *fiber.Ctx, name string) []string {
	var out []string
	for _, raw := range c.Request().PostArgs().PeekMulti(name) {
		out = append(out, string(raw))
	}
	return out
}

// tandemFail shows a form again with what was typed and why it was
// refused; an error that is not a field's is passed on.
func (a *Admin) tandemFail(c *fiber.Ctx, page string, v *web.View, form map[string]string, err error) error {
	fe, ok := store.AsFieldError(err)
	if !ok {
		return err
	}
	v.Form = form
	msg := v.L.Field(fe.Field, fe.Code)
	for _, id := range []string{"admin.tandems.err." + fe.Field + "." + fe.Code, "admin.tandems.err." + fe.Field} {
		if v.L.Has(id) {
			msg = v.L.T(id)
			break
		}
	}
	v.Fields[fe.Field], v.Error = msg, v.L.T("error.form")
	return a.w.Render(c, fiber.StatusUnprocessableEntity, page, v)
}

func (a *Admin) tandemCreate(c *fiber.Ctx) error {
	ctx := c.UserContext()
	site := web.SiteOf(c)
	in, form := a.tandemInput(c)
	var t *store.Tandem
	m, err := a.st.MemberByCheckCode(ctx, form["code"], site.ID)
	if errors.Is(err, store.ErrNotFound) {
		err = &store.FieldError{Field: "member", Code: "bad_choice"}
	}
	if err == nil {
		in.MemberID = m.ID
		t, err = a.st.CreateTandem(ctx, site.ID, in, currentUser(c).ID)
	}
	if err != nil {
		v, verr := a.tandemFormView(c, nil, in.Goals)
		if verr != nil {
			return verr
		}
		return a.tandemFail(c, "admin/tandem_form", v, form, err)
	}
	a.log.Info("tandem made", "tandem", t.ID, "by", currentUser(c).ID)
	a.flash(c, "admin.members.saved")
	return c.Redirect(fmt.Sprintf("/admin/tandems/%d", t.ID), fiber.StatusSeeOther)
}

func (a *Admin) tandemUpdate(c *fiber.Ctx) error {
	t := tandemOf(c)
	in, form := a.tandemInput(c)
	if err := a.st.UpdateTandem(c.UserContext(), t.ID, in); err != nil {
		v, verr := a.tandemFormView(c, t, in.Goals)
		if verr != nil {
			return verr
		}
		return a.tandemFail(c, "admin/tandem_form", v, form, err)
	}
	a.flash(c, "admin.members.saved")
	return c.Redirect(fmt.Sprintf("/admin/tandems/%d", t.ID), fiber.StatusSeeOther)
}

// tandemView is the tandem's page: the pair, their goals, meetings,
// outcomes and workshops.
func (a *Admin) tandemView(c *fiber.Ctx, t *store.TandemRow) (*web.View, error) {
	ctx := c.UserContext()
	meetings, err := a.st.TandemMeetings(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	outcomes, err := a.st.TandemOutcomes(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	workshops, err := a.st.TandemEnrolments(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	var sessions []store.SessionView
	if manages(c) {
		if sessions, err = a.st.TandemSessions(ctx, t.SiteID); err != nil {
			return nil, err
		}
	}
	v := a.view(c, map[string]any{
		"T": t, "Goals": t.GoalList(), "Meetings": meetings, "Outcomes": outcomes, "OutcomeKinds": store.OutcomeKinds,
		"Workshops": workshops, "Sessions": sessions, "Manages": manages(c), "Today": a.siteToday(c).Format(time.DateOnly),
	})
	v.Form["outcome_day"] = a.siteToday(c).Format(time.DateOnly)
	return v, nil
}

func (a *Admin) tandemShow(c *fiber.Ctx) error {
	v, err := a.tandemView(c, tandemOf(c))
	if err != nil {
		return err
	}
	return a.w.Render(c, fiber.StatusOK, "admin/tandem", v)
}

// durationChoice is one tap for a meeting's duration.
type durationChoice struct {
	Minutes int
	Label   string
}

func (a *Admin) meetingFormView(c *fiber.Ctx, t *store.TandemRow, topics []string) *web.View {
	return a.view(c, map[string]any{"T": t, "Topics": goalChoices(topics), "Durations": store.MeetingDurations,
		"Today": a.siteToday(c).Format(time.DateOnly)})
}

// meetingForm logs a meeting in a few taps, on a phone: the day (today
// unless changed), a duration, the topics, a note.
func (a *Admin) meetingForm(c *fiber.Ctx) error {
	t := tandemOf(c)
	v := a.meetingFormView(c, t, nil)
	v.Form = map[string]string{"day": a.siteToday(c).Format(time.DateOnly), "minutes": "60"}
	return a.w.Render(c, fiber.StatusOK, "admin/tandem_meeting", v)
}

func (a *Admin) meetingLog(c *fiber.Ctx) error {
	t := tandemOf(c)
	form := map[string]string{}
	for _, k := range []string{"day", "minutes", "other_minutes", "note"} {
		form[k] = c.FormValue(k)
	}
	in := store.MeetingInput{Day: form["day"], Topics: formValues(c, "topics"), Note: form["note"]}
	raw := form["minutes"]
	if raw == "other" {
		raw = form["other_minutes"]
	}
	var err error
	if in.Minutes, err = strconv.Atoi(strings.TrimSpace(raw)); err != nil {
		err = &store.FieldError{Field: "minutes", Code: "out_of_range"}
	} else {
		_, err = a.st.LogMeeting(c.UserContext(), t.ID, in, currentUser(c).ID)
	}
	if err != nil {
		return a.tandemFail(c, "admin/tandem_meeting", a.meetingFormView(c, t, in.Topics), form, err)
	}
	a.flash(c, "admin.tandems.meeting.logged")
	return c.Redirect(fmt.Sprintf("/admin/tandems/%d", t.ID), fiber.StatusSeeOther)
}

func (a *Admin) meetingDelete(c *fiber.Ctx) error {
	t := tandemOf(c)
	id, err := strconv.ParseInt(c.FormValue("meeting"), 10, 64)
	if err != nil {
		return fiber.NewError(fiber.StatusBadRequest, "error.bad_request")
	}
	if err := a.st.DeleteMeeting(c.UserContext(), t.ID, id); err != nil {
		return err // another tandem's meeting is not found
	}
	a.flash(c, "admin.tandems.meeting.deleted")
	return c.Redirect(fmt.Sprintf("/admin/tandems/%d", t.ID), fiber.StatusSeeOther)
}

func (a *Admin) outcomeSave(c *fiber.Ctx) error {
	t := tandemOf(c)
	kind, day := c.FormValue("kind"), c.FormValue("outcome_day")
	if err := a.st.SetOutcome(c.UserContext(), t.ID, kind, day, currentUser(c).ID); err != nil {
		v, verr := a.tandemView(c, t)
		if verr != nil {
			return verr
		}
		return a.tandemFail(c, "admin/tandem", v, map[string]string{"kind": kind, "outcome_day": day}, err)
	}
	a.flash(c, "admin.members.saved")
	return c.Redirect(fmt.Sprintf("/admin/tandems/%d", t.ID), fiber.StatusSeeOther)
}

func (a *Admin) outcomeRemove(c *fiber.Ctx) error {
	t := tandemOf(c)
	if err := a.st.RemoveOutcome(c.UserContext(), t.ID, c.FormValue("kind")); err != nil {
		return err
	}
	a.flash(c, "admin.members.saved")
	return c.Redirect(fmt.Sprintf("/admin/tandems/%d", t.ID), fiber.StatusSeeOther)
}

// tandemEnrol gives the tandem a place in a workshop for tandems.
func (a *Admin) tandemEnrol(c *fiber.Ctx) error {
	t := tandemOf(c)
	sid, err := strconv.ParseInt(c.FormValue("session"), 10, 64)
	if err != nil {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "admin.tandems.err.not_for_tandems")
	}
	by := currentUser(c).ID
	status, err := a.st.EnrolTandem(c.UserContext(), t.ID, sid, &by)
	switch {
	case errors.Is(err, store.ErrNotForTandems), errors.Is(err, store.ErrNotFound):
		return fiber.NewError(fiber.StatusUnprocessableEntity, "admin.tandems.err.not_for_tandems")
	case errors.Is(err, store.ErrAlreadyEnrolled):
		return fiber.NewError(fiber.StatusConflict, "kiosk.courses.already")
	case errors.Is(err, store.ErrSessionStarted):
		return fiber.NewError(fiber.StatusConflict, "admin.tandems.err.started")
	case errors.Is(err, store.ErrNoActiveCard):
		return fiber.NewError(fiber.StatusConflict, "kiosk.lab.err.card")
	case err != nil:
		return err
	}
	if status == store.Waiting {
		a.flash(c, "admin.tandems.waiting")
	} else {
		a.flash(c, "admin.tandems.enrolled")
	}
	return c.Redirect(fmt.Sprintf("/admin/tandems/%d", t.ID), fiber.StatusSeeOther)
}

// onTandem is the chain of a route whose :id names a tandem: the roles,
// the site (a.at), the mentor's own (a.ownTandem), then the handler.
func onTandem(a *Admin, roles, h fiber.Handler) []fiber.Handler {
	return []fiber.Handler{roles, a.at(store.KindTandem), a.ownTandem, h}
}
