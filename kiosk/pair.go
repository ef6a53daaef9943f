package kiosk

import (
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/store"
)

// A kiosk screen of a network is paired once: staff create a station for
// a site in the admin panel, and type or scan its code here. The screen
// keeps the station's token in a cookie for years; revoking the station
// ends it.

func (k *Kiosk) pairPage(c *fiber.Ctx) error {
	v := k.view(c, nil)
	if c.Query("bad") != "" {
		v.Error = v.L.T("kiosk.pair.bad")
	}
	status := fiber.StatusOK
	if v.Error != "" {
		status = fiber.StatusUnprocessableEntity
	}
	return k.w.Render(c, status, "kiosk/pair", v)
}

func (k *Kiosk) pair(c *fiber.Ctx) error {
	token, _, err := k.st.PairStation(c.UserContext(), c.FormValue("code"))
	if errors.Is(err, store.ErrNotFound) {
		return c.Redirect("/kiosk/pair?bad=1", fiber.StatusSeeOther)
	}
	if err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{Name: stationCookie, Value: token, Path: "/kiosk", HTTPOnly: true, SameSite: "Strict",
		Secure: k.w.Opts.SecureCookies, Expires: time.Now().AddDate(5, 0, 0)})
	k.opts.Log.Info("kiosk screen paired")
	return c.Redirect("/kiosk", fiber.StatusSeeOther)
}
