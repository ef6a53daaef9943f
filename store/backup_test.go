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

// Pruning keeps exactly the newest N backups, and never another file.
func TestPruneBackupsKeepsN(t *testing.T) {
	dir := t.TempDir()
	touch := func(name string, age time.Duration) {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		at := time.Now().Add(-age)
		os.Chtimes(p, at, at)
	}
	var all []string
	start := time.Date(2025, 12, 20, 2, 30, 0, 0, backupZone)
	for d := range 20 {
		name := "drempel-backup-" + start.AddDate(0, 0, d).Format("2006-01-02-150405") + ".db"
		all = append(all, name)
		// Modification times upside down: the name's date decides.
		touch(name, time.Duration(d)*time.Hour)
	}
	second := "drempel-backup-" + start.AddDate(0, 0, 19).Format("2006-01-02-150405") + "-2.db"
	all = append(all, second)
	touch(second, 0)
	others := []string{"notes.txt", "drempel.db.before-restore-2025-01-01-101010", "drempel-backup-old.db", "my-copy.db"}
	for _, o := range others {
		touch(o, 400*24*time.Hour)
	}
	touch(".drempel-backup-123.tmp", 48*time.Hour) // a crash's leftover
	touch(".drempel-backup-456.tmp", time.Minute)  // being written by another process
	removed, err := store.PruneBackups(dir, 14)
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != len(all)-14 {
		t.Errorf("removed %d, want %d", len(removed), len(all)-14)
	}
	es, _ := os.ReadDir(dir)
	var left []string
	for _, e := range es {
		left = append(left, e.Name())
	}
	sort.Strings(left)
	want := append(append([]string{".drempel-backup-456.tmp"}, all[len(all)-14:]...), others...)
	sort.Strings(want)
	if strings.Join(left, "\n") != strings.Join(want, "\n") {
		t.Errorf("left:\n%s\nwant:\n%s", strings.Join(left, "\n"), strings.Join(want, "\n"))
	}
	if _, err := store.PruneBackups(dir, 0); err == nil {
		t.Error("keeping no backup at all was accepted")
	}

	// Real backups, three in one second: the names stay apart and in order.
	s := storetest.Open(t, "sqlite")
	real := t.TempDir()
	var made []string
	for range 3 {
		b, err := s.Backup(context.Background(), real, backupZone)
		if err != nil {
			t.Fatal(err)
		}
		made = append(made, filepath.Base(b.Path))
	}
	if _, err := store.PruneBackups(real, 2); err != nil {
		t.Fatal(err)
	}
	es, _ = os.ReadDir(real)
	left = left[:0]
	for _, e := range es {
		left = append(left, e.Name())
	}
	if strings.Join(left, " ") != strings.Join(made[1:], " ") {
		t.Errorf("kept %v of %v, want the newest two", left, made)
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
