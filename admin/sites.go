package admin

import (
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/store"
)

// sitesPage lists the network's sites with a form to add one (admins).
func (a *Admin) sitesPage(c *fiber.Ctx, status int, form map[string]string, err error) error {
	sites, lerr := a.st.Sites(c.UserContext())
	if lerr != nil {
		return lerr
	}
	v := a.view(c, map[string]any{"Sites": sites})
	if form != nil {
		v.Form = form
	} else {
		v.Form = map[string]string{"timezone": "Europe/Brussels"}
	}
	if err != nil && !formError(v, err) {
		return err
	}
	return a.w.Render(c, status, "admin/sites", v)
}

func (a *Admin) sitesList(c *fiber.Ctx) error { return a.sitesPage(c, fiber.StatusOK, nil, nil) }

func siteInput(c *fiber.Ctx) (store.SiteInput, map[string]string) {
	in := store.SiteInput{Name: c.FormValue("name"), Address: c.FormValue("address"), Phone: c.FormValue("phone"), TimeZone: c.FormValue("timezone")}
	return in, map[string]string{"name": in.Name, "address": in.Address, "phone": in.Phone, "timezone": in.TimeZone}
}

func (a *Admin) siteCreate(c *fiber.Ctx) error {
	in, form := siteInput(c)
	site, err := a.st.CreateSite(c.UserContext(), in)
	if err != nil {
		return a.sitesPage(c, fiber.StatusUnprocessableEntity, form, err)
	}
	a.log.Info("site added", "site", site.ID, "by", currentUser(c).ID)
	a.flash(c, "admin.sites.added")
	return c.Redirect("/admin/sites", fiber.StatusSeeOther)
}

func (a *Admin) siteShow(c *fiber.Ctx) error {
	site, err := load(c, a.st.Site)
	if err != nil {
		return err
	}
	v := a.view(c, map[string]any{"Site": site})
	v.Form = map[string]string{"name": site.Name, "address": site.Address, "phone": site.Phone, "timezone": site.TimeZone}
	return a.w.Render(c, fiber.StatusOK, "admin/site", v)
}

func (a *Admin) siteUpdate(c *fiber.Ctx) error {
	site, err := load(c, a.st.Site)
	if err != nil {
		return err
	}
	in, form := siteInput(c)
	if err := a.st.UpdateSite(c.UserContext(), site.ID, in); err != nil {
		v := a.view(c, map[string]any{"Site": site})
		v.Form = form
		if !formError(v, err) {
			return err
		}
		return a.w.Render(c, fiber.StatusUnprocessableEntity, "admin/site", v)
	}
	a.flash(c, "admin.sites.saved")
	return c.Redirect("/admin/sites/"+strconv.FormatInt(site.ID, 10), fiber.StatusSeeOther)
}

// siteSwitch makes another site the one this staff member works at now;
// a site they may not see is a 404, as if it did not exist.
func (a *Admin) siteSwitch(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.FormValue("site"), 10, 64)
	if err != nil {
		return fiber.ErrBadRequest
	}
	sites, err := a.st.UserSites(c.UserContext(), currentUser(c).ID)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(sites, func(s store.Site) bool { return s.ID == id })
	if i < 0 {
		return fiber.ErrNotFound
	}
	sess, err := a.w.Admin.Get(c)
	if err != nil {
		return err
	}
	sess.Set("site", sites[i].ID)
	if err := sess.Save(); err != nil {
		return err
	}
	back := c.FormValue("back")
	if back == "" || back[0] != '/' || len(back) > 1 && back[1] == '/' {
		back = "/admin"
	}
	return c.Redirect(back, fiber.StatusSeeOther)
}

// siteChoices are the sites a staff member may switch between, for the
// top bar: theirs (every site for an admin); nothing when there is only
// one.
func (a *Admin) siteChoices(c *fiber.Ctx) []store.Site {
	sites, err := a.st.UserSites(c.UserContext(), currentUser(c).ID)
	if err != nil || len(sites) < 2 {
		return nil
	}
	return sites
}
