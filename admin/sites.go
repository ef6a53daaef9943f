package admin

import (
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/web"
)

// sitesPage lists the network's sites with a form to add one (admins).
func (a *Admin) sitesPage(c *fiber.Ctx, status int, form map[string]string, err error) error {
	sites, lerr := a.st.Sites(c.UserContext())
	if lerr != nil {
		return lerr
	}
	ops, shares, err2 := a.operatorsData(c)
	if err2 != nil {
		return err2
	}
	v := a.view(c, map[string]any{"Sites": sites, "Operators": ops, "OperatorName": operatorNames(ops), "Shares": shares})
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
	in := store.SiteInput{Name: c.FormValue("name"), Address: c.FormValue("address"), Phone: c.FormValue("phone"), TimeZone: c.FormValue("timezone"),
		OperatorName: c.FormValue("operator_name")}
	in.OperatorID, _ = strconv.ParseInt(c.FormValue("operator"), 10, 64)
	return in, map[string]string{"name": in.Name, "address": in.Address, "phone": in.Phone, "timezone": in.TimeZone,
		"operator": c.FormValue("operator"), "operator_name": in.OperatorName}
}

// operatorsData is the organisations, for the site form, and where
// sharing members stands between the current site's organisation and
// each other one.
func (a *Admin) operatorsData(c *fiber.Ctx) ([]store.Operator, []store.ShareState, error) {
	ops, err := a.st.Operators(c.UserContext())
	if err != nil {
		return nil, nil, err
	}
	shares, err := a.st.Shares(c.UserContext(), web.SiteOf(c).OperatorID)
	return ops, shares, err
}

func operatorNames(ops []store.Operator) map[int64]string {
	out := make(map[int64]string, len(ops))
	for _, o := range ops {
		out[o.ID] = o.Name
	}
	return out
}

// shareSave gives or withdraws the consent of the current site's
// organisation to share its members with another: an admin working at a
// site speaks for its organisation. Members are shared once both agreed.
func (a *Admin) shareSave(c *fiber.Ctx) error {
	with, err := strconv.ParseInt(c.FormValue("with"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	agree := c.FormValue("agree") == "yes"
	mine := web.SiteOf(c).OperatorID
	if err := a.st.SetShare(c.UserContext(), mine, with, agree, currentUser(c).ID); err != nil {
		return err
	}
	a.log.Info("member sharing", "operator", mine, "with", with, "agree", agree, "by", currentUser(c).ID)
	if agree {
		a.flash(c, "admin.sharing.agreed")
	} else {
		a.flash(c, "admin.sharing.withdrawn")
	}
	return c.Redirect("/admin/sites#sharing", fiber.StatusSeeOther)
}

// operatorRename renames an organisation (its name is on its cards).
func (a *Admin) operatorRename(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if err := a.st.RenameOperator(c.UserContext(), id, c.FormValue("name")); err != nil {
		if _, ok := store.AsFieldError(err); ok {
			return a.sitesPage(c, fiber.StatusUnprocessableEntity, nil, err)
		}
		return err
	}
	a.flash(c, "admin.sites.saved")
	return c.Redirect("/admin/sites#operators", fiber.StatusSeeOther)
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
	ops, err := a.st.Operators(c.UserContext())
	if err != nil {
		return err
	}
	v := a.view(c, map[string]any{"Site": site, "Operators": ops})
	v.Form = map[string]string{"name": site.Name, "address": site.Address, "phone": site.Phone, "timezone": site.TimeZone,
		"operator": strconv.FormatInt(site.OperatorID, 10)}
	return a.w.Render(c, fiber.StatusOK, "admin/site", v)
}

func (a *Admin) siteUpdate(c *fiber.Ctx) error {
	site, err := load(c, a.st.Site)
	if err != nil {
		return err
	}
	in, form := siteInput(c)
	if err := a.st.UpdateSite(c.UserContext(), site.ID, in); err != nil {
		ops, oerr := a.st.Operators(c.UserContext())
		if oerr != nil {
			return oerr
		}
		v := a.view(c, map[string]any{"Site": site, "Operators": ops})
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
