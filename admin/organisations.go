package admin

// Organisations: the services visitors meet thresholds at, with a
// pictogram or a logo for the kiosk's tiles.

import (
	"io"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/web"
)

func (a *Admin) organisations(c *fiber.Ctx) error {
	site := web.SiteOf(c)
	if c.Method() == fiber.MethodPost {
		if _, err := a.st.AddOrganisation(c.UserContext(), site.ID, c.FormValue("name"), "building"); err != nil {
			if _, ok := store.AsFieldError(err); ok {
				return fiber.NewError(fiber.StatusUnprocessableEntity, "admin.thresholds.err.name")
			}
			return err
		}
		a.flash(c, "admin.members.saved")
		return c.Redirect("/admin/organisations", fiber.StatusSeeOther)
	}
	orgs, err := a.st.Organisations(c.UserContext(), site.ID)
	if err != nil {
		return err
	}
	return a.w.Render(c, fiber.StatusOK, "admin/organisations", a.view(c, map[string]any{"Orgs": orgs, "Pictograms": store.OrganisationPictograms}))
}

// organisationLogo takes an uploaded PNG or JPEG logo, or a pictogram.
func (a *Admin) organisationLook(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if p := c.FormValue("pictogram"); p != "" {
		err = a.st.SetOrganisationPictogram(c.UserContext(), id, p)
	} else {
		fh, ferr := c.FormFile("logo")
		if ferr != nil {
			return fiber.NewError(fiber.StatusUnprocessableEntity, "admin.thresholds.err.logo")
		}
		if fh.Size > store.MaxLogo {
			return fiber.NewError(fiber.StatusUnprocessableEntity, "admin.thresholds.err.logo")
		}
		f, ferr := fh.Open()
		if ferr != nil {
			return fiber.NewError(fiber.StatusUnprocessableEntity, "admin.thresholds.err.logo")
		}
		data, rerr := io.ReadAll(io.LimitReader(f, store.MaxLogo+1))
		f.Close()
		if rerr != nil {
			return rerr
		}
		err = a.st.SetOrganisationLogo(c.UserContext(), id, data)
	}
	if _, ok := store.AsFieldError(err); ok {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "admin.thresholds.err.logo")
	}
	if err != nil {
		return err
	}
	a.flash(c, "admin.members.saved")
	return c.Redirect("/admin/organisations", fiber.StatusSeeOther)
}
