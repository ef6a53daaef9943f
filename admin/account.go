package admin

import (
	"errors"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"

	"github.com/drempel/drempel/store"
)

// My account: every signed-in user changes their own password, after
// typing the current one. Their other sessions end; this one stays.

func (a *Admin) accountPage(c *fiber.Ctx) error {
	return a.w.Render(c, fiber.StatusOK, "admin/account", a.view(c, nil))
}

func (a *Admin) accountSubmit(c *fiber.Ctx) error {
	u := currentUser(c)
	v := a.view(c, nil)
	if passwordsDiffer(c, v) {
		return a.w.Render(c, fiber.StatusUnprocessableEntity, "admin/account", v)
	}
	since, err := a.st.ChangePassword(c.UserContext(), u.ID, c.FormValue("current"), c.FormValue("password"))
	if errors.Is(err, store.ErrWrongPassword) {
		a.log.Warn("password change refused: wrong current password", "user", u.ID)
		v.Fields["current"] = v.L.T("admin.account.wrong_current")
		v.Error = v.L.T("error.form")
		return a.w.Render(c, fiber.StatusUnprocessableEntity, "admin/account", v)
	}
	if formError(v, err) {
		return a.w.Render(c, fiber.StatusUnprocessableEntity, "admin/account", v)
	}
	if err != nil {
		return err
	}
	a.log.Info("password changed by its owner", "user", u.ID)
	sess, err := a.w.Admin.Get(c)
	if err != nil {
		return err
	}
	// This session goes on, under a new id; every other one of the
	// account began before since, and ends at its next request.
	if err := sess.Regenerate(); err != nil {
		return err
	}
	sess.Set("at", since)
	sess.Set("flash", "admin.account.changed")
	if err := sess.Save(); err != nil {
		return err
	}
	return c.Redirect("/admin/account", fiber.StatusSeeOther)
}

// accountLimiter caps the attempts to change one's own password, per
// account, as sign-in attempts are capped per address: a session left
// open on a shared PC does not let anyone try current passwords at speed.
func accountLimiter(perMinute int) fiber.Handler {
	if perMinute <= 0 {
		perMinute = 10
	}
	return limiter.New(limiter.Config{
		Max:        perMinute,
		Expiration: time.Minute,
		KeyGenerator: func(c *fiber.Ctx) string {
			if u := currentUser(c); u != nil {
				return "account:" + strconv.FormatInt(u.ID, 10)
			}
			return c.IP()
		},
		LimitReached: func(c *fiber.Ctx) error {
			return fiber.NewError(fiber.StatusTooManyRequests, "admin.account.too_many")
		},
	})
}
