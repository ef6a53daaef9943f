package admin

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/store"
)

// settingsPage shows the organisation's settings: its name (on cards and
// dossiers) and how long visitors' own words are kept.
func (a *Admin) settingsPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	org, err := a.st.Setting(ctx, store.SettingOrgName)
	if err != nil {
		return err
	}
	days, err := a.st.Setting(ctx, store.SettingTextRetentionDays)
	if err != nil {
		return err
	}
	if days == "" {
		days = "183"
	}
	phone, err := a.st.Setting(ctx, store.SettingOrgPhone)
	if err != nil {
		return err
	}
	v := a.view(c, nil)
	v.Form = map[string]string{"org": org, "retention": days, "phone": phone}
	return a.w.Render(c, fiber.StatusOK, "admin/settings", v)
}

func (a *Admin) settingsSave(c *fiber.Ctx) error {
	ctx := c.UserContext()
	org, err := store.CleanRequired("org", c.FormValue("org"), 100)
	if err != nil {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "admin.settings.err.org")
	}
	days, err := strconv.Atoi(strings.TrimSpace(c.FormValue("retention")))
	if err != nil || days < 7 || days > 3650 {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "admin.settings.err.retention")
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
	if err := a.st.SetSetting(ctx, store.SettingTextRetentionDays, strconv.Itoa(days)); err != nil {
		return err
	}
	a.log.Info("settings changed", "by", currentUser(c).ID)
	a.flash(c, "admin.members.saved")
	return c.Redirect("/admin/settings", fiber.StatusSeeOther)
}
