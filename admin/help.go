package admin

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/web"
)

// The help queue at the desk and for the peers: the tickets of today,
// live (web.Stream follows the database through store.HelpFeed, so a
// ticket taken on another server of the network shows here too), with
// take and end as plain forms; and who is on duty today.

// helpEnded is how many tickets ended today the queue shows, for a peer
// to link one to a theme after helping.
const helpEnded = 10

// helpItem is one ticket as the queue shows it.
type helpItem struct {
	store.HelpRow
	Waited int  // minutes from the ticket to now, or to its taking
	Mine   bool // taken by the reader
	Old    bool // from an earlier day
}

// helpData is the live part of the queue: what helpqueue renders.
type helpData struct {
	Open, Done []helpItem
	Themes     []store.ThemeRow
	Desk       bool   // the reader may open members' pages
	Back       string // where the forms come back to
	Outcomes   []string
	Duty       []store.Helper
}

func (a *Admin) helpData(ctx context.Context, site *store.Site, u *store.User, back string) (*helpData, error) {
	open, done, err := a.st.HelpQueue(ctx, site, helpEnded)
	if err != nil {
		return nil, err
	}
	themes, err := a.st.Themes(ctx, site.ID)
	if err != nil {
		return nil, err
	}
	duty, err := a.st.OnDuty(ctx, site)
	if err != nil {
		return nil, err
	}
	now := a.st.Now()
	today := now.In(site.Location()).Format(time.DateOnly)
	item := func(r store.HelpRow) helpItem {
		until := now
		if r.TakenAt != nil {
			until = *r.TakenAt
		}
		it := helpItem{HelpRow: r, Waited: int(until.Sub(r.CreatedAt) / time.Minute), Old: r.Day != today}
		it.Mine = r.TakenBy != nil && *r.TakenBy == u.ID
		if it.Waited < 0 {
			it.Waited = 0
		}
		return it
	}
	d := &helpData{Themes: themes, Back: back, Outcomes: store.HelpOutcomes, Duty: duty,
		Desk: u.Role == store.RoleAdmin || u.Role == store.RoleStaff}
	for _, r := range open {
		d.Open = append(d.Open, item(r))
	}
	for _, r := range done {
		d.Done = append(d.Done, item(r))
	}
	return d, nil
}

// helpPage is the queue; for a peer it is also the home page (GET /admin).
func (a *Admin) helpPage(c *fiber.Ctx) error {
	site, u := web.SiteOf(c), currentUser(c)
	d, err := a.helpData(c.UserContext(), site, u, c.Path())
	if err != nil {
		return err
	}
	me := store.Helper{}
	on := false
	for _, h := range d.Duty {
		if h.UserID == u.ID {
			me, on = h, true
		}
	}
	return a.w.Render(c, fiber.StatusOK, "admin/help", a.view(c, map[string]any{
		"Site": site.Name, "Queue": d, "OnDuty": on, "ShowName": me.ShowName,
	}))
}

// helpEvents streams the queue's live part (web.Stream); the page's
// script puts each one in place of the last.
func (a *Admin) helpEvents(c *fiber.Ctx) error {
	site, u := web.SiteOf(c), currentUser(c)
	back := safeBack(c.Query("back"), "/admin/help")
	base := a.view(c, nil)
	if tok, ok := c.Locals("csrf").(string); ok {
		base.CSRF = tok
	}
	changes, stop := a.st.HelpFeed().Subscribe(site.ID)
	return a.w.Stream(c, changes, stop, func() ([]byte, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		d, err := a.helpData(ctx, site, u, back)
		if err != nil {
			return nil, err
		}
		v := *base
		v.Data = map[string]any{"Queue": d}
		return a.w.Fragment("admin/help", "helpqueue", &v)
	})
}

// helpBack is where a queue form returns: the page it was sent from.
func helpBack(c *fiber.Ctx) string {
	back := safeBack(c.FormValue("back"), "/admin/help")
	if back != "/admin" && back != "/admin/help" {
		back = "/admin/help"
	}
	return back + "#help-queue"
}

// helpRefused says why a take or an end did not happen, on the queue.
func (a *Admin) helpRefused(c *fiber.Ctx, err error) error {
	switch {
	case errors.Is(err, store.ErrHelpTaken):
		a.flash(c, "admin.help.already_taken")
	case errors.Is(err, store.ErrHelpEnded):
		a.flash(c, "admin.help.already_ended")
	default:
		return err
	}
	return c.Redirect(helpBack(c), fiber.StatusSeeOther)
}

func (a *Admin) helpTake(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if err := a.st.TakeHelp(c.UserContext(), web.SiteOf(c).ID, id, currentUser(c).ID); err != nil {
		return a.helpRefused(c, err)
	}
	return c.Redirect(helpBack(c), fiber.StatusSeeOther)
}

func (a *Admin) helpEnd(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	err = a.st.EndHelp(c.UserContext(), web.SiteOf(c).ID, id, currentUser(c).ID, c.FormValue("outcome"))
	if _, ok := store.AsFieldError(err); ok {
		return fiber.NewError(fiber.StatusBadRequest, "error.bad_request")
	}
	if err != nil {
		return a.helpRefused(c, err)
	}
	a.flash(c, "admin.help.ended_flash")
	return c.Redirect(helpBack(c), fiber.StatusSeeOther)
}

// helpTheme links an ended ticket to a threshold theme of the site.
func (a *Admin) helpTheme(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	err = a.st.SetHelpTheme(c.UserContext(), web.SiteOf(c).ID, id, optionalID(c.FormValue("theme")))
	if _, ok := store.AsFieldError(err); ok {
		// Another site's theme, or none that exists: as if it did not.
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	a.flash(c, "admin.help.theme_saved")
	return c.Redirect(helpBack(c), fiber.StatusSeeOther)
}

// helpDuty marks the reader on duty today, or not.
func (a *Admin) helpDuty(c *fiber.Ctx) error {
	on := c.FormValue("on") == "1"
	if err := a.st.SetOnDuty(c.UserContext(), web.SiteOf(c), currentUser(c).ID, on, on && c.FormValue("show_name") == "1"); err != nil {
		return err
	}
	a.flash(c, "admin.help.duty.saved")
	return c.Redirect(helpBack(c), fiber.StatusSeeOther)
}

// helpThemes shows a coordinator which threshold themes the peers meet
// most, and the training course linked to each.
func (a *Admin) helpThemes(c *fiber.Ctx) error {
	ctx := c.UserContext()
	site := web.SiteOf(c)
	themes, err := a.st.HelpThemes(ctx, site.ID)
	if err != nil {
		return err
	}
	courses, err := a.st.Courses(ctx, site.ID)
	if err != nil {
		return err
	}
	u := currentUser(c)
	return a.w.Render(c, fiber.StatusOK, "admin/help_themes", a.view(c, map[string]any{
		"Themes": themes, "Courses": courses,
		// The theme's own page is the facilitators'.
		"ThemePages": u.Role == store.RoleAdmin || u.Role == store.RoleFacilitator,
	}))
}

func (a *Admin) helpThemeCourse(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	err = a.st.LinkThemeCourse(c.UserContext(), web.SiteOf(c).ID, id, optionalID(c.FormValue("course")))
	if _, ok := store.AsFieldError(err); ok {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	a.flash(c, "admin.help.themes.saved")
	return c.Redirect(fmt.Sprintf("/admin/help/themes#theme-%d", id), fiber.StatusSeeOther)
}
