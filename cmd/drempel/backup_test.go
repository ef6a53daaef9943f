package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
)

var zone, _ = time.LoadLocation("Europe/Brussels")

func TestBackupFlags(t *testing.T) {
	for at, want := range map[string]string{
		"02:30": "02:30", "2:30": "02:30", "23:59": "23:59", " 00:00 ": "00:00",
		"off": "", "OFF": "", "none": "",
		"24:00": "error", "02:3": "error", "2.30": "error", "half past two": "error",
	} {
		b := backupFlags{at: at, daily: countFlag{n: 7}, weekly: countFlag{n: 4}}
		p, err := b.plan("data", zone)
		got := "error"
		switch {
		case err != nil:
		case p == nil:
			got = ""
		default:
			got = time.Date(2000, 1, 1, p.hour, p.minute, 0, 0, time.UTC).Format("15:04")
		}
		if got != want {
			t.Errorf("--backup-at %q: %q (%v), want %q", at, got, err, want)
		}
	}
	if _, err := (&backupFlags{at: "02:30"}).plan("data", zone); err == nil {
		t.Error("a rotation that keeps nothing was accepted")
	}
	p, _ := (&backupFlags{at: "02:30", daily: countFlag{n: 7}}).plan("data", zone)
	if p.dir != filepath.Join("data", "backups") {
		t.Errorf("default folder %s", p.dir)
	}
}

// The rotation's flags and their environment twins; --backup-keep, the
// older name of --backup-daily, still works.
func TestBackupRotationFlags(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		args []string
		want string // "7/4", or "error"
	}{
		{nil, nil, "7/4"},
		{nil, []string{"--backup-daily", "3", "--backup-weekly", "0"}, "3/0"},
		{nil, []string{"--backup-daily", "0", "--backup-weekly", "2"}, "0/2"},
		{nil, []string{"--backup-weekly", "12"}, "7/12"},
		{nil, []string{"--backup-keep", "14"}, "14/4"},
		{nil, []string{"--backup-keep", "14", "--backup-daily", "14"}, "14/4"},
		{nil, []string{"--backup-keep", "14", "--backup-daily", "7"}, "error"},
		{nil, []string{"--backup-daily", "0", "--backup-weekly", "0"}, "error"},
		{nil, []string{"--backup-daily", "-1"}, "error"},
		{nil, []string{"--backup-weekly", "four"}, "error"},
		{map[string]string{"DREMPEL_BACKUP_DAILY": "5", "DREMPEL_BACKUP_WEEKLY": "8"}, nil, "5/8"},
		{map[string]string{"DREMPEL_BACKUP_DAILY": "5"}, []string{"--backup-daily", "9"}, "9/4"},
		{map[string]string{"DREMPEL_BACKUP_KEEP": "10"}, nil, "10/4"},
		{map[string]string{"DREMPEL_BACKUP_KEEP": "10", "DREMPEL_BACKUP_DAILY": "3"}, nil, "error"},
		{map[string]string{"DREMPEL_BACKUP_WEEKLY": "x"}, nil, "error"},
	} {
		for _, k := range []string{"DREMPEL_BACKUP_DAILY", "DREMPEL_BACKUP_WEEKLY", "DREMPEL_BACKUP_KEEP"} {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
		for k, v := range c.env {
			t.Setenv(k, v)
		}
		got := func() string {
			var b backupFlags
			fs := newFlagSet("serve", io.Discard, "")
			if err := b.register(fs); err != nil {
				return "error"
			}
			if err := fs.Parse(append([]string{"--backup-at", "02:30"}, c.args...)); err != nil {
				return "error"
			}
			p, err := b.plan("data", zone)
			if err != nil {
				return "error"
			}
			return fmt.Sprintf("%d/%d", p.keep.Daily, p.keep.Weekly)
		}()
		if got != c.want {
			t.Errorf("%v %v: %s, want %s", c.env, c.args, got, c.want)
		}
	}
	var b backupFlags
	fs := newFlagSet("serve", io.Discard, "")
	b.register(fs)
	fs.Parse(nil)
	if p, _ := b.plan("data", zone); p == nil || !strings.Contains(p.String(), "7 days") || !strings.Contains(p.String(), "4 weeks") {
		t.Errorf("the plan says %v", p)
	}
}

// When a backup is owed: once a night at the set time; the morning after
// a night with the machine off, shortly after it starts; again an hour
// after a failure.
func TestBackupDue(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, zone)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	rec := func(when string, ok bool) *store.BackupRecord { return &store.BackupRecord{At: at(when), OK: ok} }
	longAgo := at("2026-01-01 09:00")
	for _, c := range []struct {
		name    string
		started time.Time
		now     string
		last    *store.BackupRecord
		due     bool
	}{
		{"never made, running for long", longAgo, "2026-03-10 14:00", nil, true},
		{"made tonight", longAgo, "2026-03-10 14:00", rec("2026-03-10 02:30", true), false},
		{"made last night, before the time", longAgo, "2026-03-10 02:29", rec("2026-03-09 02:31", true), false},
		{"made last night, at the time", longAgo, "2026-03-10 02:30", rec("2026-03-09 02:31", true), true},
		{"made by hand after the time", longAgo, "2026-03-10 16:00", rec("2026-03-10 11:00", true), false},
		{"failed tonight, 30 minutes ago", longAgo, "2026-03-10 03:00", rec("2026-03-10 02:30", false), false},
		{"failed tonight, an hour ago", longAgo, "2026-03-10 03:31", rec("2026-03-10 02:30", false), true},
		{"failed yesterday", longAgo, "2026-03-10 02:31", rec("2026-03-09 05:00", false), true},
		{"machine was off: just started", at("2026-03-10 08:55"), "2026-03-10 09:00", rec("2026-03-09 02:30", true), false},
		{"machine was off: started 10 minutes ago", at("2026-03-10 08:55"), "2026-03-10 09:05", rec("2026-03-09 02:30", true), true},
		{"started just before the time", at("2026-03-10 02:29"), "2026-03-10 02:30", rec("2026-03-09 02:30", true), true},
		// Spring forward: 02:30 does not exist on 29 March 2026 in Brussels.
		{"no 02:30 tonight: 03:30 will do", longAgo, "2026-03-29 03:29", rec("2026-03-28 02:30", true), false},
		{"no 02:30 tonight: at 03:30", longAgo, "2026-03-29 03:31", rec("2026-03-28 02:30", true), true},
		// Fall back: 02:30 comes twice on 25 October 2026; one backup.
		{"02:30 twice: the second time", longAgo, "2026-10-25 03:45", rec("2026-10-25 02:31", true), false},
	} {
		p := &backupPlan{hour: 2, minute: 30, loc: zone, started: c.started, settle: 10 * time.Minute, retry: time.Hour}
		if got := p.due(at(c.now), c.last); got != c.due {
			t.Errorf("%s: due %v, want %v (scheduled %s)", c.name, got, c.due, p.lastScheduled(at(c.now)))
		}
	}
}

// The backup job makes one backup a night, rotates the backups in both
// folders, and records what it did; it takes the network's job lock like
// every job.
func TestBackupJobRotates(t *testing.T) {
	st := storetest.Open(t, "sqlite")
	ctx := context.Background()
	if _, err := st.EnsureSite(ctx, "Lab", "Europe/Brussels"); err != nil {
		t.Fatal(err)
	}
	dir, copyTo := t.TempDir(), t.TempDir()
	// Friday 1 May 2026; the week of 27 April ends on Sunday the 3rd.
	now := time.Date(2026, 5, 1, 2, 30, 0, 0, zone)
	p := &backupPlan{hour: 2, minute: 30, loc: zone, dir: dir, copyTo: copyTo, keep: store.Rotation{Daily: 2, Weekly: 2},
		started: now.Add(-time.Hour), settle: 10 * time.Minute, retry: time.Hour, now: func() time.Time { return now }}
	st.SetClock(func() time.Time { return now }) // the backups' names
	var logs syncBuf
	log := slog.New(slog.NewTextHandler(&logs, nil))
	files := func(dir string) int {
		m, _ := filepath.Glob(filepath.Join(dir, "drempel-backup-*.db"))
		return len(m)
	}
	for night := 1; night <= 5; night++ {
		// Another server of the network is making tonight's: this one skips.
		inside, release, done := make(chan struct{}), make(chan struct{}), make(chan struct{})
		go func() {
			defer close(done)
			st.RunExclusive(ctx, "backup", func(context.Context) error { close(inside); <-release; return nil })
		}()
		<-inside
		if runJobOnce(ctx, st, log, p.job()) {
			t.Fatal("the backup ran while another server held its lock")
		}
		close(release)
		<-done
		for range 3 { // the job's every-minute turns
			if !runJobOnce(ctx, st, log, p.job()) {
				t.Fatal("the backup job did not run with its lock free")
			}
		}
		// Two days, and the newest of two weeks: on the 5th, the 3rd is
		// kept as its week's newest.
		want := []int{1, 2, 2, 2, 3}[night-1]
		if got := files(dir); got != want {
			t.Fatalf("night %d: %d backups, want %d\n%s", night, got, want, logs.String())
		}
		if got := files(copyTo); got != want {
			t.Fatalf("night %d: %d copies, want %d\n%s", night, got, want, logs.String())
		}
		last, err := st.LastBackup(ctx)
		if err != nil || last == nil || !last.OK || last.CopyError != "" || last.Bytes == 0 || !strings.HasPrefix(last.File, "drempel-backup-") {
			t.Fatalf("night %d: recorded %+v %v", night, last, err)
		}
		now = now.AddDate(0, 0, 1)
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("errors:\n%s", logs.String())
	}
}

// A backup that fails says so at ERROR level and in the record, and is
// tried again an hour later, not every minute.
func TestBackupJobFailureIsLoud(t *testing.T) {
	st := storetest.Open(t, "sqlite")
	ctx := context.Background()
	blocked := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(blocked, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 5, 1, 2, 30, 0, 0, zone)
	p := &backupPlan{hour: 2, minute: 30, loc: zone, dir: filepath.Join(blocked, "backups"), keep: store.Rotation{Daily: 3},
		started: now.Add(-time.Hour), settle: 10 * time.Minute, retry: time.Hour, now: func() time.Time { return now }}
	var logs syncBuf
	log := slog.New(slog.NewTextHandler(&logs, nil))
	runJobOnce(ctx, st, log, p.job())
	if !strings.Contains(logs.String(), "level=ERROR msg=\"BACKUP FAILED") {
		t.Errorf("no loud error:\n%s", logs.String())
	}
	last, err := st.LastBackup(ctx)
	if err != nil || last == nil || last.OK || last.Error == "" {
		t.Fatalf("recorded %+v %v", last, err)
	}
	if p.due(last.At.Add(time.Minute), last) || !p.due(last.At.Add(time.Hour), last) {
		t.Error("a failed backup is not retried after an hour, or is retried sooner")
	}
}

// In a network, the servers share one record: one backup a night in all.
func TestBackupOncePerNetwork(t *testing.T) {
	dbURL := storetest.NewPostgresDB(t)
	if _, err := exec.LookPath("pg_dump"); err != nil {
		t.Fatal("pg_dump is not installed (Debian: postgresql-client): the network's backup cannot be tested")
	}
	ctx := context.Background()
	now := time.Date(2026, 5, 1, 2, 31, 0, 0, zone)
	var dirs []string
	var plans []*backupPlan
	var stores []*store.Store
	for range 2 {
		st, err := store.Open(ctx, store.Config{DatabaseURL: dbURL})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		dir := t.TempDir()
		dirs = append(dirs, dir)
		stores = append(stores, st)
		plans = append(plans, &backupPlan{hour: 2, minute: 30, loc: zone, dir: dir, keep: store.Rotation{Daily: 3},
			started: now.Add(-time.Hour), settle: 10 * time.Minute, retry: time.Hour, now: func() time.Time { return now }})
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for i := range 4 {
		runJobOnce(ctx, stores[i%2], log, plans[i%2].job())
	}
	var all []string
	for _, d := range dirs {
		m, _ := filepath.Glob(filepath.Join(d, "drempel-backup-*.pgdump"))
		all = append(all, m...)
	}
	if len(all) != 1 {
		t.Fatalf("%d backups made by two servers in one night, want 1: %v", len(all), all)
	}
}

// drempel backup, then drempel restore into a new data directory and over
// an existing one, as a coordinator types them.
func TestBackupAndRestoreCommands(t *testing.T) {
	data, backups := t.TempDir(), t.TempDir()
	if out, _, err := runCmd(t, "", "member", "add", "--data", data, "--name", "Olena", "--lang", "uk"); err != nil {
		t.Fatalf("member add: %v %s", err, out)
	}
	out, _, err := runCmd(t, "", "backup", "--data", data, "--to", backups)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`Backup written and checked: (\S+\.db) \(`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("backup said: %q", out)
	}
	file := m[1]
	if _, _, err := runCmd(t, "", "backup", "--data", data, "--to", backups, "extra.db"); err == nil {
		t.Error("backup took a file name")
	}
	if out, _, err := runCmd(t, "", "member", "add", "--data", data, "--name", "After the backup", "--lang", "nl"); err != nil {
		t.Fatalf("member add: %v %s", err, out)
	}

	// Into a new directory: without --yes, nothing happens.
	fresh := filepath.Join(t.TempDir(), "restored")
	out, _, err = runCmd(t, "", "restore", "--data", fresh, file)
	if err == nil || !strings.Contains(err.Error(), "--yes") || !strings.Contains(out, "is a good backup") {
		t.Fatalf("restore without --yes: %v %q", err, out)
	}
	if _, err := os.Stat(filepath.Join(fresh, "drempel.db")); err == nil {
		t.Fatal("restore without --yes wrote the database")
	}
	out, _, err = runCmd(t, "", "restore", file, "--data", fresh, "--yes")
	if err != nil || !strings.Contains(out, "Restored into") || strings.Contains(out, "kept as") {
		t.Fatalf("restore: %v %q", err, out)
	}
	members := func(dir string) []string {
		st, err := store.Open(context.Background(), store.Config{DataDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		var names []string
		st.R.Raw("SELECT nickname FROM members ORDER BY id").Scan(&names)
		return names
	}
	if got := members(fresh); strings.Join(got, ",") != "Olena" {
		t.Errorf("restored members: %v", got)
	}

	// Over the current database: kept aside.
	out, _, err = runCmd(t, "", "restore", "--yes", "--data", data, file)
	if err != nil || !strings.Contains(out, "drempel.db.before-restore-") {
		t.Fatalf("restore over a database: %v %q", err, out)
	}
	if got := members(data); strings.Join(got, ",") != "Olena" {
		t.Errorf("restored members: %v", got)
	}

	// A file that is no backup: refused, nothing changed.
	junk := filepath.Join(t.TempDir(), "junk.db")
	os.WriteFile(junk, []byte("not a backup"), 0o600)
	if _, _, err := runCmd(t, "", "restore", "--yes", "--data", data, junk); err == nil || !strings.Contains(err.Error(), "Nothing was changed") {
		t.Errorf("restore of junk: %v", err)
	}
	if _, _, err := runCmd(t, "", "restore", "--yes", "--data", data); err == nil {
		t.Error("restore without a file")
	}
}

// While Drempel serves a data directory, restore refuses to touch it.
func TestRestoreRefusesWhileServing(t *testing.T) {
	data := t.TempDir()
	serveForTest(t, "--data", data, "--backup-at", "off")
	out, _, err := runCmd(t, "", "backup", "--data", data, "--to", t.TempDir())
	if err != nil {
		t.Fatalf("backup while serving: %v", err)
	}
	file := regexp.MustCompile(`checked: (\S+) \(`).FindStringSubmatch(out)[1]
	before, _ := os.ReadDir(data)
	_, _, err = runCmd(t, "", "restore", "--yes", "--data", data, file)
	if err == nil || !strings.Contains(err.Error(), "Drempel is running") {
		t.Fatalf("restore under a running server: %v", err)
	}
	after, _ := os.ReadDir(data)
	if len(after) != len(before) {
		t.Errorf("the data directory changed: %v → %v", before, after)
	}
}

// drempel backup takes the database as it is: one that an older Drempel
// left is backed up at its own schema and not migrated, and the backup is
// recorded. A data directory without a database is said so, and not made.
func TestBackupCommandDoesNotMigrate(t *testing.T) {
	data, backups := t.TempDir(), t.TempDir()
	if out, _, err := runCmd(t, "", "member", "add", "--data", data, "--name", "Olena", "--lang", "uk"); err != nil {
		t.Fatalf("member add: %v %s", err, out)
	}
	latest := store.LatestSchemaVersion()
	schema := func() int64 {
		db, err := sql.Open("sqlite3", "file:"+filepath.Join(data, "drempel.db")+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var v int64
		if err := db.QueryRow("SELECT MAX(version_id) FROM goose_db_version").Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	db, err := sql.Open("sqlite3", filepath.Join(data, "drempel.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("DELETE FROM goose_db_version WHERE version_id = ?", latest); err != nil {
		t.Fatal(err)
	}
	db.Close()

	out, _, err := runCmd(t, "", "backup", "--data", data, "--to", backups)
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("schema %d)", latest-1); !strings.Contains(out, want) {
		t.Errorf("backup said %q, want %q", out, want)
	}
	if v := schema(); v != latest-1 {
		t.Errorf("the database went from schema %d to %d: drempel backup migrated it", latest-1, v)
	}
	file := regexp.MustCompile(`checked: (\S+) \(`).FindStringSubmatch(out)[1]
	if info, err := store.VerifyBackup(context.Background(), file); err != nil || info.SchemaVersion != latest-1 {
		t.Errorf("the backup: %+v %v", info, err)
	}
	st, err := store.OpenForBackup(context.Background(), store.Config{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	last, err := st.LastBackup(context.Background())
	st.CloseBackup()
	if err != nil || last == nil || !last.OK || last.File != filepath.Base(file) {
		t.Errorf("recorded %+v %v", last, err)
	}

	missing := filepath.Join(t.TempDir(), "nothere")
	_, _, err = runCmd(t, "", "backup", "--data", missing, "--to", backups)
	if err == nil || !strings.Contains(err.Error(), "no Drempel database") || !strings.Contains(err.Error(), "--data") {
		t.Errorf("backup of a folder without a database: %v", err)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Error("drempel backup made the data directory it did not find")
	}
}
