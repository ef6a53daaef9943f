package store

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Backups.
//
// On SQLite a backup is one database file, made with VACUUM INTO on a read
// connection: a consistent snapshot of what was committed when it started,
// taken while kiosks go on checking in (WAL readers do not block the
// writer). On PostgreSQL it is pg_dump's custom archive, also a snapshot.
// Everything Drempel needs lives in the database (recordings, voice notes,
// logos and staff sessions included); the data directory's voice-cache holds
// only speech that espeak-ng makes again, so a backup is one file.
//
// A backup is written under a hidden temporary name in its directory,
// flushed, opened again and checked, and only then renamed to its final
// name: a file named drempel-backup-… is always whole.

// SettingBackupLast holds the outcome of the latest backup, as JSON
// (BackupRecord): when, which file, or why it failed. The nightly schedule
// reads it, so that one backup a night serves a whole network, and the admin
// panel may show it.
const SettingBackupLast = "backup_last"

// BackupRecord is the latest backup's outcome.
type BackupRecord struct {
	At    time.Time `json:"at"`
	OK    bool      `json:"ok"`
	File  string    `json:"file,omitempty"` // base name
	Dir   string    `json:"dir,omitempty"`
	Bytes int64     `json:"bytes,omitempty"`
	Error string    `json:"error,omitempty"`
	// CopyError says why the second copy (a USB disk, a NAS) failed while
	// the backup itself succeeded.
	CopyError string `json:"copy_error,omitempty"`
}

// LastBackup reads the latest backup's outcome; nil when no backup was ever
// recorded.
func (s *Store) LastBackup(ctx context.Context) (*BackupRecord, error) {
	v, err := s.Setting(ctx, SettingBackupLast)
	if err != nil || v == "" {
		return nil, err
	}
	var r BackupRecord
	if err := json.Unmarshal([]byte(v), &r); err != nil {
		return nil, fmt.Errorf("%s: %w", SettingBackupLast, err)
	}
	return &r, nil
}

// RecordBackup saves the latest backup's outcome.
func (s *Store) RecordBackup(ctx context.Context, r BackupRecord) error {
	r.At = r.At.UTC()
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return s.SetSetting(ctx, SettingBackupLast, string(b))
}

// HoldsMembers says whether anyone was ever registered: a database without
// members has little to lose, one with members has a backup owed.
func (s *Store) HoldsMembers(ctx context.Context) (bool, error) {
	var ids []int64
	err := s.R.WithContext(ctx).Raw("SELECT id FROM members LIMIT 1").Scan(&ids).Error
	return len(ids) > 0, err
}

// ErrNoDatabase: the data directory holds no Drempel database to back up.
var ErrNoDatabase = errors.New("no Drempel database")

// OpenForBackup opens the database as it is, to back it up from the command
// line (drempel backup): no migration runs, so that a backup made with a
// newer Drempel just before an upgrade holds the database as the running
// version left it, and restores into that version. On SQLite the backup
// reads through a read-only connection, and a data directory without a
// database is an error (ErrNoDatabase), not a new, empty database. The only
// write is RecordBackup's setting, which every schema version has.
//
// A database of a newer schema than this build knows is refused: back it
// up with the Drempel that serves it. Close it with CloseBackup.
func OpenForBackup(ctx context.Context, cfg Config) (*Store, error) {
	gcfg := &gorm.Config{
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true,
		TranslateError:         true,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	}
	s := newStore()
	where := cfg.DataDir
	switch {
	case IsPostgres(cfg.DatabaseURL):
		db, err := gorm.Open(postgres.Open(cfg.DatabaseURL), gcfg)
		if err != nil {
			return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
		}
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.SetMaxOpenConns(2)
		}
		s.W, s.R, s.Dialect = db, db, "postgres"
		where = "the PostgreSQL database"
	case cfg.DatabaseURL == "":
		if where == "" {
			where = "drempel-data"
		}
		path := filepath.Join(where, "drempel.db")
		if fi, err := os.Stat(path); err != nil || !fi.Mode().IsRegular() {
			return nil, fmt.Errorf("%w in %s (no drempel.db there): is --data right?", ErrNoDatabase, where)
		}
		// Read-only, with the server's busy timeout: a backup never
		// changes the database it copies.
		r, err := gorm.Open(sqlite.Open("file:"+sqliteURIPath(path)+"?mode=ro&_busy_timeout=10000"), gcfg)
		if err != nil {
			return nil, fmt.Errorf("open SQLite: %w", err)
		}
		if rdb, err := r.DB(); err == nil {
			rdb.SetMaxOpenConns(1)
		}
		w, err := gorm.Open(sqlite.Open(sqliteDSN(path, "immediate")), gcfg)
		if err != nil {
			if rdb, err := r.DB(); err == nil {
				rdb.Close()
			}
			return nil, fmt.Errorf("open SQLite: %w", err)
		}
		if wdb, err := w.DB(); err == nil {
			wdb.SetMaxOpenConns(1)
		}
		s.W, s.R, s.Dialect = w, r, "sqlite"
	default:
		return nil, fmt.Errorf("unsupported database URL (want postgres://… or empty for SQLite)")
	}
	if err := s.Ping(ctx); err != nil {
		s.CloseBackup()
		return nil, err
	}
	v, err := s.SchemaVersion(ctx)
	if err != nil || v < 1 {
		s.CloseBackup()
		return nil, fmt.Errorf("%w in %s: it holds no Drempel schema", ErrNoDatabase, where)
	}
	if latest := LatestSchemaVersion(); v > latest {
		s.CloseBackup()
		return nil, fmt.Errorf("the database has schema %d, newer than this Drempel knows (up to %d): "+
			"make the backup with the Drempel that serves it", v, latest)
	}
	return s, nil
}

// CloseBackup closes a store that OpenForBackup opened. Unlike Close, it
// does not checkpoint SQLite's write-ahead log: a checkpoint waits for the
// running server's readers and holds its writers back meanwhile, and the
// server checkpoints by itself (when none runs, SQLite does it as the last
// connection closes).
func (s *Store) CloseBackup() error {
	seen := map[*gorm.DB]bool{}
	var errs []error
	for _, g := range []*gorm.DB{s.R, s.W} {
		if g == nil || seen[g] {
			continue
		}
		seen[g] = true
		if db, err := g.DB(); err == nil {
			errs = append(errs, db.Close())
		}
	}
	return errors.Join(errs...)
}

// Backup is a backup file that was written and checked.
type Backup struct {
	Path          string
	Bytes         int64
	SchemaVersion int64
	Dialect       string // "sqlite" or "postgres"
}

const backupPrefix = "drempel-backup-"

// backupFileRe matches the names Backup gives, and only those: pruning never
// touches another file. The time is the local time it was made, so that the
// names sort by age and a coordinator reads them.
var backupFileRe = regexp.MustCompile(`^drempel-backup-(\d{4}-\d\d-\d\d-\d{6})(-\d+)?\.(db|pgdump)$`)

// Backup writes a backup of the whole database into dir, named with the
// date and time in loc (by the store's clock), and checks it before giving
// it its name.
func (s *Store) Backup(ctx context.Context, dir string, loc *time.Location) (*Backup, error) {
	if loc == nil {
		loc = time.Local
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("backup folder: %w", err)
	}
	want, err := s.SchemaVersion(ctx)
	if err != nil {
		return nil, err
	}
	ext := ".db"
	if s.Dialect == "postgres" {
		ext = ".pgdump"
	}
	tmp, err := os.CreateTemp(dir, ".drempel-backup-*.tmp") // 0600: a backup holds personal data
	if err != nil {
		return nil, fmt.Errorf("backup folder: %w", err)
	}
	tmpPath := tmp.Name()
	tmp.Close()
	done := false
	defer func() {
		if !done {
			os.Remove(tmpPath)
		}
	}()
	switch s.Dialect {
	case "postgres":
		err = s.dumpPostgres(ctx, tmpPath)
	default:
		// VACUUM INTO wants a missing or empty file: CreateTemp's is empty.
		err = s.R.WithContext(ctx).Exec("VACUUM INTO ?", tmpPath).Error
	}
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if err := syncFile(tmpPath); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	info, err := VerifyBackup(ctx, tmpPath)
	if err != nil {
		return nil, fmt.Errorf("the backup just written does not read back: %w", err)
	}
	if info.SchemaVersion != want || info.Dialect != s.Dialect {
		return nil, fmt.Errorf("the backup just written has schema %d (%s), the database %d (%s)",
			info.SchemaVersion, info.Dialect, want, s.Dialect)
	}
	final, err := freeName(dir, backupPrefix+s.Now().In(loc).Format("2006-01-02-150405"), ext)
	if err != nil {
		return nil, err
	}
	if err := os.Rename(tmpPath, final); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	done = true
	syncDir(dir)
	st, err := os.Stat(final)
	if err != nil {
		return nil, err
	}
	return &Backup{Path: final, Bytes: st.Size(), SchemaVersion: want, Dialect: s.Dialect}, nil
}

// freeName is dir/base+ext, or with -2, -3… when backups fall in the same
// second (a manual one next to the nightly one): always past the last one
// taken, never a gap pruning left, so that names keep sorting by age.
func freeName(dir, base, ext string) (string, error) {
	names, err := filepath.Glob(filepath.Join(dir, base+"*"+ext))
	if err != nil {
		return "", err
	}
	next := 1
	for _, n := range names {
		if m := backupFileRe.FindStringSubmatch(filepath.Base(n)); m != nil && backupPrefix+m[1] == base {
			i := 1
			if m[2] != "" {
				i, _ = strconv.Atoi(m[2][1:])
			}
			next = max(next, i+1)
		}
	}
	name := base + ext
	if next > 1 {
		name = base + "-" + strconv.Itoa(next) + ext
	}
	return filepath.Join(dir, name), nil
}

// CopyBackup copies a checked backup into a second folder (a USB disk, a
// NAS mount) under the same name, written and checked the same way, so that
// a dead disk does not take the backups with it.
func CopyBackup(ctx context.Context, b *Backup, dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(dir, ".drempel-backup-*.tmp")
	if err != nil {
		return "", err
	}
	tmpPath := tmp.Name()
	tmp.Close()
	defer os.Remove(tmpPath) // a no-op once renamed
	if err := copyFile(b.Path, tmpPath); err != nil {
		return "", err
	}
	if info, err := VerifyBackup(ctx, tmpPath); err != nil {
		return "", fmt.Errorf("the copy does not read back: %w", err)
	} else if info.SchemaVersion != b.SchemaVersion {
		return "", fmt.Errorf("the copy has schema %d, the backup %d", info.SchemaVersion, b.SchemaVersion)
	}
	final := filepath.Join(dir, filepath.Base(b.Path))
	if err := os.Rename(tmpPath, final); err != nil {
		return "", err
	}
	syncDir(dir)
	return final, nil
}

// Rotation says which backups a folder keeps: the newest backup of each of
// the last Daily days, and the newest of each of the last Weekly ISO weeks
// (Monday to Sunday), counting only the days and weeks that have a backup.
// A backup kept by either rule stays. So a PC that was off for a fortnight
// does not lose its older backups to the first nights after it: the last
// seven days are the last seven nights a backup was made.
type Rotation struct {
	Daily, Weekly int
}

// DefaultRotation keeps a week of nightly backups and a month of weekly ones.
var DefaultRotation = Rotation{Daily: 7, Weekly: 4}

// Valid says whether the rotation keeps at least one backup.
func (r Rotation) Valid() error {
	if r.Daily < 0 || r.Weekly < 0 {
		return fmt.Errorf("the days and weeks of backups to keep cannot be negative (%d days, %d weeks)", r.Daily, r.Weekly)
	}
	if r.Daily+r.Weekly < 1 {
		return errors.New("keep at least one backup: a day or a week")
	}
	return nil
}

func (r Rotation) String() string {
	return fmt.Sprintf("the newest of each of the last %d days and of the last %d weeks", r.Daily, r.Weekly)
}

// PruneBackups applies the rotation to dir: it removes the backups that
// neither rule keeps. The newest backup always stays. Only files named as
// Backup names them are ever looked at; their age is read from the name,
// never from the file's time. It also removes temporary files a crash left
// behind, once they are a day old (a younger one may be a backup being
// written by another process).
func PruneBackups(dir string, r Rotation) (removed []string, err error) {
	if err := r.Valid(); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		name := e.Name()
		if backupFileRe.MatchString(name) {
			names = append(names, name)
		} else if strings.HasPrefix(name, ".drempel-backup-") && strings.HasSuffix(name, ".tmp") {
			if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > 24*time.Hour {
				os.Remove(filepath.Join(dir, name))
			}
		}
	}
	keep := keptBackups(names, r)
	var errs []error
	for _, name := range names {
		if keep[name] {
			continue
		}
		p := filepath.Join(dir, name)
		if err := os.Remove(p); err != nil {
			errs = append(errs, err)
		} else {
			removed = append(removed, p)
		}
	}
	return removed, errors.Join(errs...)
}

// keptBackups is the rotation's choice among backup file names.
func keptBackups(names []string, r Rotation) map[string]bool {
	newest := slices.Clone(names)
	sort.Slice(newest, func(i, j int) bool { return backupOrder(newest[i]) > backupOrder(newest[j]) })
	keep := map[string]bool{}
	if len(newest) > 0 {
		keep[newest[0]] = true
	}
	days, weeks := map[string]bool{}, map[[2]int]bool{}
	for _, name := range newest { // the first seen of a day or week is its newest
		day := backupFileRe.FindStringSubmatch(name)[1][:len(time.DateOnly)]
		if !days[day] && len(days) < r.Daily {
			days[day], keep[name] = true, true
		}
		t, err := time.Parse(time.DateOnly, day)
		if err != nil {
			keep[name] = true // a 13th month: not Drempel's to judge
			continue
		}
		y, w := t.ISOWeek()
		if wk := [2]int{y, w}; !weeks[wk] && len(weeks) < r.Weekly {
			weeks[wk], keep[name] = true, true
		}
	}
	return keep
}

// backupOrder sorts "…-023000-2.db" after "…-023000.db".
func backupOrder(name string) string {
	m := backupFileRe.FindStringSubmatch(name)
	n := 1
	if m[2] != "" {
		n, _ = strconv.Atoi(m[2][1:])
	}
	return fmt.Sprintf("%s-%03d", m[1], n)
}

// BackupInfo is what a backup file says of itself.
type BackupInfo struct {
	Dialect       string // "sqlite" or "postgres"
	SchemaVersion int64
}

// ErrBadBackup is wrapped by every refusal of a backup file.
var ErrBadBackup = errors.New("not a usable Drempel backup")

// LatestSchemaVersion is the schema version this build of Drempel migrates
// to; a backup of a later one comes from a newer Drempel.
func LatestSchemaVersion() int64 {
	var v int64
	for _, m := range migrations {
		v = max(v, m.version)
	}
	return v
}

// VerifyBackup reads a backup file through: a SQLite file passes SQLite's
// integrity check, a pg_dump archive reads to its end with pg_restore; both
// must hold Drempel's schema version, and not one newer than this build's.
func VerifyBackup(ctx context.Context, path string) (*BackupInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	head := make([]byte, 16)
	n, _ := io.ReadFull(f, head)
	f.Close()
	head = head[:n]
	var info *BackupInfo
	switch {
	case bytes.HasPrefix(head, []byte("SQLite format 3\x00")):
		info, err = verifySQLite(ctx, path)
	case bytes.HasPrefix(head, []byte("PGDMP")):
		info, err = verifyPostgres(ctx, path)
	default:
		return nil, fmt.Errorf("%w: %s is neither a SQLite database nor a pg_dump archive", ErrBadBackup, filepath.Base(path))
	}
	if err != nil {
		return nil, err
	}
	if info.SchemaVersion < 1 {
		return nil, fmt.Errorf("%w: %s holds no Drempel schema", ErrBadBackup, filepath.Base(path))
	}
	if latest := LatestSchemaVersion(); info.SchemaVersion > latest {
		return nil, fmt.Errorf("%w: %s comes from a newer Drempel (schema %d; this one knows up to %d): restore it with that version or a later one",
			ErrBadBackup, filepath.Base(path), info.SchemaVersion, latest)
	}
	return info, nil
}

func verifySQLite(ctx context.Context, path string) (*BackupInfo, error) {
	// Immutable: no lock, no -wal or -shm file made beside it (on a USB
	// stick, say); checking a file never changes its folder. A WAL left
	// beside a hand-made copy is not read, and the restore does not copy it
	// either: what is checked is what is restored.
	db, err := sql.Open(sqlite.DriverName, "file:"+sqliteURIPath(path)+"?mode=ro&immutable=1")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	name := filepath.Base(path)
	rows, err := db.QueryContext(ctx, "PRAGMA integrity_check(20)")
	if err != nil {
		return nil, fmt.Errorf("%w: %s is damaged: %v", ErrBadBackup, name, err)
	}
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			rows.Close()
			return nil, fmt.Errorf("%w: %s is damaged: %v", ErrBadBackup, name, err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("%w: %s is damaged: %v", ErrBadBackup, name, err)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%w: %s is damaged: %v", ErrBadBackup, name, err)
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%w: %s is damaged: %s", ErrBadBackup, name, strings.Join(problems, "; "))
	}
	var v sql.NullInt64
	if err := db.QueryRowContext(ctx, "SELECT MAX(version_id) FROM goose_db_version").Scan(&v); err != nil {
		return nil, fmt.Errorf("%w: %s is a SQLite database, but not Drempel's: %v", ErrBadBackup, name, err)
	}
	return &BackupInfo{Dialect: "sqlite", SchemaVersion: v.Int64}, nil
}

// verifyPostgres has pg_restore turn the whole archive into SQL, which
// decompresses every part of it, and reads the schema version out of the
// goose_db_version table's data on the way.
func verifyPostgres(ctx context.Context, path string) (*BackupInfo, error) {
	bin, err := pgTool("pg_restore")
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, bin, "--file=-", path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	v, scanErr := scanGooseVersion(out)
	io.Copy(io.Discard, out)
	if err := cmd.Wait(); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%w: %s is damaged: pg_restore: %s", ErrBadBackup, filepath.Base(path), firstLines(stderr.String(), err))
	}
	if scanErr != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrBadBackup, filepath.Base(path), scanErr)
	}
	return &BackupInfo{Dialect: "postgres", SchemaVersion: v}, nil
}

// scanGooseVersion reads pg_restore's script for the rows of
// goose_db_version, without holding any other line in memory (a recording
// is one long line).
func scanGooseVersion(r io.Reader) (int64, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var (
		inTable bool
		col     = -1
		v       int64
		found   bool
	)
	for {
		line, isPrefix, err := br.ReadLine()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, err
		}
		start := string(line)
		for isPrefix { // the rest of a long line: not needed
			_, isPrefix, err = br.ReadLine()
			if err != nil {
				return 0, err
			}
		}
		switch {
		case !inTable && strings.HasPrefix(start, "COPY ") && strings.Contains(start, "goose_db_version ("):
			open, end := strings.Index(start, "("), strings.Index(start, ")")
			for i, c := range strings.Split(start[open+1:end], ",") {
				if strings.TrimSpace(c) == "version_id" {
					col = i
				}
			}
			inTable = col >= 0
		case inTable && start == `\.`:
			inTable = false
		case inTable:
			fields := strings.Split(start, "\t")
			if col < len(fields) {
				if n, err := strconv.ParseInt(fields[col], 10, 64); err == nil {
					v, found = max(v, n), true
				}
			}
		}
	}
	if !found {
		return 0, errors.New("the archive holds no Drempel schema (no goose_db_version rows)")
	}
	return v, nil
}

// dumpPostgres runs pg_dump with the store's database URL. The password
// goes to pg_dump in its environment, never on its command line, where
// every user of the machine could read it, nor in an error message.
func (s *Store) dumpPostgres(ctx context.Context, file string) error {
	bin, err := pgTool("pg_dump")
	if err != nil {
		return err
	}
	d, ok := s.W.Dialector.(*postgres.Dialector)
	if !ok {
		return errors.New("no PostgreSQL URL")
	}
	conn, env, err := libpqURL(d.DSN)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, bin, "--format=custom", "--no-owner", "--file="+file, "--dbname="+conn)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		msg := firstLines(stderr.String(), err)
		if strings.Contains(msg, "version mismatch") {
			msg += " (install the postgresql-client of the server's version, or newer)"
		}
		return fmt.Errorf("pg_dump: %s", msg)
	}
	return nil
}

// pgTool finds pg_dump or pg_restore, or says what to install.
func pgTool(name string) (string, error) {
	p, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("%s is not installed on this machine: install PostgreSQL's client programs "+
			"(on Debian or Ubuntu: apt-get install postgresql-client), or back up the database on its own server", name)
	}
	return p, nil
}

// libpqURL turns Drempel's PostgreSQL URL into one libpq (pg_dump,
// pg_restore) accepts, and takes the password out into PGPASSWORD. pgx's
// own options (pool sizes, statement caches) mean nothing to libpq, which
// would refuse the URL.
func libpqURL(dsn string) (conn string, env []string, err error) {
	u, err := url.Parse(dsn)
	if err != nil {
		// url's error quotes the URL, password and all.
		return "", nil, errors.New("the database URL does not parse")
	}
	q := u.Query()
	if pw := q.Get("password"); pw != "" {
		env = append(env, "PGPASSWORD="+pw)
	}
	q.Del("password")
	if u.User != nil {
		if pw, ok := u.User.Password(); ok {
			env = append(env, "PGPASSWORD="+pw)
		}
		u.User = url.User(u.User.Username())
	}
	for k := range q {
		// pgx's own settings, and the run-time settings pgx passes on (see
		// pgSettings), which libpq's URLs do not take.
		if strings.HasPrefix(k, "pool_") || k == "statement_cache_capacity" || k == "description_cache_capacity" || k == "default_query_exec_mode" || k == "jit" || k == "max_parallel_workers_per_gather" {
			q.Del(k)
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), env, nil
}

// firstLines keeps the start of a tool's complaint for an error message.
func firstLines(stderr string, err error) string {
	s := strings.TrimSpace(stderr)
	if s == "" {
		return err.Error()
	}
	if lines := strings.Split(s, "\n"); len(lines) > 5 {
		s = strings.Join(lines[:5], "\n") + "\n…"
	}
	return s
}

// Restore is what a restore did.
type Restore struct {
	From, To int64 // the backup's schema version, and after migrating
	// Aside is where the database that was in place now is ("" when the
	// data directory had none).
	Aside string
}

// RestoreSQLite makes the backup file the database of dataDir. Nothing in
// dataDir changes until the backup has been copied in beside it, checked,
// migrated to this build's schema and checked again; then the current
// database is kept as drempel.db.before-restore-<time> and the restored one
// takes its name in one rename. No Drempel may have the database open: the
// caller makes sure of that.
func RestoreSQLite(ctx context.Context, file, dataDir string) (*Restore, error) {
	info, err := VerifyBackup(ctx, file)
	if err != nil {
		return nil, err
	}
	if info.Dialect != "sqlite" {
		return nil, fmt.Errorf("%w: %s is a PostgreSQL backup: restore it with --database-url", ErrBadBackup, filepath.Base(file))
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, err
	}
	stage, err := os.MkdirTemp(dataDir, ".restore-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(stage)
	staged := filepath.Join(stage, "drempel.db")
	if err := copyFile(file, staged); err != nil {
		return nil, err
	}
	// Migrate the copy, not the database in place: an error leaves the data
	// directory as it was. Closing the store checkpoints the WAL into the file.
	st, err := Open(ctx, Config{DataDir: stage})
	if err != nil {
		return nil, fmt.Errorf("bring the backup up to this version: %w", err)
	}
	if err := st.Close(); err != nil {
		return nil, err
	}
	if fi, err := os.Stat(staged + "-wal"); err == nil && fi.Size() > 0 {
		return nil, errors.New("the restored database kept a write-ahead log; nothing was changed")
	}
	after, err := verifySQLite(ctx, staged)
	if err != nil {
		return nil, fmt.Errorf("the restored database does not check: %w", err)
	}
	if err := syncFile(staged); err != nil {
		return nil, err
	}
	res := &Restore{From: info.SchemaVersion, To: after.SchemaVersion}
	live := filepath.Join(dataDir, "drempel.db")
	if _, err := os.Stat(live); err == nil {
		aside, err := setAside(ctx, live)
		if err != nil {
			return nil, err
		}
		res.Aside = aside
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if err := os.Rename(staged, live); err != nil {
		return nil, fmt.Errorf("put the backup in place (the previous database is %s): %w", res.Aside, err)
	}
	syncDir(dataDir)
	return res, nil
}

// setAside keeps the database in place under a name of its own, with
// whatever its write-ahead log still held, and clears the way for the one
// restored: a stale -wal beside the new file would be replayed into it.
func setAside(ctx context.Context, live string) (string, error) {
	// Fold the WAL into the file when the database still opens; a damaged
	// one (perhaps why it is being restored) is kept with its WAL instead.
	if db, err := sql.Open(sqlite.DriverName, "file:"+sqliteURIPath(live)+"?_busy_timeout=5000"); err == nil {
		db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
		db.Close()
	}
	aside := live + ".before-restore-" + time.Now().Format("2006-01-02-150405")
	// A hard link, so that drempel.db is never missing; a copy where the
	// file system has no links.
	if err := os.Link(live, aside); err != nil {
		if err := copyFile(live, aside); err != nil {
			return "", fmt.Errorf("keep the current database aside: %w", err)
		}
	}
	if fi, err := os.Stat(live + "-wal"); err == nil && fi.Size() > 0 {
		// Named so that SQLite finds it when the set-aside file is opened.
		if err := os.Rename(live+"-wal", aside+"-wal"); err != nil {
			return "", fmt.Errorf("keep the current database's log aside: %w", err)
		}
	}
	for _, p := range []string{live + "-wal", live + "-shm", live + "-journal"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return "", err
		}
	}
	syncDir(filepath.Dir(live))
	return aside, nil
}

// RestorePostgres restores a pg_dump backup into the empty database at
// dbURL and migrates it to this build's schema. It refuses a database that
// holds tables: a network restores into a new database, checks it, and then
// points its servers' --database-url at it.
func RestorePostgres(ctx context.Context, file, dbURL string) (*Restore, error) {
	info, err := VerifyBackup(ctx, file)
	if err != nil {
		return nil, err
	}
	if info.Dialect != "postgres" {
		return nil, fmt.Errorf("%w: %s is a SQLite backup: restore it with --data, without --database-url", ErrBadBackup, filepath.Base(file))
	}
	bin, err := pgTool("pg_restore")
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		return nil, errors.New("the database URL does not parse")
	}
	var tables int
	err = db.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables
		WHERE table_schema NOT IN ('pg_catalog', 'information_schema')`).Scan(&tables)
	db.Close()
	if err != nil {
		return nil, fmt.Errorf("connect to the database to restore into: %w", err)
	}
	if tables > 0 {
		return nil, fmt.Errorf("the database to restore into already holds %d tables: create a new, empty database "+
			"(createdb NAME), restore into it, then point --database-url at it", tables)
	}
	conn, env, err := libpqURL(dbURL)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, bin, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
		"--dbname="+conn, file)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("pg_restore: %s", firstLines(stderr.String(), err))
	}
	st, err := Open(ctx, Config{DatabaseURL: dbURL})
	if err != nil {
		return nil, fmt.Errorf("bring the restored database up to this version: %w", err)
	}
	defer st.Close()
	v, err := st.SchemaVersion(ctx)
	if err != nil {
		return nil, err
	}
	return &Restore{From: info.SchemaVersion, To: v}, nil
}

// sqliteURIPath escapes what would end a path in a file: URI (a USB
// stick's folder may hold a # or a ?); SQLite decodes it again.
func sqliteURIPath(p string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(p)
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir makes a rename in dir durable. It is best effort: some file
// systems a USB disk carries refuse to sync a directory, and the file itself
// is already on disk.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
