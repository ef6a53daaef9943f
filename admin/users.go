package admin

import (
	"encoding/base64"
	"errors"
	"html/template"
	"net/url"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/skip2/go-qrcode"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/web"
)

// userRow is one account on the users page with the sites ticked in its
// form: the ones it has, or the ones just sent when saving them failed.
type userRow struct {
	store.User
	Ticked map[int64]bool
	// Error is the message of a failed save of this row's sites.
	Error string
}

// usersFailed is a form of the users page that failed: the new-user
// form (User 0) or one account's sites, with what was sent.
type usersFailed struct {
	User  int64
	Form  map[string]string
	Sites []int64
	Err   error
	// Message is the id of a message for the whole page: a refusal that
	// is no form field's.
	Message string
}

// resetShown is a password reset link just made, shown once on the users
// page: the page answers the admin's post, and the token is kept nowhere
// (the database holds only its hash).
type resetShown struct {
	Email   string
	Link    string
	QR      template.URL
	Expires time.Time
}

func (a *Admin) usersPage(c *fiber.Ctx, status int, failed *usersFailed) error {
	return a.usersRender(c, status, failed, nil)
}

func (a *Admin) usersRender(c *fiber.Ctx, status int, failed *usersFailed, reset *resetShown) error {
	ctx := c.UserContext()
	users, err := a.st.Users(ctx)
	if err != nil {
		return err
	}
	sites, err := a.st.Sites(ctx)
	if err != nil {
		return err
	}
	byUser, err := a.st.SiteIDsByUser(ctx)
	if err != nil {
		return err
	}
	v := a.view(c, nil)
	rows := make([]userRow, len(users))
	for i, u := range users {
		rows[i] = userRow{User: u, Ticked: ticked(byUser[u.ID])}
	}
	// The new-user form starts with the site the admin works at now.
	var newSites []int64
	if site := web.SiteOf(c); site != nil {
		newSites = []int64{site.ID}
	}
	if failed != nil {
		if failed.Form != nil {
			v.Form = failed.Form
		}
		if failed.User == 0 && failed.Form != nil {
			newSites = failed.Sites
		}
		if failed.Err != nil && !formError(v, failed.Err) {
			return failed.Err
		}
		if failed.Message != "" {
			v.Error = v.L.T(failed.Message)
		}
		for i := range rows {
			if failed.User != 0 && rows[i].ID == failed.User {
				rows[i].Ticked = ticked(failed.Sites)
				rows[i].Error = v.Fields["sites"]
				delete(v.Fields, "sites")
			}
		}
	}
	v.Data = map[string]any{"Users": rows, "Roles": store.Roles, "Sites": sites, "NewSites": ticked(newSites), "Reset": reset}
	return a.w.Render(c, status, "admin/users", v)
}

func ticked(ids []int64) map[int64]bool {
	m := make(map[int64]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

// formSites reads the ticked sites of a form; a value that is not a site
// id is kept as 0, which the store refuses as an unknown site. A form
// without the "sites" field has no site boxes at all: given is false.
func formSites(c *fiber.Ctx) (ids []int64, given bool) {
	ids = []int64{} // not nil: ticking nothing is an answer
	for _, raw := range c.Request().PostArgs().PeekMulti("site") {
		id, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil || id <= 0 {
			id = 0
		}
		ids = append(ids, id)
	}
	return ids, c.FormValue("sites") != "" || len(ids) > 0
}

func (a *Admin) usersList(c *fiber.Ctx) error { return a.usersPage(c, fiber.StatusOK, nil) }

func (a *Admin) userCreate(c *fiber.Ctx) error {
	in := store.UserInput{Email: c.FormValue("email"), Name: c.FormValue("name"),
		Role: store.Role(c.FormValue("role")), Password: c.FormValue("password")}
	var given bool
	if in.Sites, given = formSites(c); !given {
		// Sent without the site boxes: the form's default, the site the
		// admin works at now.
		if site := web.SiteOf(c); site != nil {
			in.Sites = []int64{site.ID}
		}
	}
	in.Lang, _ = c.Locals("lang").(string)
	u, err := a.st.CreateUser(c.UserContext(), in)
	if err != nil {
		form := map[string]string{"email": in.Email, "name": in.Name, "role": string(in.Role)}
		return a.usersPage(c, fiber.StatusUnprocessableEntity, &usersFailed{Form: form, Sites: in.Sites, Err: err})
	}
	a.log.Info("user added", "user", u.ID, "by", currentUser(c).ID)
	a.flash(c, "admin.users.added")
	return c.Redirect("/admin/users", fiber.StatusSeeOther)
}

// userSites saves the sites an admin ticked for an account.
func (a *Admin) userSites(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	sites, _ := formSites(c)
	err = a.st.SetUserSites(c.UserContext(), id, sites)
	if _, ok := store.AsFieldError(err); ok {
		return a.usersPage(c, fiber.StatusUnprocessableEntity, &usersFailed{User: id, Sites: sites, Err: err})
	}
	if err != nil {
		return err
	}
	a.log.Info("user sites set", "user", id, "sites", len(sites), "by", currentUser(c).ID)
	a.flash(c, "admin.users.sites_saved")
	return c.Redirect("/admin/users#user-"+strconv.FormatInt(id, 10), fiber.StatusSeeOther)
}

func (a *Admin) userDisable(c *fiber.Ctx) error { return a.userSetDisabled(c, true) }
func (a *Admin) userEnable(c *fiber.Ctx) error  { return a.userSetDisabled(c, false) }

func (a *Admin) userSetDisabled(c *fiber.Ctx, disabled bool) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	err = a.st.SetUserDisabled(c.UserContext(), id, disabled)
	if _, ok := store.AsFieldError(err); ok {
		return a.usersPage(c, fiber.StatusUnprocessableEntity, &usersFailed{Err: err})
	}
	if err != nil {
		return err
	}
	a.flash(c, "admin.users.updated")
	return c.Redirect("/admin/users", fiber.StatusSeeOther)
}

// userReset makes a one-time link that sets the account's password, for
// the admin to hand over; it replaces the account's previous link. The
// page that answers shows the link once, with its QR code.
func (a *Admin) userReset(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	by := currentUser(c).ID
	tok, expires, err := a.st.NewResetLink(c.UserContext(), id, by)
	if errors.Is(err, store.ErrUserDisabled) {
		return a.usersPage(c, fiber.StatusConflict, &usersFailed{Message: "admin.users.reset_disabled"})
	}
	if err != nil {
		return err
	}
	u, err := a.st.User(c.UserContext(), id)
	if err != nil {
		return err
	}
	a.log.Info("password reset link made", "user", id, "by", by)
	shown := &resetShown{Email: u.Email, Link: a.linkBase(c) + "/admin/reset/" + tok, Expires: expires}
	if png, qerr := qrcode.Encode(shown.Link, qrcode.Medium, 240); qerr == nil {
		shown.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png)) //nolint:gosec // our own PNG
	}
	return a.usersRender(c, fiber.StatusOK, nil, shown)
}

// linkBase is the start of a link handed to someone else: the public URL,
// unless only this computer can open it (localhost); then the address the
// admin's browser reached Drempel at.
func (a *Admin) linkBase(c *fiber.Ctx) string {
	if u, err := url.Parse(a.publicURL); err == nil && u.Scheme != "" && u.Host != "" && !loopbackHost(u.Hostname()) {
		return a.publicURL
	}
	return c.BaseURL()
}
