package store_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
)

var backupZone, _ = time.LoadLocation("Europe/Brussels") // where the backups are named

// lentData gives a store a staff account, a laptop and a member who
// borrowed it, and returns the laptop's id and the member's.
func lentData(t *testing.T, s *store.Store, site *store.Site) (deviceID, memberID int64) {
	t.Helper()
	bg := context.Background()
	u, err := s.CreateUser(bg, store.UserInput{Email: "backup@test.be", Role: store.RoleStaff, Password: "long enough pw"})
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.CreateMember(bg, store.MemberInput{Nickname: "Olena Borrower", Lang: "uk", Phone: "0470 12 34 56"})
	if err != nil {
		t.Fatal(err)
	}
	ds, err := s.AddDevices(bg, site.ID, store.DeviceInput{Type: store.Laptop, Make: "Lenovo"}, 1, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Lend(bg, store.LendInput{SiteID: site.ID, MemberID: m.ID, DeviceIDs: []int64{ds[0].ID}, TermsAccepted: true, By: u.ID}); err != nil {
		t.Fatal(err)
	}
	return ds[0].ID, m.ID
}

// A backup made while kiosks check in and the desk registers members holds
// every check-in and member confirmed before it started; restored into an
// empty data directory, it opens, checks, and has them all, and the loan.
func TestBackupUnderLoadRestores(t *testing.T) {
	bg := context.Background()
	s := storetest.Open(t, "sqlite")
	site, err := s.EnsureSite(bg, "Backup", "Europe/Brussels")
	if err != nil {
		t.Fatal(err)
	}
	const seeded = 3000
	storetest.SeedLoad(t, s, seeded, 5) // members 1…3000, each with past visits: a backup that takes a while
	deviceID, borrower := lentData(t, s, site)

	var (
		mu        sync.Mutex
		visits    []int64 // members whose check-in today was confirmed
		members   []int64 // members registered at the desk
		stop      = make(chan struct{})
		wg        sync.WaitGroup
		writeErrs = make(chan error, 16)
	)
	const kiosks = 6
	for k := range kiosks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := int64(k + 1); id <= seeded; id += kiosks {
				select {
				case <-stop:
					return
				default:
				}
				if _, counted, err := s.CheckIn(bg, id, site); err != nil || !counted {
					writeErrs <- fmt.Errorf("check-in of %d: counted %v, %v", id, counted, err)
					return
				}
				mu.Lock()
				visits = append(visits, id)
				mu.Unlock()
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			m, err := s.CreateMember(bg, store.MemberInput{Nickname: fmt.Sprintf("Desk %d", i), Lang: "nl"})
			if err != nil {
				writeErrs <- err
				return
			}
			mu.Lock()
			members = append(members, m.ID)
			mu.Unlock()
		}
	}()
	// Let the writers get going, then note what is confirmed: the backup
	// starts after this and must hold all of it.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		mu.Lock()
		n := len(visits)
		mu.Unlock()
		if n >= 100 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d check-ins in 20 s", n)
		}
	}
	mu.Lock()
	wantVisits, wantMembers := append([]int64(nil), visits...), append([]int64(nil), members...)
	mu.Unlock()
	b, err := s.Backup(bg, filepath.Join(t.TempDir(), "backups"), backupZone)
	mu.Lock()
	during := len(visits) + len(members) - len(wantVisits) - len(wantMembers)
	mu.Unlock()
	close(stop)
	wg.Wait()
	close(writeErrs)
	for err := range writeErrs {
		t.Error(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("backup of %s while %d writes were confirmed", filepath.Base(b.Path), during)
	if !strings.HasPrefix(filepath.Base(b.Path), "drempel-backup-") || !strings.HasSuffix(b.Path, ".db") {
		t.Errorf("backup named %s", b.Path)
	}
	if fi, err := os.Stat(b.Path); err != nil || fi.Mode().Perm()&0o077 != 0 {
		t.Errorf("a backup holds personal data: readable by its owner only, not %v (%v)", fi.Mode(), err)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(b.Path), ".*")); len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}

	fresh := filepath.Join(t.TempDir(), "new-data")
	res, err := store.RestoreSQLite(bg, b.Path, fresh)
	if err != nil {
		t.Fatal(err)
	}
	if res.Aside != "" || res.From != b.SchemaVersion || res.To != store.LatestSchemaVersion() {
		t.Errorf("restore into an empty directory: %+v", res)
	}
	r, err := store.Open(bg, store.Config{DataDir: fresh})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	today := r.Now().In(backupZone).Format(time.DateOnly)
	var got []int64
	if err := r.R.Raw("SELECT member_id FROM visits WHERE site_id = ? AND day = ?", site.ID, today).Scan(&got).Error; err != nil {
		t.Fatal(err)
	}
	have := map[int64]bool{}
	for _, id := range got {
		have[id] = true
	}
	missing := 0
	for _, id := range wantVisits {
		if !have[id] {
			missing++
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d check-ins confirmed before the backup are not in it", missing, len(wantVisits))
	}
	for _, id := range wantMembers {
		if _, err := r.Member(bg, id); err != nil {
			t.Errorf("member %d, registered before the backup: %v", id, err)
		}
	}
	var past int64
	r.R.Raw("SELECT COUNT(*) FROM visits WHERE day <> ?", today).Scan(&past)
	if past != seeded*5 {
		t.Errorf("past visits: %d, want %d", past, seeded*5)
	}
	if l, err := r.OpenLoan(bg, deviceID); err != nil || l.MemberID != borrower {
		t.Errorf("the open loan: %+v, %v", l, err)
	}
	var check string
	if err := r.R.Raw("PRAGMA integrity_check").Scan(&check).Error; err != nil || check != "ok" {
		t.Errorf("restored database: %q %v", check, err)
	}
}

func sum(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", sha256.Sum256(b))
}

// A damaged, truncated, foreign or too new backup is refused with words
// that say so, and the database in place is not touched.
func TestRestoreRefusesBadBackups(t *testing.T) {
	bg := context.Background()
	data := t.TempDir()
	s, err := store.Open(bg, store.Config{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	site, err := s.EnsureSite(bg, "Live", "Europe/Brussels")
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.CreateMember(bg, store.MemberInput{Nickname: "Still here", Lang: "nl"})
	if err != nil {
		t.Fatal(err)
	}
	storetest.SeedLoad(t, s, 500, 2) // a file of many pages, so that a cut one misses some
	b, err := s.Backup(bg, t.TempDir(), backupZone)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CheckIn(bg, m.ID, site); err != nil { // the live database moves on
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(b.Path)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	edit := func(name, stmt string) string {
		p := write(name, good)
		db, err := sql.Open("sqlite3", p)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Exec(stmt); err != nil {
			t.Fatal(err)
		}
		return p
	}
	damaged := append([]byte(nil), good...)
	for i := 4096 * 3; i < 4096*5 && i < len(damaged); i++ { // b-tree pages overwritten
		damaged[i] = 0xA5
	}
	foreign := filepath.Join(dir, "foreign.db")
	if db, err := sql.Open("sqlite3", foreign); err != nil {
		t.Fatal(err)
	} else if _, err := db.Exec("CREATE TABLE photos (id INTEGER)"); err != nil {
		t.Fatal(err)
	} else {
		db.Close()
	}
	cases := []struct {
		name, file, says string
	}{
		{"truncated", write("truncated.db", good[:len(good)/2]), "damaged"},
		{"damaged", write("damaged.db", damaged), "damaged"},
		{"empty", write("empty.db", nil), "neither a SQLite database nor a pg_dump archive"},
		{"text", write("notes.db", []byte("these are my notes, not a backup\n")), "neither a SQLite database nor a pg_dump archive"},
		{"foreign", foreign, "not Drempel's"},
		{"newer", edit("newer.db", "INSERT INTO goose_db_version (version_id, is_applied) VALUES (9999, 1)"), "newer Drempel"},
		{"missing", filepath.Join(dir, "nothing-here.db"), "no such file"},
	}
	before := sum(t, filepath.Join(data, "drempel.db"))
	entries := func() []string {
		es, _ := os.ReadDir(data)
		var names []string
		for _, e := range es {
			names = append(names, e.Name())
		}
		sort.Strings(names)
		return names
	}
	was := entries()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := store.RestoreSQLite(bg, c.file, data)
			if err == nil || !strings.Contains(err.Error(), c.says) {
				t.Fatalf("restore of a %s file: %v, want an error saying %q", c.name, err, c.says)
			}
			t.Logf("refused: %v", err)
			if c.name != "missing" && !errors.Is(err, store.ErrBadBackup) {
				t.Errorf("%v is not ErrBadBackup", err)
			}
			if sum(t, filepath.Join(data, "drempel.db")) != before {
				t.Error("the database in place changed")
			}
			if now := entries(); strings.Join(now, " ") != strings.Join(was, " ") {
				t.Errorf("the data directory changed: %v, was %v", now, was)
			}
		})
	}
	s, err = store.Open(bg, store.Config{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, err := s.MemberVisits(bg, m.ID, site.ID, 10); err != nil || len(got) != 1 {
		t.Errorf("the live database lost its last check-in: %v %v", got, err)
	}
}

// Restoring over the database of a server that died keeps that database
// aside, with what its log still held, under a name SQLite opens; the
// restored one has no stale log beside it.
func TestRestoreKeepsTheCurrentDatabaseAside(t *testing.T) {
	bg := context.Background()
	data := t.TempDir()
	s, err := store.Open(bg, store.Config{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.EnsureSite(bg, "Live", "Europe/Brussels"); err != nil {
		t.Fatal(err)
	}
	before, err := s.CreateMember(bg, store.MemberInput{Nickname: "Before", Lang: "nl"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Backup(bg, t.TempDir(), backupZone)
	if err != nil {
		t.Fatal(err)
	}
	after, err := s.CreateMember(bg, store.MemberInput{Nickname: "After", Lang: "nl"})
	if err != nil {
		t.Fatal(err)
	}
	// The files as a server that died leaves them: the last member is in
	// the WAL only.
	crashed := t.TempDir()
	for _, f := range []string{"drempel.db", "drempel.db-wal"} {
		b, err := os.ReadFile(filepath.Join(data, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(crashed, f), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	data = crashed

	res, err := store.RestoreSQLite(bg, b.Path, data)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(filepath.Base(res.Aside), "drempel.db.before-restore-") {
		t.Fatalf("kept aside as %q", res.Aside)
	}
	for _, p := range []string{"drempel.db-wal", "drempel.db-shm"} {
		if fi, err := os.Stat(filepath.Join(data, p)); err == nil && fi.Size() > 0 {
			t.Errorf("%s of the replaced database is still beside the restored one", p)
		}
	}
	r, err := store.Open(bg, store.Config{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Member(bg, before.ID); err != nil {
		t.Errorf("member from before the backup: %v", err)
	}
	if _, err := r.Member(bg, after.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("member from after the backup, in the restored database: %v", err)
	}
	r.Close()
	old, err := sql.Open("sqlite3", "file:"+res.Aside+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	var n int
	if err := old.QueryRow("SELECT COUNT(*) FROM members WHERE id = ?", after.ID).Scan(&n); err != nil || n != 1 {
		t.Errorf("the set-aside database lost the member made after the backup: %d %v", n, err)
	}
}

// nightly names a backup made at 02:30 (or at hhmmss) on a day of March 2026,
// with an optional -N for a second one in the same second.
func nightly(day int, at ...string) string {
	hms, n := "023000", ""
	if len(at) > 0 {
		hms = at[0]
	}
	if len(at) > 1 {
		n = "-" + at[1]
	}
	return fmt.Sprintf("drempel-backup-2026-03-%02d-%s%s.db", day, hms, n)
}

// nights is a month of nightly backups, but for the days skipped.
func nights(skip ...int) []string {
	var names []string
	for d := 1; d <= 31; d++ {
		if !slices.Contains(skip, d) {
			names = append(names, nightly(d))
		}
	}
	return names
}

func days(from, to int) []int {
	var ds []int
	for d := from; d <= to; d++ {
		ds = append(ds, d)
	}
	return ds
}

// Which backups the rotation keeps, across a month of nightly backups:
// with gaps, with two on one day, with each rule alone. March 2026 starts
// on a Sunday: its ISO weeks are 1 (week 9), 2–8, 9–15, 16–22, 23–29 and
// 30–31.
func TestPruneBackupsRotation(t *testing.T) {
	for _, c := range []struct {
		name  string
		files []string
		rot   store.Rotation
		kept  []string
	}{
		{"a month of nights, 7 days and 4 weeks", nights(), store.DefaultRotation,
			// The last 7 days; the newest of the weeks of 23–29, 16–22 and
			// 9–15 (the week of 30–31 is kept by the days).
			[]string{nightly(31), nightly(30), nightly(29), nightly(28), nightly(27), nightly(26), nightly(25), nightly(22), nightly(15)}},
		{"two backups on the last day and one more in the same second: the newest of the day stays",
			append(nights(), nightly(31, "140000"), nightly(31, "140000", "2")), store.DefaultRotation,
			[]string{nightly(31, "140000", "2"), nightly(30), nightly(29), nightly(28), nightly(27), nightly(26), nightly(25), nightly(22), nightly(15)}},
		{"the PC was off for two weeks: the last 7 days that have a backup, the last 4 weeks that have one",
			append(nights(append(days(14, 27), 5)...), nightly(10, "164500")), store.DefaultRotation,
			// Days: 31, 30, 29, 28, then 13, 12, 11. Weeks: 30–31 → 31,
			// 23–29 → 29, 16–22 has none, 9–15 → 13, 2–8 → 8. The two of
			// the 10th both go.
			[]string{nightly(31), nightly(30), nightly(29), nightly(28), nightly(13), nightly(12), nightly(11), nightly(8)}},
		{"days only", append(nights(), nightly(31, "140000")), store.Rotation{Daily: 3},
			[]string{nightly(31, "140000"), nightly(30), nightly(29)}},
		{"weeks only: the newest of each", nights(30, 31), store.Rotation{Weekly: 3},
			[]string{nightly(29), nightly(22), nightly(15)}},
		{"a week and more weeks than there are", nights(days(1, 20)...), store.Rotation{Daily: 1, Weekly: 10},
			// Only three weeks have backups: 30–31 (→ 31, also the day),
			// 23–29 and 16–22 (its 21st and 22nd).
			[]string{nightly(31), nightly(29), nightly(22)}},
		{"fewer backups than the rotation keeps", []string{nightly(1), nightly(2), nightly(2, "150000")}, store.DefaultRotation,
			[]string{nightly(1), nightly(2, "150000")}},
		{"PostgreSQL's backups rotate alike", []string{"drempel-backup-2026-03-01-023000.pgdump", "drempel-backup-2026-03-02-023000.pgdump",
			"drempel-backup-2026-03-03-023000.pgdump"}, store.Rotation{Daily: 2},
			[]string{"drempel-backup-2026-03-03-023000.pgdump", "drempel-backup-2026-03-02-023000.pgdump"}},
		{"across a year's end: ISO week 1 of 2027 starts on 4 January", []string{
			"drempel-backup-2026-12-27-023000.db", "drempel-backup-2026-12-31-023000.db", "drempel-backup-2027-01-03-023000.db",
			"drempel-backup-2027-01-04-023000.db"}, store.Rotation{Weekly: 2},
			// 28 December 2026 – 3 January 2027 is one week: its newest is
			// the 3rd; the 4th is the next week's.
			[]string{"drempel-backup-2027-01-04-023000.db", "drempel-backup-2027-01-03-023000.db"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for i, name := range c.files {
				p := filepath.Join(dir, name)
				if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
					t.Fatal(err)
				}
				// Modification times upside down: the name's date decides.
				at := time.Now().Add(-time.Duration(i) * time.Hour)
				os.Chtimes(p, at, at)
			}
			others := notBackups(t, dir)
			removed, err := store.PruneBackups(dir, c.rot)
			if err != nil {
				t.Fatal(err)
			}
			left := listDir(t, dir)
			want := append(slices.Clone(c.kept), others...)
			sort.Strings(want)
			if strings.Join(left, "\n") != strings.Join(want, "\n") {
				t.Errorf("left:\n%s\nwant:\n%s", strings.Join(left, "\n"), strings.Join(want, "\n"))
			}
			if len(removed) != len(c.files)-len(c.kept) {
				t.Errorf("removed %d, want %d", len(removed), len(c.files)-len(c.kept))
			}
			// Pruning again changes nothing.
			if again, err := store.PruneBackups(dir, c.rot); err != nil || len(again) != 0 {
				t.Errorf("a second prune removed %v (%v)", again, err)
			}
		})
	}
	for _, bad := range []store.Rotation{{}, {Daily: -1, Weekly: 4}, {Daily: 7, Weekly: -1}} {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, nightly(1)), nil, 0o600)
		if _, err := store.PruneBackups(dir, bad); err == nil {
			t.Errorf("rotation %+v was accepted", bad)
		}
		if len(listDir(t, dir)) != 1 {
			t.Errorf("rotation %+v removed a backup", bad)
		}
	}
}

// notBackups puts files into dir that pruning must never touch, however old
// and however like a backup's their names, and returns their names: the
// ones left when pruning is done. A crash's temporary file a day old goes;
// one being written now stays.
func notBackups(t *testing.T, dir string) []string {
	t.Helper()
	old := time.Now().Add(-400 * 24 * time.Hour)
	names := []string{"notes.txt", "drempel.db", "drempel.db.before-restore-2025-01-01-101010", "drempel-backup-old.db",
		"my-copy.db", "drempel-backup-2025-01-01-023000.db.bak", "drempel-backup-2025-01-01-023000.txt",
		"Drempel-Backup-2025-01-01-023000.db", "drempel-backup-2025-01-01-0230.db", "copy of drempel-backup-2025-01-01-023000.db",
		".drempel-backup-456.tmp"}
	for _, n := range names {
		p := filepath.Join(dir, n)
		if err := os.WriteFile(p, []byte("mine"), 0o600); err != nil {
			t.Fatal(err)
		}
		if n != ".drempel-backup-456.tmp" {
			os.Chtimes(p, old, old)
		}
	}
	crash := filepath.Join(dir, ".drempel-backup-123.tmp")
	os.WriteFile(crash, nil, 0o600)
	os.Chtimes(crash, time.Now().Add(-48*time.Hour), time.Now().Add(-48*time.Hour))
	// A folder and a link named like old backups.
	if err := os.Mkdir(filepath.Join(dir, "drempel-backup-2024-01-01-023000.db"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "notes.txt"), filepath.Join(dir, "drempel-backup-2024-01-02-023000.db")); err != nil {
		t.Fatal(err)
	}
	return append(names, "drempel-backup-2024-01-01-023000.db", "drempel-backup-2024-01-02-023000.db")
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// Real backups, three in one second: the names stay apart and in order,
// and a rotation of one day keeps the last one made.
func TestPruneRealBackupsInOneSecond(t *testing.T) {
	s := storetest.Open(t, "sqlite")
	dir := t.TempDir()
	var made []string
	for range 3 {
		b, err := s.Backup(context.Background(), dir, backupZone)
		if err != nil {
			t.Fatal(err)
		}
		made = append(made, filepath.Base(b.Path))
	}
	if _, err := store.PruneBackups(dir, store.Rotation{Daily: 1}); err != nil {
		t.Fatal(err)
	}
	if left := listDir(t, dir); strings.Join(left, " ") != made[2] {
		t.Errorf("kept %v of %v, want the last one made", left, made)
	}
}

// On PostgreSQL the backup is pg_dump's archive; pg_restore puts it into a
// new database, where every row is found. A password in the URL is used
// and never shown.
func TestBackupPostgresRestores(t *testing.T) {
	bg := context.Background()
	src := storetest.NewPostgresDB(t) // skips only without a PostgreSQL outside CI
	for _, tool := range []string{"pg_dump", "pg_restore"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed (Debian: postgresql-client): the PostgreSQL backup cannot be tested", tool)
		}
	}
	const secret = "s3cret-pw"
	withPassword := strings.Replace(src, "postgres@", "postgres:"+secret+"@", 1)
	s, err := store.Open(bg, store.Config{DatabaseURL: withPassword})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	site, err := s.EnsureSite(bg, "Network", "Europe/Brussels")
	if err != nil {
		t.Fatal(err)
	}
	deviceID, borrower := lentData(t, s, site)
	var ids []int64
	for i := range 20 {
		m, err := s.CreateMember(bg, store.MemberInput{Nickname: fmt.Sprintf("Net %d", i), Lang: "fr"})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.CheckIn(bg, m.ID, site); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	b, err := s.Backup(bg, t.TempDir(), backupZone)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(b.Path, ".pgdump") || b.Dialect != "postgres" {
		t.Errorf("backup %+v", b)
	}
	if info, err := store.VerifyBackup(bg, b.Path); err != nil || info.SchemaVersion != store.LatestSchemaVersion() {
		t.Fatalf("verify: %+v %v", info, err)
	}
	if _, err := store.RestoreSQLite(bg, b.Path, t.TempDir()); err == nil || !strings.Contains(err.Error(), "--database-url") {
		t.Errorf("a PostgreSQL backup restored as SQLite: %v", err)
	}

	// Not over a database in use.
	if _, err := store.RestorePostgres(bg, b.Path, src); err == nil || !strings.Contains(err.Error(), "new, empty database") {
		t.Errorf("restore over the live database: %v", err)
	}
	gone := strings.Replace(withPassword, "/drempel_t_", "/drempel_nothere_", 1)
	if _, err := store.RestorePostgres(bg, b.Path, gone); err == nil || strings.Contains(err.Error(), secret) {
		t.Errorf("restore into a database that is not there: %v", err)
	}

	dst := storetest.NewPostgresDB(t)
	res, err := store.RestorePostgres(bg, b.Path, strings.Replace(dst, "postgres@", "postgres:"+secret+"@", 1))
	if err != nil {
		t.Fatal(err)
	}
	if res.From != b.SchemaVersion || res.To != store.LatestSchemaVersion() {
		t.Errorf("restore: %+v", res)
	}
	r, err := store.Open(bg, store.Config{DatabaseURL: dst})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	today := r.Now().In(backupZone).Format(time.DateOnly)
	for _, id := range ids {
		if n, err := r.CountVisits(bg, id, site.ID, today); err != nil || n != 1 {
			t.Errorf("member %d's check-in: %d %v", id, n, err)
		}
	}
	if l, err := r.OpenLoan(bg, deviceID); err != nil || l.MemberID != borrower {
		t.Errorf("the open loan: %+v, %v", l, err)
	}
	// The sequences came along: a new member does not take an old id.
	m, err := r.CreateMember(bg, store.MemberInput{Nickname: "After restore", Lang: "nl"})
	if err != nil || m.ID <= ids[len(ids)-1] {
		t.Errorf("new member after restore: %+v %v", m, err)
	}
}

// The record of the latest backup round-trips through the settings.
func TestBackupRecord(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		bg := context.Background()
		if r, err := s.LastBackup(bg); r != nil || err != nil {
			t.Fatalf("before any backup: %+v %v", r, err)
		}
		at := time.Date(2026, 3, 1, 1, 30, 0, 0, time.UTC)
		if err := s.RecordBackup(bg, store.BackupRecord{At: at, OK: true, File: "drempel-backup-x.db", Bytes: 42}); err != nil {
			t.Fatal(err)
		}
		r, err := s.LastBackup(bg)
		if err != nil || !r.At.Equal(at) || !r.OK || r.File != "drempel-backup-x.db" || r.Bytes != 42 {
			t.Errorf("record: %+v %v", r, err)
		}
	})
}

// A backup from the command line takes the database as it is: a database
// an older Drempel left (one migration behind) is backed up at its own
// schema and stays there; the outcome is still recorded. A data directory
// without a database is said so, not made; a database newer than this
// build is refused.
func TestOpenForBackupDoesNotMigrate(t *testing.T) {
	bg := context.Background()
	latest := store.LatestSchemaVersion()
	for _, kind := range storetest.Kinds {
		t.Run(kind, func(t *testing.T) {
			cfg := store.Config{DataDir: t.TempDir()}
			if kind == "postgres" {
				cfg.DatabaseURL = storetest.NewPostgresDB(t)
				if _, err := exec.LookPath("pg_dump"); err != nil {
					t.Fatal("pg_dump is not installed (Debian: postgresql-client)")
				}
			}
			s, err := store.Open(bg, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if has, err := s.HoldsMembers(bg); err != nil || has {
				t.Fatalf("an empty database holds members: %v %v", has, err)
			}
			if _, err := s.EnsureSite(bg, "Oud", "Europe/Brussels"); err != nil {
				t.Fatal(err)
			}
			if _, err := s.CreateMember(bg, store.MemberInput{Nickname: "Oud", Lang: "nl"}); err != nil {
				t.Fatal(err)
			}
			if has, err := s.HoldsMembers(bg); err != nil || !has {
				t.Fatalf("a database with a member holds none: %v %v", has, err)
			}
			// As an older Drempel left it: its last migration not recorded.
			if err := s.W.Exec("DELETE FROM goose_db_version WHERE version_id = ?", latest).Error; err != nil {
				t.Fatal(err)
			}
			s.Close()

			b, err := store.OpenForBackup(bg, cfg)
			if err != nil {
				t.Fatal(err)
			}
			backup, err := b.Backup(bg, t.TempDir(), backupZone)
			if err != nil {
				t.Fatal(err)
			}
			if backup.SchemaVersion != latest-1 {
				t.Errorf("the backup has schema %d, want %d: the database was migrated", backup.SchemaVersion, latest-1)
			}
			if info, err := store.VerifyBackup(bg, backup.Path); err != nil || info.SchemaVersion != latest-1 {
				t.Errorf("verify: %+v %v", info, err)
			}
			if err := b.RecordBackup(bg, store.BackupRecord{At: time.Now(), OK: true, File: filepath.Base(backup.Path)}); err != nil {
				t.Errorf("record the backup: %v", err)
			}
			if v, err := b.SchemaVersion(bg); err != nil || v != latest-1 {
				t.Errorf("the database is at schema %d (%v), want still %d", v, err, latest-1)
			}
			if kind == "sqlite" {
				// The backup reads through a read-only connection.
				if err := b.R.Exec("DELETE FROM members").Error; err == nil {
					t.Error("the backup's reader could write")
				}
			}
			b.CloseBackup()

			// Newer than this build: refused.
			w, err := store.OpenForBackup(bg, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if err := w.W.Exec("INSERT INTO goose_db_version (version_id, is_applied, tstamp) VALUES (?, ?, ?)", latest+5, true, time.Now()).Error; err != nil {
				t.Fatal(err)
			}
			w.CloseBackup()
			if b, err := store.OpenForBackup(bg, cfg); err == nil || !strings.Contains(err.Error(), "newer than this Drempel") {
				t.Errorf("a newer database: %v", err)
				if b != nil {
					b.CloseBackup()
				}
			}
		})
	}
	missing := filepath.Join(t.TempDir(), "nothere")
	if _, err := store.OpenForBackup(bg, store.Config{DataDir: missing}); !errors.Is(err, store.ErrNoDatabase) {
		t.Errorf("no database: %v", err)
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Error("looking for a database made its folder")
	}
	// A SQLite file that is not Drempel's.
	other := t.TempDir()
	db, err := sql.Open("sqlite3", filepath.Join(other, "drempel.db"))
	if err != nil {
		t.Fatal(err)
	}
	db.Exec("CREATE TABLE t (x)")
	db.Close()
	if _, err := store.OpenForBackup(bg, store.Config{DataDir: other}); !errors.Is(err, store.ErrNoDatabase) {
		t.Errorf("not Drempel's: %v", err)
	}
}
