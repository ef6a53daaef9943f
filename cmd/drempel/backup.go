package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/drempel/drempel/store"
)

// errDataDirBusy: another Drempel holds the data directory's lock.
var errDataDirBusy = errors.New("data directory in use")

// backupFlags are serve's settings for the nightly backup.
type backupFlags struct {
	at, dir, copyTo string
	// daily and weekly are the rotation; keep is daily's older name.
	daily, weekly, keep countFlag
}

// countFlag is a whole number that knows whether it was given, on the
// command line or in the environment.
type countFlag struct {
	n   int
	set bool
}

func (c *countFlag) String() string { return strconv.Itoa(c.n) }

func (c *countFlag) Set(s string) error {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("want a whole number, not %q", s)
	}
	c.n, c.set = n, true
	return nil
}

// envCount registers a countFlag with its environment twin.
func envCount(fs *flag.FlagSet, c *countFlag, name string, def int, usage string) error {
	c.n = def
	if v, ok := os.LookupEnv(envName(name)); ok {
		if err := c.Set(v); err != nil {
			return fmt.Errorf("%s: %w", envName(name), err)
		}
	}
	fs.Var(c, name, usage)
	return nil
}

func (b *backupFlags) register(fs *flag.FlagSet) error {
	fs.StringVar(&b.at, "backup-at", envDefault("backup-at", "02:30"),
		"time of the nightly backup, HH:MM in --timezone; off for none. A backup missed while the machine was off is made 10 minutes after the next start")
	fs.StringVar(&b.dir, "backup-dir", envDefault("backup-dir", ""), "folder for the backups (default: backups in --data)")
	if err := envCount(fs, &b.daily, "backup-daily", store.DefaultRotation.Daily,
		"keep the newest backup of each of the last `N` days that have one; older ones are deleted unless --backup-weekly keeps them"); err != nil {
		return err
	}
	if err := envCount(fs, &b.weekly, "backup-weekly", store.DefaultRotation.Weekly,
		"also keep the newest backup of each of the last `N` weeks (Monday to Sunday) that have one"); err != nil {
		return err
	}
	if err := envCount(fs, &b.keep, "backup-keep", 0, "the older name of --backup-daily (`N` days)"); err != nil {
		return err
	}
	fs.StringVar(&b.copyTo, "backup-copy-to", envDefault("backup-copy-to", ""),
		"a second folder, on another disk (a USB disk, a NAS), that gets a copy of each backup, rotated alike")
	return nil
}

// rotation checks the flags' rotation.
func (b *backupFlags) rotation() (store.Rotation, error) {
	r := store.Rotation{Daily: b.daily.n, Weekly: b.weekly.n}
	if b.keep.set {
		if b.daily.set && b.daily.n != b.keep.n {
			return r, fmt.Errorf("--backup-keep is the older name of --backup-daily: give one of them")
		}
		r.Daily = b.keep.n
	}
	if err := r.Valid(); err != nil {
		return r, fmt.Errorf("--backup-daily %d --backup-weekly %d: %w", r.Daily, r.Weekly, err)
	}
	return r, nil
}

// backupDir is where backups go when no folder is named.
func backupDir(dir, data string) string {
	if dir != "" {
		return dir
	}
	return filepath.Join(data, "backups")
}

// plan checks the flags; a nil plan means no nightly backup.
func (b *backupFlags) plan(data string, loc *time.Location) (*backupPlan, error) {
	at := strings.ToLower(strings.TrimSpace(b.at))
	if at == "off" || at == "none" || at == "no" || at == "" {
		return nil, nil
	}
	hh, mm, ok := strings.Cut(at, ":")
	h, herr := strconv.Atoi(hh)
	m, merr := strconv.Atoi(mm)
	if !ok || herr != nil || merr != nil || h < 0 || h > 23 || m < 0 || m > 59 || len(mm) != 2 {
		return nil, fmt.Errorf("--backup-at %q: want a time such as 02:30, or off", b.at)
	}
	keep, err := b.rotation()
	if err != nil {
		return nil, err
	}
	return &backupPlan{hour: h, minute: m, loc: loc, dir: backupDir(b.dir, data), copyTo: b.copyTo, keep: keep,
		started: time.Now(), settle: 10 * time.Minute, retry: time.Hour, now: time.Now}, nil
}

// backupPlan is the nightly backup. Its job looks every minute whether a
// backup is owed and, if so, makes it, under the network's job lock. What
// was made last is read from the database (store.SettingBackupLast), not
// from this server's memory or folder, so that one backup a night serves a
// whole network, whichever server makes it.
type backupPlan struct {
	hour, minute int
	loc          *time.Location
	dir, copyTo  string
	keep         store.Rotation
	// started and settle: a backup missed while the machine was off (a
	// small lab's PC often is, at night) is made once the server has run
	// for settle, not while it starts and the first visitors arrive.
	started time.Time
	settle  time.Duration
	// retry is how long a failed backup waits before the next try.
	retry time.Duration
	now   func() time.Time
}

func (p *backupPlan) String() string {
	s := fmt.Sprintf("every night at %02d:%02d into %s, keeping %s", p.hour, p.minute, p.dir, p.keep)
	if p.copyTo != "" {
		s += ", a copy in " + p.copyTo
	}
	return s
}

// job runs the plan every minute. Its limit is longer than its period: the
// runner tries again only after a run has ended, so the limit only stops a
// pg_dump that hangs.
func (p *backupPlan) job() job {
	return job{name: "backup", every: time.Minute, limit: time.Hour, run: p.run}
}

// lastScheduled is the latest scheduled moment at or before now.
func (p *backupPlan) lastScheduled(now time.Time) time.Time {
	l := now.In(p.loc)
	t := time.Date(l.Year(), l.Month(), l.Day(), p.hour, p.minute, 0, 0, p.loc)
	if t.After(now) {
		t = time.Date(l.Year(), l.Month(), l.Day()-1, p.hour, p.minute, 0, 0, p.loc)
	}
	return t
}

// due says whether a backup is owed now, given the latest one made.
func (p *backupPlan) due(now time.Time, last *store.BackupRecord) bool {
	sched := p.lastScheduled(now)
	if last != nil && !last.At.Before(sched) {
		return !last.OK && now.Sub(last.At) >= p.retry
	}
	if sched.Before(p.started) && now.Sub(p.started) < p.settle {
		return false
	}
	return true
}

func (p *backupPlan) run(ctx context.Context, st *store.Store, log *slog.Logger) error {
	last, err := st.LastBackup(ctx)
	if err != nil {
		return err
	}
	if !p.due(p.now(), last) {
		return nil
	}
	_, err = makeBackup(ctx, st, log, p.dir, p.copyTo, p.keep, p.loc, p.now)
	return err
}

// makeBackup writes a backup, copies it to copyTo if set, rotates both
// folders by keep (the zero Rotation prunes nothing), and records the
// outcome for the schedule and the admin panel's dashboard. A failure is
// logged at ERROR with what it means: the day's work is not safe yet. The
// record bears the time the backup ended, so that one which straddles the
// scheduled time still counts for that night.
func makeBackup(ctx context.Context, st *store.Store, log *slog.Logger, dir, copyTo string, keep store.Rotation, loc *time.Location, now func() time.Time) (*store.Backup, error) {
	b, err := st.Backup(ctx, dir, loc)
	rec := store.BackupRecord{At: now(), Dir: dir}
	if err != nil {
		if errors.Is(ctx.Err(), context.Canceled) {
			return nil, err // the server is stopping: not a failed backup
		}
		log.Error("BACKUP FAILED: the data of today is not backed up", "dir", dir, "err", err)
		rec.Error = err.Error()
		if rerr := st.RecordBackup(context.WithoutCancel(ctx), rec); rerr != nil {
			log.Error("could not record the failed backup", "err", rerr)
		}
		return nil, err
	}
	rec.OK, rec.File, rec.Bytes = true, filepath.Base(b.Path), b.Bytes
	log.Info("backup made", "file", b.Path, "bytes", b.Bytes, "schema", b.SchemaVersion)
	prune := func(dir string) {
		if keep == (store.Rotation{}) {
			return
		}
		removed, err := store.PruneBackups(dir, keep)
		if err != nil {
			log.Error("could not delete old backups", "dir", dir, "err", err)
		}
		if len(removed) > 0 {
			log.Info("deleted old backups", "dir", dir, "count", len(removed), "keeping", keep.String())
		}
	}
	if copyTo != "" {
		if p, err := store.CopyBackup(ctx, b, copyTo); err != nil {
			rec.CopyError = err.Error()
			log.Error("BACKUP COPY FAILED: the backup is only on this machine's disk", "copy-to", copyTo, "err", err)
		} else {
			log.Info("backup copied", "file", p)
			prune(copyTo)
		}
	}
	prune(dir)
	if err := st.RecordBackup(context.WithoutCancel(ctx), rec); err != nil {
		log.Error("could not record the backup", "err", err)
	}
	return b, nil
}

const backupUsage = `Usage: drempel backup [--to DIR] [--data DIR | --database-url URL]

Writes a backup of the whole database while Drempel runs: one file named
drempel-backup-DATE-TIME.db (SQLite) or .pgdump (PostgreSQL, made by
pg_dump), checked after writing. Copy it to a USB stick or another PC.
The database is backed up as it is: nothing is migrated first, so a backup
made before an upgrade restores into the version that made it.
`

func backupCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var db dbFlags
	var to string
	fs := newFlagSet("backup", stderr, backupUsage)
	db.register(fs)
	fs.StringVar(&to, "to", envDefault("backup-dir", ""), "folder to write the backup into (default: backups in --data)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("drempel backup takes no file name, only --to DIR (the file is named with the date and time)")
	}
	loc, err := time.LoadLocation(envDefault("timezone", "Europe/Brussels"))
	if err != nil {
		return fmt.Errorf("DREMPEL_TIMEZONE: %w", err)
	}
	if !store.IsPostgres(db.databaseURL) {
		// Said before the lock, which would make the folder.
		if _, err := os.Stat(filepath.Join(db.data, "drempel.db")); errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("%w in %s (no drempel.db there): is --data right?", store.ErrNoDatabase, db.data)
		}
		unlock, err := lockDataDir(db.data, false)
		if errors.Is(err, errDataDirBusy) {
			return fmt.Errorf("a restore is running in %s: wait until it has finished", db.data)
		} else if err != nil {
			return err
		}
		defer unlock()
	}
	// The database as it is: no migration runs before a backup, so that the
	// one made with a newer drempel just before an upgrade restores into the
	// version that made the data.
	openCtx, cancel := context.WithTimeout(ctx, 60*time.Second)
	st, err := store.OpenForBackup(openCtx, store.Config{DataDir: db.data, DatabaseURL: db.databaseURL})
	cancel()
	if err != nil {
		return err
	}
	defer st.CloseBackup()
	b, err := makeBackup(ctx, st, newLogger(io.Discard), backupDir(to, db.data), "", store.Rotation{}, loc, time.Now)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Backup written and checked: %s (%s, schema %d)\n", b.Path, size(b.Bytes), b.SchemaVersion)
	return nil
}

const restoreUsage = `Usage: drempel restore [--yes] [--data DIR | --database-url URL] FILE

Checks the backup FILE and, with --yes, puts it in place.

SQLite: stop Drempel first. The database in --data is kept aside as
drempel.db.before-restore-DATE-TIME, then replaced by the backup, brought up
to this version of Drempel. Restore refuses while a Drempel server uses the
data directory.

PostgreSQL: FILE is a pg_dump archive (.pgdump); --database-url names a new,
empty database (createdb NAME), which receives it. Then point the servers'
--database-url at that database.
`

func restoreCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var db dbFlags
	var yes bool
	fs := newFlagSet("restore", stderr, restoreUsage)
	db.register(fs)
	fs.BoolVar(&yes, "yes", false, "go ahead: replace the database")
	// Flags may come after FILE too: drempel restore FILE --yes.
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(files) != 1 {
		fs.Usage()
		return fmt.Errorf("name one backup file to restore")
	}
	file := files[0]
	info, err := store.VerifyBackup(ctx, file)
	if err != nil {
		return fmt.Errorf("%w\nNothing was changed", err)
	}
	kind := map[string]string{"sqlite": "SQLite", "postgres": "PostgreSQL"}[info.Dialect]
	fmt.Fprintf(stdout, "%s is a good backup (%s, schema %d).\n", file, kind, info.SchemaVersion)

	if store.IsPostgres(db.databaseURL) {
		target := describeURL(db.databaseURL)
		if !yes {
			fmt.Fprintf(stdout, "With --yes, it is restored into the database %s, which must be new and empty.\n", target)
			return errors.New("nothing restored: add --yes to go ahead")
		}
		res, err := store.RestorePostgres(ctx, file, db.databaseURL)
		if err != nil {
			return fmt.Errorf("%w\nNothing was restored", err)
		}
		fmt.Fprintf(stdout, "Restored into %s (schema %d, now %d). Point --database-url at it and start Drempel.\n", target, res.From, res.To)
		return nil
	}
	if db.databaseURL != "" {
		return fmt.Errorf("--database-url: want postgres://…, or none for SQLite in --data")
	}
	unlock, err := lockDataDir(db.data, true)
	if errors.Is(err, errDataDirBusy) {
		return fmt.Errorf("Drempel is running on %s (or a backup is being made there): stop it first, "+
			"for example with: sudo systemctl stop drempel. Nothing was changed", db.data)
	} else if err != nil {
		return err
	}
	defer unlock()
	if !yes {
		fmt.Fprintf(stdout, "With --yes, the database in %s is kept aside as drempel.db.before-restore-DATE-TIME and replaced by this backup.\n", db.data)
		return errors.New("nothing restored: add --yes to go ahead")
	}
	res, err := store.RestoreSQLite(ctx, file, db.data)
	if err != nil {
		return fmt.Errorf("%w\nThe database in %s was not changed", err, db.data)
	}
	fmt.Fprintf(stdout, "Restored into %s (schema %d, now %d).\n", db.data, res.From, res.To)
	if res.Aside != "" {
		fmt.Fprintf(stdout, "The database that was there is kept as %s; delete it once all is well.\n", res.Aside)
	}
	fmt.Fprintln(stdout, "Start Drempel again.")
	return nil
}

// describeURL names a PostgreSQL database without its password.
func describeURL(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(the --database-url)"
	}
	return p.Host + p.Path
}

func size(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	default:
		return fmt.Sprintf("%d kB", (n+1023)/1024)
	}
}
