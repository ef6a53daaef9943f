package admin

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/web"
)

// dashboard shows today's check-ins at the site: how many, and when.
func (a *Admin) dashboard(c *fiber.Ctx) error {
	ctx := c.UserContext()
	site := web.SiteOf(c)
	day := a.st.Now().In(site.Location()).Format(time.DateOnly)
	visits, err := a.st.VisitsOn(ctx, site.ID, day)
	if err != nil {
		return err
	}
	times := make([]time.Time, len(visits))
	for i, v := range visits {
		times[i] = v.CheckedInAt
	}
	promoted, err := a.st.RecentPromotions(ctx, site.ID, a.st.Now().Add(-7*24*time.Hour))
	if err != nil {
		return err
	}
	var overdue int64
	if u := currentUser(c); u != nil && u.Role != store.RoleFacilitator {
		if overdue, err = a.desk.CountOverdue(ctx, site); err != nil {
			return err
		}
	}
	// Who asked for help at the kiosk: nickname and subject only, never
	// the words they typed (those are for facilitators).
	help, _, _, err := a.st.Thresholds(ctx, site.ID, store.ThresholdFilter{Help: true})
	if err != nil {
		return err
	}
	var followUps []store.Theme
	if u := currentUser(c); u != nil && u.Role != store.RoleStaff {
		if followUps, err = a.st.FollowUpsDue(ctx, site); err != nil {
			return err
		}
	}
	return a.w.Render(c, fiber.StatusOK, "admin/dashboard", a.view(c, map[string]any{
		"Site": site.Name, "Count": len(visits), "Times": times, "Promoted": promoted, "Overdue": overdue,
		"Help": help, "FollowUps": followUps,
	}))
}
