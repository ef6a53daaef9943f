package admin

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/store"
)

// settingsPage shows the organisation's settings: its name (on dossiers)
// and phone number. How long things are kept is on the privacy page.
func (a *Admin) settingsPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	org, err := a.st.Setting(ctx, store.SettingOrgName)
	if err != nil {
		return err
	}
	phone, err := a.st.Setting(ctx, store.SettingOrgPhone)
	if err != nil {
		return err
	}
	v := a.view(c, nil)
	v.Form = map[string]string{"org": org, "phone": phone}
	return a.w.Render(c, fiber.StatusOK, "admin/settings", v)
}

func (a *Admin) settingsSave(c *fiber.Ctx) error {
	ctx := c.UserContext()
	org, err := store.CleanRequired("org", c.FormValue("org"), 100)
	if err != nil {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "admin.settings.err.org")
	}
	phone := strings.TrimSpace(c.FormValue("phone"))
	if len(phone) > 30 || strings.Trim(phone, "0123456789+-./() ") != "" {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "admin.settings.err.phone")
	}
	if err := a.st.SetSetting(ctx, store.SettingOrgName, org); err != nil {
		return err
	}
	if err := a.st.SetSetting(ctx, store.SettingOrgPhone, phone); err != nil {
		return err
	}
	a.log.Info("settings changed", "by", currentUser(c).ID)
	a.flash(c, "admin.members.saved")
	return c.Redirect("/admin/settings", fiber.StatusSeeOther)
}
