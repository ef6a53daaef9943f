package admin

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/session"

	"github.com/drempel/drempel/devices"
	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/web"
	"github.com/drempel/drempel/web/printing"
)

// The lending desk keeps its basket (the member and the devices scanned so
// far) in the staff member's session, as plain values.
const (
	keyLendMember  = "lend_member"
	keyLendDevices = "lend_devices"
	keyLendNote    = "lend_note"
)

// basket reads the lending desk's basket back from the session.
func basket(sess *session.Session) devices.Basket {
	memberID, _ := sess.Get(keyLendMember).(int64)
	devs, _ := sess.Get(keyLendDevices).(string)
	return devices.DecodeBasket(memberID, devs)
}

// lending is the lending desk of package devices, the one way these
// handlers lend and take back.

type basketLine struct {
	Device      store.Device
	Accessories []store.Device
	DueDays     int
}

func (a *Admin) lendPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	site := web.SiteOf(c)
	data := map[string]any{}
	// The view first: it takes its flash out of the session and saves it.
	v := a.view(c, data)
	sess, err := a.w.Admin.Get(c)
	if err != nil {
		return err
	}
	// Read everything before saving: Fiber releases a session on Save.
	b := basket(sess)
	if note, ok := sess.Get(keyLendNote).(string); ok {
		data["Note"] = note
		sess.Delete(keyLendNote)
		if err := sess.Save(); err != nil {
			return err
		}
	}
	if b.HasMember() {
		id := b.MemberID
		m, err := a.st.Member(ctx, id)
		if err == nil {
			data["Member"] = m
			l := a.w.I18n.Loc(m.Lang, a.w.Opts.DefaultLang)
			data["Terms"], data["TermsLang"], data["TermsDir"] = l.T("kiosk.loan.terms"), l.Lang.Code, l.Lang.Dir()
			loans, err := a.st.MemberOpenLoansAt(ctx, id, site.ID)
			if err != nil {
				return err
			}
			data["OpenLoans"] = loans
		}
	}
	policy, err := a.desk.Policy(ctx, site.ID)
	if err != nil {
		return err
	}
	var lines []basketLine
	for _, id := range b.DeviceIDs {
		d, err := a.st.Device(ctx, id)
		if err != nil || d.SiteID != site.ID {
			continue // gone, or scanned before a switch to this site
		}
		acc, err := a.st.Accessories(ctx, d.ID)
		if err != nil {
			return err
		}
		lines = append(lines, basketLine{*d, acc, policy.Days(d.Type)})
	}
	data["Lines"] = lines
	return a.w.Render(c, fiber.StatusOK, "admin/lend", v)
}

func (a *Admin) note(sess *session.Session, l *web.Loc, id string, args ...any) {
	sess.Set(keyLendNote, l.T(id, args...))
}

// lendScan takes whatever the scanner (or a person) typed: a member card,
// a check code, or a device label, in any order.
func (a *Admin) lendScan(c *fiber.Ctx) error {
	ctx := c.UserContext()
	l := a.view(c, nil).L
	sess, err := a.w.Admin.Get(c)
	if err != nil {
		return err
	}
	val := strings.TrimSpace(c.FormValue("scan"))
	defer func() { _ = sess.Save() }()
	scan := devices.Classify(val)
	if scan.Kind.IsDevice() {
		tag := scan.Tag
		d, err := a.st.DeviceByTag(ctx, tag)
		if errors.Is(err, store.ErrNotFound) || (err == nil && d.SiteID != web.SiteOf(c).ID) {
			// Another site's device is lent there, not here.
			a.note(sess, l, "admin.lend.unknown_tag", "Tag", tag)
			return c.Redirect("/admin/lend", fiber.StatusSeeOther)
		}
		if err != nil {
			return err
		}
		if d.Status != store.Available {
			a.note(sess, l, "admin.lend.not_available", "Tag", d.AssetTag, "Status", l.T("admin.devices.status."+string(d.Status)))
			return c.Redirect("/admin/lend", fiber.StatusSeeOther)
		}
		b := basket(sess)
		if !b.Add(d.ID) {
			return c.Redirect("/admin/lend", fiber.StatusSeeOther)
		}
		sess.Set(keyLendDevices, b.EncodeDevices())
		if !b.HasMember() {
			a.note(sess, l, "admin.lend.now_card")
		}
		return c.Redirect("/admin/lend", fiber.StatusSeeOther)
	}
	var m *store.Member
	switch scan.Kind {
	case devices.ScanCard:
		if h, err := a.st.CardByToken(ctx, val, web.SiteOf(c).ID); err == nil {
			m = &h.Member
		}
	case devices.ScanCheckCode:
		if mm, err := a.st.MemberByCheckCode(ctx, val, web.SiteOf(c).ID); err == nil {
			m = mm
		}
	}
	if m == nil {
		a.note(sess, l, "admin.lend.unknown_scan")
		return c.Redirect("/admin/lend", fiber.StatusSeeOther)
	}
	sess.Set(keyLendMember, m.ID)
	return c.Redirect("/admin/lend", fiber.StatusSeeOther)
}

func (a *Admin) lendRemove(c *fiber.Ctx) error {
	sess, err := a.w.Admin.Get(c)
	if err != nil {
		return err
	}
	if c.FormValue("all") == "1" {
		sess.Delete(keyLendMember)
		sess.Delete(keyLendDevices)
	} else {
		id, _ := strconv.ParseInt(c.FormValue("device"), 10, 64)
		b := basket(sess)
		b.Remove(id)
		sess.Set(keyLendDevices, b.EncodeDevices())
	}
	_ = sess.Save()
	return c.Redirect("/admin/lend", fiber.StatusSeeOther)
}

func (a *Admin) lendConfirm(c *fiber.Ctx) error {
	ctx := c.UserContext()
	site := web.SiteOf(c)
	l := a.view(c, nil).L
	sess, err := a.w.Admin.Get(c)
	if err != nil {
		return err
	}
	b := basket(sess)
	memberID := b.MemberID
	if !b.Ready() {
		a.note(sess, l, "admin.lend.incomplete")
		_ = sess.Save()
		return c.Redirect("/admin/lend", fiber.StatusSeeOther)
	}
	loans, err := a.desk.Lend(ctx, site, store.LendInput{MemberID: memberID, DeviceIDs: b.DeviceIDs,
		TermsAccepted: c.FormValue("terms") == "yes", By: currentUser(c).ID})
	var de *store.DeviceError
	switch {
	case errors.Is(err, devices.ErrNoTerms):
		a.note(sess, l, "admin.lend.terms_needed")
	case errors.As(err, &de):
		a.note(sess, l, "admin.lend.not_available", "Tag", de.Device.AssetTag, "Status", l.T("admin.devices.status.on_loan"))
	case errors.Is(err, store.ErrNoActiveCard):
		a.note(sess, l, "kiosk.lab.err.card")
	case err != nil:
		return err
	}
	if err != nil {
		_ = sess.Save()
		return c.Redirect("/admin/lend", fiber.StatusSeeOther)
	}
	sess.Delete(keyLendMember)
	sess.Delete(keyLendDevices)
	_ = sess.Save()
	list := make([]int64, len(loans))
	for i, x := range loans {
		list[i] = x.ID
	}
	a.log.Info("lent", "member", memberID, "loans", len(loans), "by", currentUser(c).ID)
	a.flash(c, "admin.lend.done")
	return c.Redirect(fmt.Sprintf("/admin/members/%d?receipt=%s", memberID, devices.JoinIDs(list)), fiber.StatusSeeOther)
}

// receipt prints what was lent at this site, in the member's language.
func (a *Admin) receipt(c *fiber.Ctx) error {
	ctx := c.UserContext()
	site := web.SiteOf(c)
	var rows []store.LoanRow
	var memberID int64
	for _, id := range devices.ParseIDs(c.Params("ids")) {
		l, err := a.st.Loan(ctx, id)
		if errors.Is(err, store.ErrNotFound) || (err == nil && l.SiteID != site.ID) {
			continue
		}
		if err != nil {
			return err
		}
		if memberID != 0 && l.MemberID != memberID {
			return fiber.NewError(fiber.StatusBadRequest, "error.bad_request")
		}
		memberID = l.MemberID
		all, err := a.st.MemberLoanHistory(ctx, l.MemberID, site.ID)
		if err != nil {
			return err
		}
		for _, r := range all {
			if r.ID == l.ID {
				rows = append(rows, r)
			}
		}
	}
	if len(rows) == 0 {
		return fiber.ErrNotFound
	}
	m, err := a.st.Member(ctx, memberID)
	if err != nil {
		return err
	}
	r, l, err := a.takeHome(c, m, "receipt.title", "kiosk.loan.terms")
	if err != nil {
		return err
	}
	r.Date = l.DateTime(a.st.Now())
	for _, row := range rows {
		r.Lines = append(r.Lines, takeHomeLine(l, row.AssetTag, row.DeviceType, row.Make, row.Model, row.DueAt))
	}
	return sendPDF(c, "drempel-receipt.pdf", func(w io.Writer) error { return printing.WriteReceiptPDF(w, r) })
}

func (a *Admin) returnPage(c *fiber.Ctx) error {
	return a.w.Render(c, fiber.StatusOK, "admin/return", a.view(c, map[string]any{}))
}

// returnScan finds the device scanned and shows the short return check.
func (a *Admin) returnScan(c *fiber.Ctx) error {
	ctx := c.UserContext()
	v := a.view(c, map[string]any{})
	tag := store.NormalizeTag(c.FormValue("scan"))
	d, err := a.st.DeviceByTag(ctx, tag)
	if err == nil && d.SiteID != web.SiteOf(c).ID {
		err = store.ErrNotFound // another site's device comes back there
	}
	if errors.Is(err, store.ErrNotFound) {
		if _, cerr := a.st.CardByToken(ctx, c.FormValue("scan"), web.SiteOf(c).ID); cerr == nil {
			v.Error = v.L.T("admin.return.is_card")
		} else {
			v.Error = v.L.T("admin.lend.unknown_scan")
		}
		return a.w.Render(c, fiber.StatusUnprocessableEntity, "admin/return", v)
	}
	if err != nil {
		return err
	}
	loan, err := a.st.OpenLoan(ctx, d.ID)
	if errors.Is(err, store.ErrNotFound) {
		v.Error = v.L.T("admin.return.not_lent", "Tag", d.AssetTag)
		return a.w.Render(c, fiber.StatusUnprocessableEntity, "admin/return", v)
	}
	if err != nil {
		return err
	}
	m, err := a.st.Member(ctx, loan.MemberID)
	if err != nil {
		return err
	}
	open, err := a.st.MemberOpenLoansAt(ctx, loan.MemberID, d.SiteID)
	if err != nil {
		return err
	}
	var acc []store.LoanRow
	for _, o := range open {
		od, err := a.st.Device(ctx, o.DeviceID)
		if err == nil && od.ParentID != nil && *od.ParentID == d.ID {
			acc = append(acc, o)
		}
	}
	v.Data = map[string]any{"D": d, "Loan": loan, "Member": m, "Accessories": acc, "Late": devices.IsOverdue(loan.DueAt, a.st.Now())}
	return a.w.Render(c, fiber.StatusOK, "admin/return", v)
}

func (a *Admin) returnConfirm(c *fiber.Ctx) error {
	ctx := c.UserContext()
	id, err := strconv.ParseInt(c.FormValue("device"), 10, 64)
	if err != nil {
		return fiber.NewError(fiber.StatusBadRequest, "error.bad_request")
	}
	if err := a.own(c, store.KindDevice, id); err != nil {
		return err
	}
	var missing []int64
	for _, raw := range c.Request().PostArgs().PeekMulti("accessory") {
		acc, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil {
			continue
		}
		if c.FormValue(fmt.Sprintf("back_%d", acc)) != "yes" {
			missing = append(missing, acc)
		}
	}
	_, err = a.desk.Return(ctx, store.ReturnInput{DeviceID: id, By: currentUser(c).ID, Wiped: c.FormValue("wiped") == "yes",
		Damaged: c.FormValue("damaged") == "yes", DamageNote: c.FormValue("damage"), Missing: missing})
	if errors.Is(err, store.ErrNotFound) {
		return fiber.NewError(fiber.StatusConflict, "admin.loans.err.state")
	}
	if err != nil {
		if _, ok := store.AsFieldError(err); ok {
			return fiber.NewError(fiber.StatusUnprocessableEntity, "error.too_long")
		}
		return err
	}
	if c.FormValue("wiped") == "yes" {
		a.flash(c, "admin.return.done_available")
	} else {
		a.flash(c, "admin.return.done_checking")
	}
	return c.Redirect("/admin/return", fiber.StatusSeeOther)
}

// takeHome starts what a member takes home, a receipt or a reminder: in
// the member's language whenever the kiosk speaks it (every kiosk script
// prints, right to left where it is written so), else the desk's; with
// the organisation's name and phone number.
func (a *Admin) takeHome(c *fiber.Ctx, m *store.Member, title, text string) (printing.Receipt, *web.Loc, error) {
	ctx := c.UserContext()
	lang := m.Lang
	if lg, ok := web.LookupLanguage(lang); !ok || !lg.Kiosk {
		lang = a.w.Opts.DefaultLang
	}
	site := web.SiteOf(c)
	// Dates in the site's zone, where the loan is due, not the server's.
	l := a.w.I18n.LocIn(lang, a.w.Opts.DefaultLang, site.Location())
	op, err := a.st.OperatorOfSite(ctx, site.ID)
	if err != nil {
		return printing.Receipt{}, nil, err
	}
	org := op.Name
	phone, err := a.st.Setting(ctx, store.SettingOrgPhone)
	if err != nil {
		return printing.Receipt{}, nil, err
	}
	if site.Phone != "" {
		phone = site.Phone // the site's own number before the organisation's
	}
	return printing.Receipt{Title: l.T(title), Org: org, Site: site.Name, MemberLabel: l.T("receipt.member"),
		Member: m.Nickname, DueLabel: l.T("receipt.due"), Terms: l.T(text), Footer: l.T("receipt.footer"),
		Phone: phone, Lang: l.Lang.Code, Dir: l.Lang.Dir()}, l, nil
}

// takeHomeLine is one device on a receipt or reminder, named with the
// kiosk's words for its type, which every kiosk language has.
func takeHomeLine(l *web.Loc, tag string, typ store.DeviceType, make, model string, due time.Time) printing.ReceiptLine {
	return printing.ReceiptLine{Tag: tag, Type: typ, What: strings.TrimSpace(l.T("kiosk.loans.type."+string(typ)) + " " + make + " " + model), Due: l.Date(due)}
}

// reminder prints a friendly reminder for an overdue loan, in the
// member's language.
func (a *Admin) reminder(c *fiber.Ctx) error {
	ctx := c.UserContext()
	id, err := idParam(c)
	if err != nil {
		return err
	}
	l, err := a.st.Loan(ctx, id)
	if err != nil {
		return err
	}
	if l.Status != store.LoanOpen {
		return fiber.ErrNotFound // a loan that is back needs no reminder
	}
	m, err := a.st.Member(ctx, l.MemberID)
	if err != nil {
		return err
	}
	open, err := a.st.MemberOpenLoansAt(ctx, m.ID, l.SiteID)
	if err != nil {
		return err
	}
	r, loc, err := a.takeHome(c, m, "reminder.title", "reminder.text")
	if err != nil {
		return err
	}
	r.Reminder = true
	r.Date = loc.Date(a.st.Now())
	for _, o := range open {
		r.Lines = append(r.Lines, takeHomeLine(loc, o.AssetTag, o.DeviceType, o.Make, o.Model, o.DueAt))
	}
	return sendPDF(c, "drempel-reminder.pdf", func(w io.Writer) error { return printing.WriteReceiptPDF(w, r) })
}
