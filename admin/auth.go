package admin

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/web"
)

func (a *Admin) loginForm(c *fiber.Ctx) error {
	return a.w.Render(c, fiber.StatusOK, "admin/login", a.view(c, nil))
}

func (a *Admin) loginSubmit(c *fiber.Ctx) error {
	// The session begins before the password is checked: a reset that
	// lands during the check ends it too (see sessionCurrent).
	at := a.st.Now().UnixNano()
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
	sess.Set("at", at)
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
	at := a.st.Now().UnixNano()
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
	sess.Set("at", at)
	sess.Set("flash", "admin.setup.done")
	if err := sess.Save(); err != nil {
		return err
	}
	return c.Redirect("/admin", fiber.StatusSeeOther)
}

// sessionCurrent runs after auth on every signed-in request: a session
// that began before the account's password was last reset or changed
// (store.SessionsSince) is signed out. Sessions are opaque rows in the
// database that cannot be found by account, so they end here, at their
// next request.
func (a *Admin) sessionCurrent(c *fiber.Ctx) error {
	u := currentUser(c)
	if u == nil {
		return c.Next()
	}
	since, err := a.st.SessionsSince(c.UserContext(), u.ID)
	if err != nil {
		return err
	}
	if since == 0 {
		return c.Next()
	}
	sess, err := a.w.Admin.Get(c)
	if err != nil {
		return err
	}
	if at, _ := sess.Get("at").(int64); at < since {
		_ = sess.Destroy()
		a.log.Info("signed out: password set since sign-in", "user", u.ID)
		return c.Redirect("/admin/login", fiber.StatusSeeOther)
	}
	return c.Next()
}

// resetForm is the page a password reset link opens: a new password,
// twice, for the account the link names.
func (a *Admin) resetForm(c *fiber.Ctx) error {
	u, err := a.st.ResetLinkUser(c.UserContext(), c.Params("token"))
	if errors.Is(err, store.ErrResetUsed) {
		return fiber.NewError(fiber.StatusNotFound, "admin.reset.used")
	}
	if err != nil {
		return err
	}
	return a.w.Render(c, fiber.StatusOK, "admin/reset", a.view(c, map[string]any{"Email": u.Email}))
}

// resetSubmit sets the password with a reset link. The link works once,
// however many posts arrive at the same time; the account's sessions end.
func (a *Admin) resetSubmit(c *fiber.Ctx) error {
	ctx := c.UserContext()
	tok := c.Params("token")
	u, err := a.st.ResetLinkUser(ctx, tok)
	if errors.Is(err, store.ErrResetUsed) {
		return fiber.NewError(fiber.StatusNotFound, "admin.reset.used")
	}
	if err != nil {
		return err
	}
	v := a.view(c, map[string]any{"Email": u.Email})
	if passwordsDiffer(c, v) {
		return a.w.Render(c, fiber.StatusUnprocessableEntity, "admin/reset", v)
	}
	done, err := a.st.ResetPassword(ctx, tok, c.FormValue("password"))
	if errors.Is(err, store.ErrResetUsed) {
		return fiber.NewError(fiber.StatusNotFound, "admin.reset.used")
	}
	if formError(v, err) {
		return a.w.Render(c, fiber.StatusUnprocessableEntity, "admin/reset", v)
	}
	if err != nil {
		return err
	}
	a.log.Info("password reset with a link", "user", done.User.ID, "link_by", done.By)
	a.flash(c, "admin.reset.done")
	return c.Redirect("/admin/login", fiber.StatusSeeOther)
}

// passwordsDiffer puts a message on the form when the new password and
// its repetition ("password" and "confirm") are not the same.
func passwordsDiffer(c *fiber.Ctx, v *web.View) bool {
	if c.FormValue("password") == c.FormValue("confirm") {
		return false
	}
	v.Fields["confirm"] = v.L.T("admin.account.mismatch")
	v.Error = v.L.T("error.form")
	return true
}
