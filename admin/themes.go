package admin

// Themes: reports grouped for a group session, the solutions tried, and
// the quotes a facilitator approved for a partner's dossier.

import (
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/web"
)

func (a *Admin) themesList(c *fiber.Ctx) error {
	site := web.SiteOf(c)
	themes, err := a.st.Themes(c.UserContext(), site.ID)
	if err != nil {
		return err
	}
	v := a.view(c, map[string]any{"Themes": themes})
	byStatus := map[string]int{}
	for _, t := range themes {
		byStatus[t.Status]++
	}
	v.Data.(map[string]any)["StatusBars"] = bars(byStatus, func(k string) string { return v.L.T("admin.thresholds.theme_status." + k) }, true)
	if title := c.Query("title"); title != "" {
		v.Form["title"] = title
		similar, err := a.st.SimilarThemes(c.UserContext(), site.ID, title)
		if err != nil {
			return err
		}
		v.Data.(map[string]any)["Similar"] = similar
		v.Data.(map[string]any)["Checked"] = true
	}
	return a.w.Render(c, fiber.StatusOK, "admin/themes", v)
}

func themeInput(c *fiber.Ctx) store.ThemeInput {
	return store.ThemeInput{Title: c.FormValue("title"), Description: c.FormValue("description"), Status: c.FormValue("status"),
		CloseReason: c.FormValue("close_reason"), FollowUpOn: c.FormValue("follow_up_on"), CourseID: optionalID(c.FormValue("course"))}
}

func (a *Admin) themeSave(c *fiber.Ctx) error {
	site := web.SiteOf(c)
	var err error
	var id int64
	if c.Params("id") != "" {
		if id, err = idParam(c); err != nil {
			return err
		}
	}
	in := themeInput(c)
	if ok, err := a.ownRef(c, store.KindCourse, in.CourseID); err != nil {
		return err
	} else if !ok {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "error.bad_request")
	}
	t, err := a.st.SaveTheme(c.UserContext(), id, site.ID, in)
	if fe, ok := store.AsFieldError(err); ok {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "admin.thresholds.err."+fe.Field)
	}
	if err != nil {
		return err
	}
	a.flash(c, "admin.members.saved")
	if id == 0 {
		id = t.ID
	}
	return c.Redirect(fmt.Sprintf("/admin/themes/%d", id), fiber.StatusSeeOther)
}

func (a *Admin) themeShow(c *fiber.Ctx) error {
	ctx := c.UserContext()
	t, err := load(c, a.st.Theme)
	if err != nil {
		return err
	}
	site := web.SiteOf(c)
	rows, byDomain, byProblem, err := a.st.Thresholds(ctx, site.ID, store.ThresholdFilter{ThemeID: t.ID})
	if err != nil {
		return err
	}
	sols, err := a.st.Solutions(ctx, t.ID)
	if err != nil {
		return err
	}
	courses, err := a.st.Courses(ctx, site.ID)
	if err != nil {
		return err
	}
	quotes, err := a.st.Quotes(ctx, t.ID)
	if err != nil {
		return err
	}
	v := a.view(c, map[string]any{"T": t, "Rows": rows, "ByDomain": byDomain, "ByProblem": byProblem, "Solutions": sols, "Quotes": quotes,
		"Statuses": store.ThemeStatuses, "Courses": courses, "Today": a.st.Now().In(site.Location()).Format("2006-01-02")})
	v.Form = map[string]string{"title": t.Title, "description": t.Description, "status": t.Status, "close_reason": t.CloseReason, "follow_up_on": t.FollowUpOn}
	if t.CourseID != nil {
		v.Form["course"] = strconv.FormatInt(*t.CourseID, 10)
	}
	return a.w.Render(c, fiber.StatusOK, "admin/theme", v)
}

func (a *Admin) solutionAdd(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if _, err := a.st.Theme(c.UserContext(), id); err != nil {
		return err
	}
	people, _ := strconv.Atoi(c.FormValue("people"))
	err = a.st.AddSolution(c.UserContext(), id, c.FormValue("what"), c.FormValue("tried_on"), people, c.FormValue("result"), currentUser(c).ID)
	if fe, ok := store.AsFieldError(err); ok {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "admin.thresholds.err."+fe.Field)
	}
	if err != nil {
		return err
	}
	a.flash(c, "admin.members.saved")
	return c.Redirect(fmt.Sprintf("/admin/themes/%d", id), fiber.StatusSeeOther)
}

func (a *Admin) quoteAdd(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if _, err := a.st.Theme(c.UserContext(), id); err != nil {
		return err
	}
	threshold := optionalID(c.FormValue("threshold"))
	if ok, err := a.ownRef(c, store.KindThreshold, threshold); err != nil {
		return err
	} else if !ok {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "admin.dossier.err.quote")
	}
	err = a.st.ApproveQuote(c.UserContext(), id, threshold, c.FormValue("quote"), currentUser(c).ID)
	if _, ok := store.AsFieldError(err); ok {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "admin.dossier.err.quote")
	}
	if err != nil {
		return err
	}
	a.flash(c, "admin.dossier.quote_added")
	// A report's page approves its words too, and goes back there.
	return c.Redirect(safeBack(c.FormValue("back"), fmt.Sprintf("/admin/themes/%d", id)), fiber.StatusSeeOther)
}

func (a *Admin) quoteRemove(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if err := a.st.RemoveQuote(c.UserContext(), id); err != nil {
		return err
	}
	a.flash(c, "admin.members.saved")
	return c.Redirect(safeBack(c.FormValue("back"), "/admin/themes"), fiber.StatusSeeOther)
}
