package admin

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/web"
)

// dashboard shows today's check-ins at the site: how many, and when.
func (a *Admin) dashboard(c *fiber.Ctx) error {
	ctx := c.UserContext()
	site := web.SiteOf(c)
	u := currentUser(c)
	// A peer's home is the help queue: the desk's day is not theirs.
	if u != nil && u.Role == store.RolePeer {
		return a.helpPage(c)
	}
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
	deskRole := u != nil && (u.Role == store.RoleAdmin || u.Role == store.RoleStaff)
	// The desk's day: who came today, by nickname and time, newest first.
	// For the desk only (admins and staff), never the kiosk.
	var visitors []store.DayVisitor
	var named, overdue int64
	if deskRole {
		if visitors, named, err = a.st.VisitorsOn(ctx, site.ID, day, dayVisitorsShown); err != nil {
			return err
		}
		if overdue, err = a.desk.CountOverdue(ctx, site); err != nil {
			return err
		}
	}
	// Who asked for help at the kiosk: nickname and subject only, never
	// the words they typed (those are for facilitators); and the help
	// queue, live. Coordinators run courses, mentors their tandems: the
	// help requests and themes are not theirs, nor any member's name.
	var help []store.ThresholdRow
	var queue *helpData
	if u != nil && (deskRole || u.Role == store.RoleFacilitator) {
		if help, _, _, err = a.st.Thresholds(ctx, site.ID, store.ThresholdFilter{Help: true}); err != nil {
			return err
		}
		if queue, err = a.helpData(ctx, site, u, "/admin"); err != nil {
			return err
		}
	}
	var followUps []store.Theme
	if u != nil && (u.Role == store.RoleAdmin || u.Role == store.RoleFacilitator) {
		if followUps, err = a.st.FollowUpsDue(ctx, site); err != nil {
			return err
		}
	}
	// Admins and staff see how the backups go: staff so that they tell
	// whoever looks after the machine.
	var backup *backupStatus
	if deskRole {
		if backup, err = a.backupStatus(ctx, u.Role); err != nil {
			return err
		}
	}
	return a.w.Render(c, fiber.StatusOK, "admin/dashboard", a.view(c, map[string]any{
		"Site": site.Name, "Count": len(visits), "Times": times, "Promoted": promoted, "Overdue": overdue,
		"Help": help, "Queue": queue, "FollowUps": followUps, "Backup": backup,
		"Desk": deskRole, "Visitors": visitors, "Named": named,
	}))
}

// dayVisitorsShown caps the desk's list of today's visitors; the page
// says how many more there are.
const dayVisitorsShown = 200

// backupStale is how old the latest backup may be before the dashboard
// warns: a night missed (the PC was off) is not yet a worry, two are.
const backupStale = 48 * time.Hour

// backupStatus is what the dashboard says of the backups.
type backupStatus struct {
	// Last is the latest backup's outcome; nil when none was ever made.
	Last *store.BackupRecord
	// Warning is the message id of what is wrong, "" when all is well.
	Warning string
	// Tell: the reader cannot act on it (staff), and tells who can.
	Tell bool
}

func (a *Admin) backupStatus(ctx context.Context, role store.Role) (*backupStatus, error) {
	last, err := a.st.LastBackup(ctx)
	if err != nil {
		return nil, err
	}
	b := &backupStatus{Last: last, Tell: role != store.RoleAdmin}
	switch {
	case last == nil:
		has, err := a.st.HoldsMembers(ctx)
		if err != nil {
			return nil, err
		}
		// The demo's made-up members are nothing to lose: a newcomer
		// trying it is not greeted by an alarm.
		demo, err := a.st.Setting(ctx, store.SettingDemo)
		if err != nil {
			return nil, err
		}
		if has && demo != "1" {
			b.Warning = "admin.dashboard.backup.never"
		}
	case !last.OK:
		b.Warning = "admin.dashboard.backup.failed"
	case a.st.Now().Sub(last.At) > backupStale:
		b.Warning = "admin.dashboard.backup.old"
	case last.CopyError != "":
		b.Warning = "admin.dashboard.backup.copy_failed"
	}
	return b, nil
}
