package admin

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/web"
	"github.com/drempel/drempel/web/printing"
)

func (a *Admin) devicesList(c *fiber.Ctx) error {
	ctx := c.UserContext()
	site := web.SiteOf(c)
	f := store.DeviceFilter{Status: store.DeviceStatus(c.Query("status")), Type: store.DeviceType(c.Query("type")), Q: c.Query("q")}
	list, err := a.st.Devices(ctx, site.ID, f)
	if err != nil {
		return err
	}
	policies, err := a.policies(c)
	if err != nil {
		return err
	}
	v := a.view(c, map[string]any{"Devices": list, "Filter": f, "Types": store.DeviceTypes, "Statuses": store.DeviceStatuses, "Policies": policies,
		"LabelsWarning": a.labelsWarning(), "ImportHelp": a.importHelp(c)})
	v.Form["type"], v.Form["count"] = string(store.Laptop), "1"
	return a.w.Render(c, fiber.StatusOK, "admin/devices", v)
}

func deviceInput(c *fiber.Ctx) (store.DeviceInput, map[string]string) {
	in := store.DeviceInput{Type: store.DeviceType(c.FormValue("type")), Make: c.FormValue("make"), Model: c.FormValue("model"),
		Serial: c.FormValue("serial"), Notes: c.FormValue("notes")}
	return in, map[string]string{"type": c.FormValue("type"), "make": in.Make, "model": in.Model, "serial": in.Serial,
		"notes": in.Notes, "count": c.FormValue("count"), "parent": c.FormValue("parent")}
}

func (a *Admin) devicesAdd(c *fiber.Ctx) error {
	ctx := c.UserContext()
	site := web.SiteOf(c)
	in, form := deviceInput(c)
	count, _ := strconv.Atoi(strings.TrimSpace(form["count"]))
	if form["parent"] != "" {
		p, err := a.st.DeviceByTag(ctx, form["parent"])
		if err != nil {
			return a.devicesFormError(c, form, &store.FieldError{Field: "parent", Code: "bad_choice"})
		}
		in.ParentID = &p.ID
	}
	added, err := a.st.AddDevices(ctx, site.ID, in, count, currentUser(c).ID)
	if err != nil {
		return a.devicesFormError(c, form, err)
	}
	a.flash(c, "admin.devices.added")
	if len(added) == 1 {
		return c.Redirect(fmt.Sprintf("/admin/devices/%d", added[0].ID), fiber.StatusSeeOther)
	}
	ids := make([]string, len(added))
	for i, d := range added {
		ids[i] = "id=" + strconv.FormatInt(d.ID, 10)
	}
	return c.Redirect("/admin/devices?added="+strconv.Itoa(len(added))+"&"+strings.Join(ids, "&"), fiber.StatusSeeOther)
}

func (a *Admin) devicesFormError(c *fiber.Ctx, form map[string]string, err error) error {
	site := web.SiteOf(c)
	list, lerr := a.st.Devices(c.UserContext(), site.ID, store.DeviceFilter{})
	if lerr != nil {
		return lerr
	}
	policies, perr := a.policies(c)
	if perr != nil {
		return perr
	}
	v := a.view(c, map[string]any{"Devices": list, "Filter": store.DeviceFilter{}, "Types": store.DeviceTypes, "Statuses": store.DeviceStatuses, "Policies": policies,
		"LabelsWarning": a.labelsWarning(), "ImportHelp": a.importHelp(c)})
	v.Form = form
	if deviceFormError(v, err) {
		return a.w.Render(c, fiber.StatusUnprocessableEntity, "admin/devices", v)
	}
	return err
}

// policies is the site's loan days per device type, as the devices page
// shows them.
func (a *Admin) policies(c *fiber.Ctx) (map[string]int, error) {
	p, err := a.desk.Policy(c.UserContext(), web.SiteOf(c).ID)
	if err != nil {
		return nil, err
	}
	out := make(map[string]int, len(store.DeviceTypes))
	for _, t := range store.DeviceTypes {
		out[string(t)] = p.Days(t)
	}
	return out, nil
}

func (a *Admin) loadDevice(c *fiber.Ctx) (*store.Device, error) { return load(c, a.st.Device) }

// deviceByTag is where a label's QR code leads a staff phone.
func (a *Admin) deviceByTag(c *fiber.Ctx) error {
	d, err := a.st.DeviceByTag(c.UserContext(), c.Params("tag"))
	if err != nil {
		return err
	}
	if d.SiteID != web.SiteOf(c).ID {
		return fiber.ErrNotFound // another site's device, as if it did not exist
	}
	return c.Redirect(fmt.Sprintf("/admin/devices/%d", d.ID), fiber.StatusSeeOther)
}

func (a *Admin) deviceShow(c *fiber.Ctx) error {
	ctx := c.UserContext()
	d, err := a.loadDevice(c)
	if err != nil {
		return err
	}
	hist, err := a.st.DeviceHistory(ctx, d.ID)
	if err != nil {
		return err
	}
	acc, err := a.st.Accessories(ctx, d.ID)
	if err != nil {
		return err
	}
	var loan *store.LoanRow
	if l, err := a.st.OpenLoan(ctx, d.ID); err == nil {
		m, err := a.st.Member(ctx, l.MemberID)
		if err != nil {
			return err
		}
		loan = &store.LoanRow{Loan: *l, Nickname: m.Nickname}
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	var parent *store.Device
	if d.ParentID != nil {
		if parent, err = a.st.Device(ctx, *d.ParentID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	return a.w.Render(c, fiber.StatusOK, "admin/device", a.view(c, map[string]any{
		"D": d, "History": hist, "Accessories": acc, "Loan": loan, "Parent": parent, "Now": a.st.Now(), "LabelsWarning": a.labelsWarning(),
	}))
}

func (a *Admin) deviceStatus(c *fiber.Ctx) error {
	d, err := a.loadDevice(c)
	if err != nil {
		return err
	}
	to := store.DeviceStatus(c.FormValue("status"))
	by := currentUser(c).ID
	if to == "wiped" {
		err = a.desk.ConfirmWipe(c.UserContext(), d.ID, by)
	} else {
		err = a.st.SetDeviceStatus(c.UserContext(), d.ID, to, by, c.FormValue("note"))
	}
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrDeviceUnavailable):
		return fiber.NewError(fiber.StatusConflict, "admin.devices.err.status")
	case errors.Is(err, store.ErrInvalid):
		return fiber.NewError(fiber.StatusUnprocessableEntity, "error.bad_request")
	case err != nil:
		return err
	}
	a.flash(c, "admin.members.saved")
	return c.Redirect(fmt.Sprintf("/admin/devices/%d", d.ID), fiber.StatusSeeOther)
}

// loanAction extends, marks lost or stolen, or reopens a loan.
func (a *Admin) loanAction(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	by := currentUser(c).ID
	l, err := a.st.Loan(ctx, id)
	if err != nil {
		return err
	}
	desk := a.desk
	switch c.Params("action") {
	case "extend":
		err = desk.ChangeDue(ctx, web.SiteOf(c), id, c.FormValue("due"), by)
	case "lost":
		err = desk.MarkLost(ctx, id, by, c.FormValue("stolen") == "1")
	case "reopen":
		err = desk.Reopen(ctx, id, by)
	default:
		return fiber.ErrNotFound
	}
	switch fe, _ := store.AsFieldError(err); {
	case fe != nil && fe.Code == "bad_date":
		return fiber.NewError(fiber.StatusUnprocessableEntity, "error.bad_date")
	case errors.Is(err, store.ErrInvalid):
		return fiber.NewError(fiber.StatusUnprocessableEntity, "admin.loans.err.due")
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrDeviceUnavailable):
		return fiber.NewError(fiber.StatusConflict, "admin.loans.err.state")
	case err != nil:
		return err
	}
	a.flash(c, "admin.members.saved")
	return c.Redirect(safeBack(c.FormValue("back"), fmt.Sprintf("/admin/devices/%d", l.DeviceID)), fiber.StatusSeeOther)
}

// labelsPDF prints the labels of the site's devices given (?id=…), on an
// A4 sheet or, with ?format=roll, on a 62 mm roll.
func (a *Admin) labelsPDF(c *fiber.Ctx) error {
	ctx := c.UserContext()
	site := web.SiteOf(c)
	var labels []printing.DeviceLabel
	for _, raw := range c.Context().QueryArgs().PeekMulti("id") {
		id, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil || id <= 0 {
			return fiber.NewError(fiber.StatusBadRequest, "error.bad_request")
		}
		d, err := a.st.Device(ctx, id)
		if errors.Is(err, store.ErrNotFound) || (err == nil && d.SiteID != site.ID) {
			continue
		}
		if err != nil {
			return err
		}
		labels = append(labels, printing.DeviceLabel{Tag: d.AssetTag, Caption: strings.TrimSpace(d.Make + " " + d.Model), URL: a.publicURL + "/d/" + d.AssetTag})
		if len(labels) > 500 {
			return fiber.NewError(fiber.StatusBadRequest, "error.too_many_cards")
		}
	}
	if len(labels) == 0 {
		return fiber.NewError(fiber.StatusBadRequest, "admin.devices.err.none_selected")
	}
	format := printing.LabelsA4
	if c.Query("format") == "roll" {
		format = printing.LabelsRoll62
	}
	return sendPDF(c, "drempel-labels.pdf", func(w io.Writer) error { return printing.WriteLabelsPDF(w, labels, format) })
}

func (a *Admin) overdue(c *fiber.Ctx) error {
	loans, err := a.desk.Overdue(c.UserContext(), web.SiteOf(c))
	if err != nil {
		return err
	}
	return a.w.Render(c, fiber.StatusOK, "admin/overdue", a.view(c, map[string]any{"Loans": loans}))
}

func (a *Admin) policiesSave(c *fiber.Ctx) error {
	site := web.SiteOf(c)
	for _, t := range store.DeviceTypes {
		days, err := strconv.Atoi(strings.TrimSpace(c.FormValue("days_" + string(t))))
		if err != nil {
			return fiber.NewError(fiber.StatusUnprocessableEntity, "admin.devices.err.days")
		}
		if err := a.desk.SetLoanDays(c.UserContext(), site.ID, t, days); err != nil {
			return fiber.NewError(fiber.StatusUnprocessableEntity, "admin.devices.err.days")
		}
	}
	a.flash(c, "admin.members.saved")
	return c.Redirect("/admin/devices", fiber.StatusSeeOther)
}
