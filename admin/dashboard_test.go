package admin_test

import (
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
	"github.com/drempel/drempel/web"
	"github.com/drempel/drempel/web/webtest"
)

var backupWarningRe = regexp.MustCompile(`(?s)<div class="error" role="alert" id="backup-warning">(.*?)</div>`)

// The dashboard says when the latest backup was made, and warns admins and
// staff, as an alert with what to do, when there never was one while the
// database holds members, when it failed, when it is more than two days
// old, or when its copy to the second folder failed. Facilitators see
// nothing of it.
func TestDashboardBackupStatus(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		x, err := web.NewI18n(nil)
		if err != nil {
			t.Fatal(err)
		}
		brussels, _ := time.LoadLocation("Europe/Brussels")
		nl := x.LocIn("nl", "nl", brussels) // the site's zone
		admin, staff, facilitator := f.signIn(t, store.RoleAdmin), f.signIn(t, store.RoleStaff), f.signIn(t, store.RoleFacilitator)
		// page gives the dashboard's text for a role, and the backup
		// warning's text ("" when there is none).
		page := func(c *webtest.Client) (string, string) {
			t.Helper()
			r := c.Get("/admin")
			if r.Status != 200 {
				t.Fatalf("dashboard: %d", r.Status)
			}
			warning := ""
			if m := backupWarningRe.FindStringSubmatch(r.Body); m != nil {
				warning = html.UnescapeString(m[1])
			}
			if n := strings.Count(r.Body, `id="backup-warning"`); n > 1 {
				t.Errorf("%d backup warnings", n)
			}
			return html.UnescapeString(r.Body), warning
		}
		todo, tell := nl.T("admin.dashboard.backup.todo"), nl.T("admin.dashboard.backup.tell")
		// warns checks that admins and staff get the warning want, with
		// what to do; staff are told to tell someone.
		warns := func(step, want string) {
			t.Helper()
			for _, c := range []struct {
				role   store.Role
				client *webtest.Client
			}{{store.RoleAdmin, admin}, {store.RoleStaff, staff}} {
				_, w := page(c.client)
				if !strings.Contains(w, want) || !strings.Contains(w, todo) {
					t.Errorf("%s, %s: warning %q, want %q and what to do", step, c.role, w, want)
				}
				if strings.Contains(w, tell) != (c.role == store.RoleStaff) {
					t.Errorf("%s, %s: told to tell someone: %v", step, c.role, strings.Contains(w, tell))
				}
			}
			if body, w := page(facilitator); w != "" || strings.Contains(body, nl.T("admin.dashboard.backup.title")) {
				t.Errorf("%s: a facilitator sees the backups", step)
			}
		}
		noWarning := func(step, want string) {
			t.Helper()
			for _, c := range []*webtest.Client{admin, staff} {
				body, w := page(c)
				if w != "" {
					t.Errorf("%s: warning %q", step, w)
				}
				if !strings.Contains(body, want) {
					t.Errorf("%s: the dashboard does not say %q", step, want)
				}
			}
		}

		// A new installation: nothing to lose yet, nothing to warn of.
		noWarning("no members, no backup", nl.T("admin.dashboard.backup.none_yet"))

		if _, err := st.CreateMember(ctx, store.MemberInput{Nickname: "Amina", Lang: "ar"}); err != nil {
			t.Fatal(err)
		}
		warns("members, never a backup", nl.T("admin.dashboard.backup.never"))

		record := func(r store.BackupRecord) string {
			t.Helper()
			if err := st.RecordBackup(ctx, r); err != nil {
				t.Fatal(err)
			}
			return nl.DateTime(r.At)
		}
		file := "drempel-backup-2026-03-10-023000.db"
		when := record(store.BackupRecord{At: st.Now().Add(-3 * time.Hour), OK: true, File: file, Bytes: 1 << 20})
		noWarning("a backup last night", nl.T("admin.dashboard.backup.last", "When", when, "File", file))
		if body, _ := page(facilitator); strings.Contains(body, file) {
			t.Error("a facilitator sees the backups")
		}

		when = record(store.BackupRecord{At: st.Now().Add(-47 * time.Hour), OK: true, File: file})
		noWarning("a night missed", nl.T("admin.dashboard.backup.last", "When", when, "File", file))

		when = record(store.BackupRecord{At: st.Now().Add(-49 * time.Hour), OK: true, File: file})
		warns("two nights missed", nl.T("admin.dashboard.backup.old", "When", when))

		when = record(store.BackupRecord{At: st.Now().Add(-time.Hour), Error: "backup folder: read-only file system"})
		warns("failed", nl.T("admin.dashboard.backup.failed", "When", when))

		when = record(store.BackupRecord{At: st.Now().Add(-time.Hour), OK: true, File: file, CopyError: "no such file or directory"})
		warns("the copy failed", nl.T("admin.dashboard.backup.copy_failed", "When", when))

		when = record(store.BackupRecord{At: st.Now().Add(-time.Minute), OK: true, File: file})
		noWarning("made again", nl.T("admin.dashboard.backup.last", "When", when, "File", file))
	})
}
