package admin

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/store"
)

func (a *Admin) usersPage(c *fiber.Ctx, status int, form map[string]string, err error) error {
	users, lerr := a.st.Users(c.UserContext())
	if lerr != nil {
		return lerr
	}
	v := a.view(c, map[string]any{"Users": users, "Roles": store.Roles})
	if form != nil {
		v.Form = form
	}
	if err != nil && !formError(v, err) {
		return err
	}
	return a.w.Render(c, status, "admin/users", v)
}

func (a *Admin) usersList(c *fiber.Ctx) error { return a.usersPage(c, fiber.StatusOK, nil, nil) }

func (a *Admin) userCreate(c *fiber.Ctx) error {
	in := store.UserInput{Email: c.FormValue("email"), Name: c.FormValue("name"),
		Role: store.Role(c.FormValue("role")), Password: c.FormValue("password")}
	in.Lang, _ = c.Locals("lang").(string)
	u, err := a.st.CreateUser(c.UserContext(), in)
	if err != nil {
		form := map[string]string{"email": in.Email, "name": in.Name, "role": string(in.Role)}
		return a.usersPage(c, fiber.StatusUnprocessableEntity, form, err)
	}
	a.log.Info("user added", "user", u.ID, "by", currentUser(c).ID)
	a.flash(c, "admin.users.added")
	return c.Redirect("/admin/users", fiber.StatusSeeOther)
}

func (a *Admin) userDisable(c *fiber.Ctx) error { return a.userSetDisabled(c, true) }
func (a *Admin) userEnable(c *fiber.Ctx) error  { return a.userSetDisabled(c, false) }

func (a *Admin) userSetDisabled(c *fiber.Ctx, disabled bool) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	err = a.st.SetUserDisabled(c.UserContext(), id, disabled)
	if errors.Is(err, store.ErrNotFound) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return a.usersPage(c, fiber.StatusUnprocessableEntity, nil, err)
	}
	a.flash(c, "admin.users.updated")
	return c.Redirect("/admin/users", fiber.StatusSeeOther)
}
