package admin

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/store"
)

func (a *Admin) loginForm(c *fiber.Ctx) error {
	return a.w.Render(c, fiber.StatusOK, "admin/login", a.view(c, nil))
}

func (a *Admin) loginSubmit(c *fiber.Ctx) error {
	u, err := a.st.Authenticate(c.UserContext(), c.FormValue("email"), c.FormValue("password"))
	if errors.Is(err, store.ErrNotFound) {
		v := a.view(c, nil)
		v.Error = v.L.T("admin.login.failed")
		v.Form["email"] = c.FormValue("email")
		return a.w.Render(c, fiber.StatusUnauthorized, "admin/login", v)
	}
	if err != nil {
		return err
	}
	sess, err := a.w.Admin.Get(c)
	if err != nil {
		return err
	}
	// A new session id at sign-in: a planted cookie cannot ride along.
	if err := sess.Regenerate(); err != nil {
		return err
	}
	sess.Set("uid", u.ID)
	if err := sess.Save(); err != nil {
		return err
	}
	a.log.Info("signed in", "user", u.ID)
	return c.Redirect("/admin", fiber.StatusSeeOther)
}

func (a *Admin) logout(c *fiber.Ctx) error {
	if sess, err := a.w.Admin.Get(c); err == nil {
		_ = sess.Destroy()
	}
	return c.Redirect("/admin/login", fiber.StatusSeeOther)
}

func (a *Admin) setupForm(c *fiber.Ctx) error {
	if !a.st.SetupTokenValid(c.UserContext(), c.Params("token")) {
		return fiber.NewError(fiber.StatusNotFound, "error.setup_used")
	}
	return a.w.Render(c, fiber.StatusOK, "admin/setup", a.view(c, nil))
}

func (a *Admin) setupSubmit(c *fiber.Ctx) error {
	ctx := c.UserContext()
	v := a.view(c, nil)
	v.Form["email"], v.Form["org"] = c.FormValue("email"), c.FormValue("org")
	org := c.FormValue("org")
	if _, err := store.CleanRequired("org", org, 100); err != nil {
		formError(v, err)
		return a.w.Render(c, fiber.StatusUnprocessableEntity, "admin/setup", v)
	}
	lang, _ := c.Locals("lang").(string)
	u, err := a.st.CompleteSetup(ctx, c.Params("token"), store.UserInput{
		Email: c.FormValue("email"), Password: c.FormValue("password"), Lang: lang,
	})
	if errors.Is(err, store.ErrSetupDone) {
		return fiber.NewError(fiber.StatusNotFound, "error.setup_used")
	}
	if formError(v, err) {
		return a.w.Render(c, fiber.StatusUnprocessableEntity, "admin/setup", v)
	}
	if err != nil {
		return err
	}
	if err := a.st.SetSetting(ctx, store.SettingOrgName, org); err != nil {
		return err
	}
	if err := a.st.NameFirstSite(ctx, org); err != nil {
		return err
	}
	sess, err := a.w.Admin.Get(c)
	if err != nil {
		return err
	}
	if err := sess.Regenerate(); err != nil {
		return err
	}
	sess.Set("uid", u.ID)
	sess.Set("flash", "admin.setup.done")
	if err := sess.Save(); err != nil {
		return err
	}
	return c.Redirect("/admin", fiber.StatusSeeOther)
}
