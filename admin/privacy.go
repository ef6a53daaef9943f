package admin

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/web"
)

// audit records what the signed-in staff member does with a member's
// data, at the request's site. It fails closed: what cannot be recorded
// is not shown or done.
func (a *Admin) audit(c *fiber.Ctx, action store.AuditAction, memberID int64) error {
	site := int64(0)
	if s := web.SiteOf(c); s != nil {
		site = s.ID
	}
	return a.st.Audit(c.UserContext(), currentUser(c).ID, action, memberID, site)
}

// auditPage is the audit log for admins: who looked at, exported, changed
// or erased whose data; of one member with ?member=.
func (a *Admin) auditPage(c *fiber.Ctx) error {
	member, _ := strconv.ParseInt(c.Query("member"), 10, 64)
	rows, err := a.st.AuditLog(c.UserContext(), member, 500)
	if err != nil {
		return err
	}
	return a.w.Render(c, fiber.StatusOK, "admin/audit", a.view(c, map[string]any{"Rows": rows, "Member": member}))
}

// memberData is "what we hold about you": everything Drempel holds about
// a member, as a page to go through with them.
func (a *Admin) memberData(c *fiber.Ctx) error {
	m, rec, err := a.memberAndRecord(c)
	if err != nil {
		return err
	}
	if err := a.audit(c, store.AuditData, m.ID); err != nil {
		return err
	}
	return a.w.Render(c, fiber.StatusOK, "admin/member_data", a.view(c, map[string]any{"M": m, "R": rec}))
}

// memberDataJSON is the same as a file the member takes with them
// (GDPR article 20): machine-readable, every field named.
func (a *Admin) memberDataJSON(c *fiber.Ctx) error {
	m, rec, err := a.memberAndRecord(c)
	if err != nil {
		return err
	}
	id := m.ID
	body, err := json.MarshalIndent(map[string]any{
		"exported":    a.st.Now().UTC().Format(time.RFC3339),
		"member":      rec.Profile,
		"cards":       orEmpty(rec.Cards),
		"visits":      orEmpty(rec.Visits),
		"bookings":    orEmpty(rec.Bookings),
		"enrolments":  orEmpty(rec.Enrolments),
		"smileys":     orEmpty(rec.Ratings),
		"loans":       orEmpty(rec.Loans),
		"device_log":  orEmpty(rec.Events),
		"thresholds":  orEmpty(rec.Thresholds),
		"help":        orEmpty(rec.Help),
		"tandems":     orEmpty(rec.Tandems),
		"explanation": "Everything Drempel holds about this member. Card tokens are never exported: only the check code printed under the QR code. Tandems are those they are the mentee of, with their mentor's notes on each meeting.",
	}, "", "  ")
	if err != nil {
		return err
	}
	if err := a.audit(c, store.AuditExport, id); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="drempel-member-%d.json"`, id))
	return c.Send(body)
}

// memberAndRecord loads the member the URL names and what is held about
// them at this staff member's sites.
func (a *Admin) memberAndRecord(c *fiber.Ctx) (*store.Member, *store.MemberRecord, error) {
	m, err := a.loadMember(c)
	if err != nil {
		return nil, nil, err
	}
	rec, err := a.memberRecord(c, m.ID)
	return m, rec, err
}

// memberRecord is what is held about a member at the sites this staff
// member may see (every site for an admin).
func (a *Admin) memberRecord(c *fiber.Ctx, memberID int64) (*store.MemberRecord, error) {
	sites, err := a.st.UserSites(c.UserContext(), currentUser(c).ID)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(sites))
	for i, s := range sites {
		ids[i] = s.ID
	}
	return a.st.MemberData(c.UserContext(), memberID, ids)
}

// orEmpty writes an empty list as [] rather than null.
func orEmpty[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}

// memberEraseForm asks to confirm an erase, naming what goes.
func (a *Admin) memberEraseForm(c *fiber.Ctx) error {
	m, rec, err := a.memberAndRecord(c)
	if err != nil {
		return err
	}
	return a.w.Render(c, fiber.StatusOK, "admin/member_erase", a.view(c, map[string]any{"M": m, "R": rec}))
}

// memberErase erases a member after the confirmation. A member holding a
// device is refused with store.ErrOpenLoans (the error handler's message).
func (a *Admin) memberErase(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if c.FormValue("confirm") != "yes" {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "admin.privacy.err.confirm")
	}
	if err := a.st.EraseMember(c.UserContext(), id); err != nil {
		return err
	}
	if err := a.audit(c, store.AuditErase, id); err != nil {
		return err
	}
	a.flash(c, "admin.privacy.erased")
	return c.Redirect("/admin/members", fiber.StatusSeeOther)
}

// retentionPage says in plain words what Drempel keeps and for how long,
// and lets an admin change each period.
func (a *Admin) retentionPage(c *fiber.Ctx, status int, form map[string]string, err error) error {
	rules, rerr := a.st.Retention(c.UserContext())
	if rerr != nil {
		return rerr
	}
	last, rerr := a.st.LastRetentionRun(c.UserContext())
	if rerr != nil {
		return rerr
	}
	v := a.view(c, map[string]any{"Rules": rules, "Last": last})
	for _, r := range rules {
		v.Form[r.Key] = strconv.Itoa(r.Value)
	}
	for k, val := range form {
		v.Form[k] = val
	}
	if err != nil {
		fe, ok := store.AsFieldError(err)
		if !ok {
			return err
		}
		for _, r := range rules {
			if r.Key == fe.Field {
				v.Fields[r.Key] = v.L.T("admin.retention.err.range", "Min", r.Min, "Max", r.Max)
			}
		}
		v.Error = v.L.T("error.form")
	}
	return a.w.Render(c, status, "admin/privacy", v)
}

func (a *Admin) retentionShow(c *fiber.Ctx) error {
	return a.retentionPage(c, fiber.StatusOK, nil, nil)
}

func (a *Admin) retentionSave(c *fiber.Ctx) error {
	values := map[string]int{}
	form := map[string]string{}
	for _, r := range store.RetentionRules {
		raw := strings.TrimSpace(c.FormValue(r.Key))
		form[r.Key] = raw
		n, err := strconv.Atoi(raw)
		if err != nil {
			return a.retentionPage(c, fiber.StatusUnprocessableEntity, form, &store.FieldError{Field: r.Key, Code: "out_of_range"})
		}
		values[r.Key] = n
	}
	if err := a.st.SetRetention(c.UserContext(), values); err != nil {
		return a.retentionPage(c, fiber.StatusUnprocessableEntity, form, err)
	}
	a.log.Info("retention changed", "by", currentUser(c).ID)
	a.flash(c, "admin.members.saved")
	return c.Redirect("/admin/privacy", fiber.StatusSeeOther)
}
