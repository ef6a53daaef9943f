package admin

import (
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/web"
)

// period reads ?from=YYYY-MM-DD&to=YYYY-MM-DD (to inclusive); by default
// the last twelve months.
func period(c *fiber.Ctx, loc *time.Location, now time.Time) (time.Time, time.Time, error) {
	to := time.Date(now.In(loc).Year(), now.In(loc).Month(), now.In(loc).Day()+1, 0, 0, 0, 0, loc)
	from := to.AddDate(-1, 0, 0)
	var err error
	if q := c.Query("from"); q != "" {
		if from, err = time.ParseInLocation(time.DateOnly, q, loc); err != nil {
			return from, to, fiber.NewError(fiber.StatusBadRequest, "error.bad_date")
		}
	}
	if q := c.Query("to"); q != "" {
		t, err := time.ParseInLocation(time.DateOnly, q, loc)
		if err != nil {
			return from, to, fiber.NewError(fiber.StatusBadRequest, "error.bad_date")
		}
		to = t.AddDate(0, 0, 1)
	}
	if !to.After(from) {
		return from, to, fiber.NewError(fiber.StatusBadRequest, "error.bad_date")
	}
	return from, to, nil
}

func (a *Admin) loanReport(c *fiber.Ctx) error {
	ctx := c.UserContext()
	site := web.SiteOf(c)
	from, to, err := period(c, site.Location(), a.st.Now())
	if err != nil {
		return err
	}
	r, err := a.st.LoanReportFor(ctx, site, from, to)
	if err != nil {
		return err
	}
	v := a.view(c, nil)
	if f := c.Params("format"); f != "" {
		t := web.Table{{v.L.T("admin.reports.month"), v.L.T("admin.devices.type"), v.L.T("admin.reports.loans")}}
		for _, m := range r.PerMonth {
			t = append(t, []string{m.Month, v.L.T("admin.devices.type." + string(m.Type)), strconv.Itoa(m.Count)})
		}
		return a.export(c, "drempel-loans", f, t)
	}
	v.Data = map[string]any{"R": r, "From": from.Format(time.DateOnly), "To": to.AddDate(0, 0, -1).Format(time.DateOnly),
		"Avg": fmt.Sprintf("%.1f", r.AvgDays), "Late": fmt.Sprintf("%.0f", r.LatePercent)}
	return a.w.Render(c, fiber.StatusOK, "admin/report_loans", v)
}

// export sends a table as CSV or XLSX, formulas neutralised either way.
func (a *Admin) export(c *fiber.Ctx, name, format string, t web.Table) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	switch format {
	case "csv":
		c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`.csv"`)
		return web.WriteCSV(c.Response().BodyWriter(), t)
	case "xlsx":
		c.Set(fiber.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`.xlsx"`)
		return web.WriteXLSX(c.Response().BodyWriter(), "Drempel", t)
	}
	return fiber.ErrNotFound
}
