package admin

import (
	"encoding/base64"
	"html/template"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/skip2/go-qrcode"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/web"
)

// Kiosk screens: an admin makes a station for a site and gets a pairing
// code, shown once, with its QR code to scan at the kiosk; the list shows
// each station's last contact and lets an admin revoke it.

type stationRow struct {
	store.KioskStation
	Site string
}

func (a *Admin) stationsPage(c *fiber.Ctx, status int, form map[string]string, err error) error {
	ctx := c.UserContext()
	stations, lerr := a.st.Stations(ctx)
	if lerr != nil {
		return lerr
	}
	sites, lerr := a.st.Sites(ctx)
	if lerr != nil {
		return lerr
	}
	names := map[int64]string{}
	for _, s := range sites {
		names[s.ID] = s.Name
	}
	rows := make([]stationRow, len(stations))
	for i, s := range stations {
		rows[i] = stationRow{s, names[s.SiteID]}
	}
	data := map[string]any{"Stations": rows, "SiteList": sites}
	// A new code is shown once, on the page right after it was made.
	if sess, serr := a.w.Admin.Get(c); serr == nil {
		if code, ok := sess.Get("pair_code").(string); ok {
			data["Code"] = store.FormatPairingCode(code)
			data["CodeFor"], _ = sess.Get("pair_station").(string)
			if png, qerr := qrcode.Encode(code, qrcode.Medium, 240); qerr == nil {
				data["QR"] = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png)) //nolint:gosec // our own PNG
			}
			sess.Delete("pair_code")
			sess.Delete("pair_station")
			_ = sess.Save()
		}
	}
	v := a.view(c, data)
	if form != nil {
		v.Form = form
	} else {
		v.Form = map[string]string{"site": strconv.FormatInt(web.SiteOf(c).ID, 10)}
	}
	if err != nil && !formError(v, err) {
		return err
	}
	return a.w.Render(c, status, "admin/stations", v)
}

func (a *Admin) stationsList(c *fiber.Ctx) error { return a.stationsPage(c, fiber.StatusOK, nil, nil) }

func (a *Admin) showCode(c *fiber.Ctx, name, code string) error {
	sess, err := a.w.Admin.Get(c)
	if err != nil {
		return err
	}
	sess.Set("pair_code", code)
	sess.Set("pair_station", name)
	if err := sess.Save(); err != nil {
		return err
	}
	return c.Redirect("/admin/stations", fiber.StatusSeeOther)
}

func (a *Admin) stationCreate(c *fiber.Ctx) error {
	siteID, _ := strconv.ParseInt(c.FormValue("site"), 10, 64)
	name := c.FormValue("name")
	st, code, err := a.st.CreateStation(c.UserContext(), siteID, name)
	if err != nil {
		return a.stationsPage(c, fiber.StatusUnprocessableEntity, map[string]string{"name": name, "site": c.FormValue("site")}, err)
	}
	a.log.Info("kiosk station added", "station", st.ID, "site", siteID, "by", currentUser(c).ID)
	return a.showCode(c, st.Name, code)
}

func (a *Admin) stationNewCode(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	code, err := a.st.NewPairingCode(c.UserContext(), id)
	if err != nil {
		return err
	}
	return a.showCode(c, c.FormValue("name"), code)
}

func (a *Admin) stationRevoke(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if err := a.st.RevokeStation(c.UserContext(), id); err != nil {
		return err
	}
	a.log.Info("kiosk station revoked", "station", id, "by", currentUser(c).ID)
	a.flash(c, "admin.stations.revoked")
	return c.Redirect("/admin/stations", fiber.StatusSeeOther)
}
