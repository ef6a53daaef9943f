package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// migrations is append-only: a released entry is never edited, a change is
// a new entry. Each runs in its own transaction and is recorded in the
// goose_db_version table. The SQL is shared between SQLite and PostgreSQL;
// only the few words that differ are written as {{ID}}, {{TS}} and {{BLOB}}.
var migrations = []struct {
	version int64
	sql     string
	// after runs in the same transaction, for data SQL alone cannot make
	// and for what each dialect writes its own way (triggers).
	after func(ctx context.Context, tx *sql.Tx, dialect string) error
}{
	{1, `
CREATE TABLE sites (
	id {{ID}},
	name TEXT NOT NULL,
	time_zone TEXT NOT NULL DEFAULT 'Europe/Brussels',
	created_at {{TS}} NOT NULL
);
CREATE TABLE settings (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
CREATE TABLE users (
	id {{ID}},
	email TEXT NOT NULL,
	name TEXT NOT NULL DEFAULT '',
	role TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	lang TEXT NOT NULL DEFAULT 'nl',
	created_at {{TS}} NOT NULL,
	disabled_at {{TS}}
);
CREATE UNIQUE INDEX users_email ON users (email);
CREATE TABLE members (
	id {{ID}},
	nickname TEXT NOT NULL,
	lang TEXT NOT NULL,
	site_id BIGINT NOT NULL REFERENCES sites (id),
	phone TEXT NOT NULL DEFAULT '',
	email TEXT NOT NULL DEFAULT '',
	note TEXT NOT NULL DEFAULT '',
	created_at {{TS}} NOT NULL,
	updated_at {{TS}} NOT NULL
);
CREATE INDEX members_site ON members (site_id);
CREATE TABLE cards (
	id {{ID}},
	member_id BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
	token TEXT NOT NULL,
	check_code TEXT NOT NULL,
	issued_at {{TS}} NOT NULL,
	revoked_at {{TS}}
);
CREATE UNIQUE INDEX cards_token ON cards (token);
CREATE UNIQUE INDEX cards_active_code ON cards (check_code) WHERE revoked_at IS NULL;
CREATE UNIQUE INDEX cards_active_member ON cards (member_id) WHERE revoked_at IS NULL;
CREATE TABLE visits (
	id {{ID}},
	member_id BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
	site_id BIGINT NOT NULL REFERENCES sites (id),
	day TEXT NOT NULL,
	checked_in_at {{TS}} NOT NULL
);
CREATE UNIQUE INDEX visits_once_a_day ON visits (member_id, site_id, day);
CREATE INDEX visits_site_day ON visits (site_id, day);
`, nil},
	{2, `
CREATE TABLE labs (
	site_id BIGINT PRIMARY KEY REFERENCES sites (id),
	seats INTEGER NOT NULL DEFAULT 8,
	slot_minutes INTEGER NOT NULL DEFAULT 60,
	horizon_days INTEGER NOT NULL DEFAULT 7,
	max_bookings INTEGER NOT NULL DEFAULT 2,
	mode TEXT NOT NULL DEFAULT 'both',
	grace_minutes INTEGER NOT NULL DEFAULT 15
);
CREATE TABLE lab_hours (
	id {{ID}},
	site_id BIGINT NOT NULL REFERENCES sites (id),
	weekday INTEGER NOT NULL,
	opens INTEGER NOT NULL,
	closes INTEGER NOT NULL
);
CREATE INDEX lab_hours_site ON lab_hours (site_id, weekday);
CREATE TABLE lab_closures (
	id {{ID}},
	site_id BIGINT NOT NULL REFERENCES sites (id),
	day TEXT NOT NULL,
	reason TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX lab_closures_day ON lab_closures (site_id, day);
CREATE TABLE lab_slots (
	site_id BIGINT NOT NULL REFERENCES sites (id),
	starts_at BIGINT NOT NULL,
	taken INTEGER NOT NULL DEFAULT 0,
	blocked INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (site_id, starts_at)
);
CREATE TABLE bookings (
	id {{ID}},
	site_id BIGINT NOT NULL REFERENCES sites (id),
	member_id BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
	starts_at BIGINT NOT NULL,
	ends_at BIGINT NOT NULL,
	status TEXT NOT NULL,
	created_at {{TS}} NOT NULL,
	created_by BIGINT REFERENCES users (id),
	attended_at {{TS}},
	closed_at {{TS}}
);
CREATE UNIQUE INDEX bookings_member_slot ON bookings (member_id, starts_at) WHERE status IN ('booked', 'attended');
CREATE INDEX bookings_site_start ON bookings (site_id, starts_at);
CREATE INDEX bookings_member_status ON bookings (member_id, status, starts_at);
`, nil},
	{3, `
ALTER TABLE members ADD COLUMN search TEXT NOT NULL DEFAULT '';
`, backfillMemberSearch},
	{4, `
CREATE TABLE courses (
	id {{ID}},
	site_id BIGINT NOT NULL REFERENCES sites (id),
	kind TEXT NOT NULL,
	pictogram TEXT NOT NULL DEFAULT 'course',
	created_at {{TS}} NOT NULL,
	archived_at {{TS}}
);
CREATE TABLE course_texts (
	course_id BIGINT NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
	lang TEXT NOT NULL,
	name TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (course_id, lang)
);
CREATE TABLE course_sessions (
	id {{ID}},
	course_id BIGINT NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
	starts_at BIGINT NOT NULL,
	ends_at BIGINT NOT NULL,
	place TEXT NOT NULL DEFAULT '',
	seats INTEGER NOT NULL,
	taken INTEGER NOT NULL DEFAULT 0,
	facilitator_id BIGINT REFERENCES users (id)
);
CREATE INDEX course_sessions_start ON course_sessions (starts_at);
CREATE INDEX course_sessions_course ON course_sessions (course_id, starts_at);
CREATE TABLE enrolments (
	id {{ID}},
	session_id BIGINT NOT NULL REFERENCES course_sessions (id) ON DELETE CASCADE,
	member_id BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
	status TEXT NOT NULL,
	created_at {{TS}} NOT NULL,
	created_by BIGINT REFERENCES users (id),
	promoted_at {{TS}},
	seen_at {{TS}},
	attended_at {{TS}},
	closed_at {{TS}}
);
CREATE UNIQUE INDEX enrolments_once ON enrolments (session_id, member_id) WHERE status IN ('enrolled', 'waiting');
CREATE INDEX enrolments_member ON enrolments (member_id, status);
CREATE INDEX enrolments_session ON enrolments (session_id, status, id);
CREATE TABLE ratings (
	session_id BIGINT NOT NULL REFERENCES course_sessions (id) ON DELETE CASCADE,
	member_id BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
	score INTEGER NOT NULL,
	created_at {{TS}} NOT NULL,
	PRIMARY KEY (session_id, member_id)
);
`, nil},
	{5, `
CREATE TABLE loan_policies (
	site_id BIGINT NOT NULL REFERENCES sites (id),
	device_type TEXT NOT NULL,
	days INTEGER NOT NULL,
	PRIMARY KEY (site_id, device_type)
);
CREATE TABLE devices (
	id {{ID}},
	site_id BIGINT NOT NULL REFERENCES sites (id),
	type TEXT NOT NULL,
	asset_tag TEXT NOT NULL,
	make TEXT NOT NULL DEFAULT '',
	model TEXT NOT NULL DEFAULT '',
	serial TEXT NOT NULL DEFAULT '',
	notes TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL,
	parent_id BIGINT REFERENCES devices (id),
	created_at {{TS}} NOT NULL
);
CREATE UNIQUE INDEX devices_tag ON devices (asset_tag);
CREATE INDEX devices_site_status ON devices (site_id, status);
CREATE INDEX devices_parent ON devices (parent_id);
CREATE TABLE loans (
	id {{ID}},
	device_id BIGINT NOT NULL REFERENCES devices (id),
	member_id BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
	site_id BIGINT NOT NULL REFERENCES sites (id),
	lent_at {{TS}} NOT NULL,
	due_at {{TS}} NOT NULL,
	returned_at {{TS}},
	lent_by BIGINT REFERENCES users (id),
	returned_by BIGINT REFERENCES users (id),
	status TEXT NOT NULL,
	terms_accepted BOOLEAN NOT NULL
);
CREATE UNIQUE INDEX loans_one_open ON loans (device_id) WHERE status = 'open';
CREATE INDEX loans_member ON loans (member_id, status);
CREATE INDEX loans_due ON loans (status, due_at);
CREATE TABLE device_events (
	id {{ID}},
	device_id BIGINT NOT NULL REFERENCES devices (id),
	loan_id BIGINT,
	member_id BIGINT,
	user_id BIGINT,
	at {{TS}} NOT NULL,
	kind TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX device_events_device ON device_events (device_id, at);
CREATE INDEX device_events_member ON device_events (member_id, at);
`, nil},
	{6, `
CREATE TABLE organisations (
	id {{ID}},
	site_id BIGINT NOT NULL REFERENCES sites (id),
	name TEXT NOT NULL,
	pictogram TEXT NOT NULL DEFAULT 'building',
	archived_at {{TS}}
);
CREATE TABLE themes (
	id {{ID}},
	site_id BIGINT NOT NULL REFERENCES sites (id),
	title TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL,
	close_reason TEXT NOT NULL DEFAULT '',
	follow_up_on TEXT NOT NULL DEFAULT '',
	course_id BIGINT REFERENCES courses (id) ON DELETE SET NULL,
	created_at {{TS}} NOT NULL,
	updated_at {{TS}} NOT NULL
);
CREATE TABLE thresholds (
	id {{ID}},
	site_id BIGINT NOT NULL REFERENCES sites (id),
	day TEXT NOT NULL,
	domain TEXT NOT NULL,
	problem TEXT NOT NULL,
	organisation_id BIGINT REFERENCES organisations (id) ON DELETE SET NULL,
	text TEXT NOT NULL DEFAULT '',
	lang TEXT NOT NULL,
	member_id BIGINT REFERENCES members (id) ON DELETE SET NULL,
	wants_help BOOLEAN NOT NULL,
	level TEXT NOT NULL DEFAULT '',
	theme_id BIGINT REFERENCES themes (id) ON DELETE SET NULL,
	duplicate_of BIGINT REFERENCES thresholds (id) ON DELETE SET NULL,
	status TEXT NOT NULL,
	source TEXT NOT NULL,
	recorded_by BIGINT REFERENCES users (id),
	helped_at {{TS}}
);
CREATE INDEX thresholds_site_day ON thresholds (site_id, day);
CREATE INDEX thresholds_theme ON thresholds (theme_id);
CREATE INDEX thresholds_help ON thresholds (wants_help, helped_at);
CREATE TABLE solutions (
	id {{ID}},
	theme_id BIGINT NOT NULL REFERENCES themes (id) ON DELETE CASCADE,
	what TEXT NOT NULL,
	tried_on TEXT NOT NULL,
	people INTEGER NOT NULL DEFAULT 0,
	result TEXT NOT NULL,
	created_by BIGINT REFERENCES users (id),
	created_at {{TS}} NOT NULL
);
`, nil},
	{7, `
CREATE TABLE quotes (
	id {{ID}},
	threshold_id BIGINT REFERENCES thresholds (id) ON DELETE SET NULL,
	theme_id BIGINT NOT NULL REFERENCES themes (id) ON DELETE CASCADE,
	text TEXT NOT NULL,
	approved_by BIGINT REFERENCES users (id),
	approved_at {{TS}} NOT NULL
);
CREATE INDEX quotes_theme ON quotes (theme_id);
`, nil},
	{8, `
CREATE TABLE threshold_voices (
	threshold_id BIGINT PRIMARY KEY REFERENCES thresholds (id) ON DELETE CASCADE,
	content_type TEXT NOT NULL,
	data {{BLOB}} NOT NULL
);
`, nil},
	{9, `
CREATE TABLE organisation_logos (
	organisation_id BIGINT PRIMARY KEY REFERENCES organisations (id) ON DELETE CASCADE,
	content_type TEXT NOT NULL,
	data {{BLOB}} NOT NULL
);
`, nil},
	{10, `
CREATE TABLE kiosk_words (
	id {{ID}},
	lang TEXT NOT NULL,
	msg_id TEXT NOT NULL,
	text TEXT NOT NULL DEFAULT '',
	reviewed BOOLEAN NOT NULL DEFAULT FALSE,
	updated_at {{TS}} NOT NULL,
	updated_by BIGINT REFERENCES users (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX kiosk_words_lang_msg ON kiosk_words (lang, msg_id);
CREATE TABLE voice_prompts (
	id {{ID}},
	lang TEXT NOT NULL,
	prompt_key TEXT NOT NULL,
	text TEXT NOT NULL DEFAULT '',
	mime TEXT NOT NULL,
	audio {{BLOB}} NOT NULL,
	size INTEGER NOT NULL,
	updated_at {{TS}} NOT NULL,
	updated_by BIGINT REFERENCES users (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX voice_prompts_lang_key ON voice_prompts (lang, prompt_key);
`, nil},
	{11, `
CREATE TABLE sessions (
	key TEXT PRIMARY KEY,
	data {{BLOB}} NOT NULL,
	expires_at {{TS}}
);
CREATE INDEX sessions_expires ON sessions (expires_at);
`, nil},
	{12, `
ALTER TABLE sites ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN phone TEXT NOT NULL DEFAULT '';
`, nil},
	{13, `
CREATE TABLE kiosk_stations (
	id {{ID}},
	site_id BIGINT NOT NULL REFERENCES sites (id),
	name TEXT NOT NULL,
	pairing_code_hash TEXT,
	pairing_expires_at {{TS}},
	token_hash TEXT,
	created_at {{TS}} NOT NULL,
	paired_at {{TS}},
	last_seen_at {{TS}},
	revoked_at {{TS}}
);
CREATE UNIQUE INDEX kiosk_stations_code ON kiosk_stations (pairing_code_hash) WHERE pairing_code_hash IS NOT NULL;
CREATE UNIQUE INDEX kiosk_stations_token ON kiosk_stations (token_hash) WHERE token_hash IS NOT NULL;
`, nil},
	{14, `
CREATE TABLE user_sites (
	user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
	PRIMARY KEY (user_id, site_id)
);
CREATE INDEX user_sites_site ON user_sites (site_id);
`, giveStaffEverySite},
	{15, `
CREATE TABLE operators (
	id {{ID}},
	name TEXT NOT NULL,
	created_at {{TS}} NOT NULL
);
ALTER TABLE sites ADD COLUMN operator_id BIGINT REFERENCES operators (id);
CREATE INDEX sites_operator ON sites (operator_id);
CREATE TABLE operator_shares (
	operator_id BIGINT NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
	with_id BIGINT NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
	agreed_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
	agreed_at {{TS}} NOT NULL,
	PRIMARY KEY (operator_id, with_id)
);
`, oneOperatorForEverySite},
	{16, `
ALTER TABLE members ADD COLUMN erased_at {{TS}};
`, nil},
	{17, `
ALTER TABLE cards RENAME COLUMN token TO token_hash;
`, hashCardTokens},
	{18, `
CREATE TABLE audit_log (
	id {{ID}},
	at {{TS}} NOT NULL,
	user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
	action TEXT NOT NULL,
	member_id BIGINT,
	site_id BIGINT
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_member ON audit_log (member_id, at);
`, nil},
	// Courses as a programme runs them: the kind of activity a course is
	// (for the funders), "excused" in the roll call, and a staff-only
	// note per participant of a course for the team meeting.
	{19, `
ALTER TABLE courses ADD COLUMN activity TEXT NOT NULL DEFAULT 'other';
ALTER TABLE enrolments ADD COLUMN excused_at {{TS}};
CREATE TABLE attendance_notes (
	course_id BIGINT NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
	member_id BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
	note TEXT NOT NULL DEFAULT '',
	updated_at {{TS}} NOT NULL,
	updated_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
	PRIMARY KEY (course_id, member_id)
);
CREATE INDEX attendance_notes_member ON attendance_notes (member_id);
`, nil},
	// An optional profile a member may give at registration, for the
	// funders' aggregate figures: an age band and a gender, each with
	// "prefer not to say"; '' is not asked (registered before).
	{20, `
ALTER TABLE members ADD COLUMN age_band TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN gender TEXT NOT NULL DEFAULT '';
`, nil},
	// The help queue (issue 12): a ticket per request for help, with a
	// short number per site and day; taken once, ended once. help_sites
	// holds a version per site, raised in every write's transaction, that
	// each server polls to feed its live pages. help_duty: the peers on
	// duty at a site on a day.
	{21, `
CREATE TABLE help_tickets (
	id {{ID}},
	site_id BIGINT NOT NULL REFERENCES sites (id),
	day TEXT NOT NULL,
	number INTEGER NOT NULL CHECK (number > 0),
	subject TEXT NOT NULL CHECK (subject IN ('computer', 'paper', 'phone', 'online', 'other')),
	token TEXT NOT NULL,
	lang TEXT NOT NULL DEFAULT '',
	member_id BIGINT REFERENCES members (id) ON DELETE SET NULL,
	threshold_id BIGINT REFERENCES thresholds (id) ON DELETE SET NULL,
	created_at {{TS}} NOT NULL,
	taken_at {{TS}},
	taken_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
	ended_at {{TS}},
	ended_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
	outcome TEXT CHECK (outcome IN ('helped', 'referred', 'no_show')),
	theme_id BIGINT REFERENCES themes (id) ON DELETE SET NULL,
	CHECK ((ended_at IS NULL) = (outcome IS NULL)),
	CHECK (ended_at IS NULL OR taken_at IS NOT NULL)
);
CREATE UNIQUE INDEX help_tickets_number ON help_tickets (site_id, day, number);
CREATE UNIQUE INDEX help_tickets_token ON help_tickets (token);
CREATE UNIQUE INDEX help_tickets_threshold ON help_tickets (threshold_id);
CREATE INDEX help_tickets_open ON help_tickets (site_id, ended_at);
CREATE INDEX help_tickets_member ON help_tickets (member_id);
CREATE TABLE help_sites (
	site_id BIGINT PRIMARY KEY REFERENCES sites (id),
	version BIGINT NOT NULL
);
CREATE TABLE help_duty (
	site_id BIGINT NOT NULL REFERENCES sites (id),
	user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	day TEXT NOT NULL,
	show_name BOOLEAN NOT NULL DEFAULT FALSE,
	PRIMARY KEY (site_id, user_id, day)
);
`, nil},
	// Mentoring tandems (issue 12): a mentor (an account) and a mentee
	// (a member) at a site, between two days, with goals; their
	// meetings (each of one tandem), their outcomes (one of each kind
	// per tandem); courses for tandems, whose enrolments name the
	// tandem (the mentee's seat, the mentor with them).
	{22, `
ALTER TABLE courses ADD COLUMN audience TEXT NOT NULL DEFAULT 'members';
CREATE TABLE tandems (
	id {{ID}},
	site_id BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
	mentor_id BIGINT NOT NULL REFERENCES users (id),
	member_id BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
	starts_on TEXT NOT NULL CHECK (length(starts_on) = 10),
	ends_on TEXT NOT NULL CHECK (length(ends_on) = 10),
	goals TEXT NOT NULL DEFAULT '',
	created_at {{TS}} NOT NULL,
	created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
	CHECK (starts_on <= ends_on)
);
CREATE INDEX tandems_site ON tandems (site_id, starts_on);
CREATE INDEX tandems_mentor ON tandems (mentor_id);
CREATE INDEX tandems_member ON tandems (member_id);
CREATE TABLE tandem_meetings (
	id {{ID}},
	tandem_id BIGINT NOT NULL REFERENCES tandems (id) ON DELETE CASCADE,
	day TEXT NOT NULL CHECK (length(day) = 10),
	minutes INTEGER NOT NULL CHECK (minutes BETWEEN 5 AND 720),
	topics TEXT NOT NULL DEFAULT '',
	note TEXT NOT NULL DEFAULT '',
	created_at {{TS}} NOT NULL,
	created_by BIGINT REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX tandem_meetings_tandem ON tandem_meetings (tandem_id, day);
CREATE INDEX tandem_meetings_day ON tandem_meetings (day);
CREATE TABLE tandem_outcomes (
	tandem_id BIGINT NOT NULL REFERENCES tandems (id) ON DELETE CASCADE,
	kind TEXT NOT NULL CHECK (kind IN ('work', 'training', 'housing', 'papers', 'other')),
	day TEXT NOT NULL CHECK (length(day) = 10),
	created_at {{TS}} NOT NULL,
	created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
	PRIMARY KEY (tandem_id, kind)
);
ALTER TABLE enrolments ADD COLUMN tandem_id BIGINT REFERENCES tandems (id) ON DELETE SET NULL;
CREATE INDEX enrolments_tandem ON enrolments (tandem_id);
`, nil},
	// The months each member visited each site: what the period figures
	// count people from (one row a member, month and site instead of one
	// a visit). Triggers on visits keep it, whatever writes visits.
	{23, `
CREATE TABLE visit_months (
	member_id BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
	month TEXT NOT NULL CHECK (length(month) = 7),
	site_id BIGINT NOT NULL REFERENCES sites (id)
);
CREATE UNIQUE INDEX visit_months_once ON visit_months (member_id, month, site_id);
CREATE INDEX visit_months_month ON visit_months (month, site_id);
INSERT INTO visit_months (member_id, month, site_id) SELECT DISTINCT member_id, substr(day, 1, 7), site_id FROM visits;
`, visitMonthsTriggers},
	// Marks that every write to a group of tables sets anew, whatever
	// makes it (this server, another of the network, a tool): the store
	// keeps what it read of them while their mark stays the same.
	{24, `
CREATE TABLE change_marks (
	name TEXT PRIMARY KEY,
	mark BIGINT NOT NULL
);
INSERT INTO change_marks (name, mark) VALUES ('courses', 1);
`, coursesMark.triggers},
	{25, `
INSERT INTO change_marks (name, mark) VALUES ('lab', 1);
`, labMark.triggers},
}

func (s *Store) dialectSQL(q string) string {
	id, ts, blob := "INTEGER PRIMARY KEY AUTOINCREMENT", "DATETIME", "BLOB"
	if s.Dialect == "postgres" {
		id, ts, blob = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", "TIMESTAMPTZ", "BYTEA"
	}
	return strings.NewReplacer("{{ID}}", id, "{{TS}}", ts, "{{BLOB}}", blob).Replace(q)
}

func (s *Store) migrate(ctx context.Context) error {
	db, err := s.W.DB()
	if err != nil {
		return err
	}
	var gms []*goose.Migration
	for _, m := range migrations {
		q, after := s.dialectSQL(m.sql), m.after
		gms = append(gms, goose.NewGoMigration(m.version, &goose.GoFunc{
			RunTx: func(ctx context.Context, tx *sql.Tx) error {
				// One statement per Exec: PostgreSQL's extended protocol takes no more.
				for _, stmt := range strings.Split(q, ";\n") {
					if strings.TrimSpace(stmt) == "" {
						continue
					}
					if _, err := tx.ExecContext(ctx, stmt); err != nil {
						return err
					}
				}
				if after != nil {
					return after(ctx, tx, s.Dialect)
				}
				return nil
			},
		}, nil))
	}
	dialect := goose.DialectSQLite3
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true), goose.WithGoMigrations(gms...)}
	if s.Dialect == "postgres" {
		dialect = goose.DialectPostgres
		// Several Drempel servers of one network may start at once.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, db, nil, opts...)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate database: %w", err)
	}
	return nil
}

// backfillMemberSearch fills the folded search text of existing members:
// SQLite's LOWER and LIKE know only ASCII, so folding happens in Go.
func backfillMemberSearch(ctx context.Context, tx *sql.Tx, _ string) error {
	rows, err := tx.QueryContext(ctx, "SELECT id, nickname FROM members")
	if err != nil {
		return err
	}
	type row struct {
		id   int64
		nick string
	}
	var all []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.nick); err != nil {
			rows.Close()
			return err
		}
		all = append(all, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range all {
		if _, err := tx.ExecContext(ctx, "UPDATE members SET search = $1 WHERE id = $2", Fold(r.nick), r.id); err != nil {
			return err
		}
	}
	return nil
}

// visitMonthsTriggers keep visit_months equal to the distinct (member,
// month, site) of visits: a visit adds its month; a visit removed, or
// moved, takes its month away when it was the last visit of that member
// there that month.
func visitMonthsTriggers(ctx context.Context, tx *sql.Tx, dialect string) error {
	const gone = `DELETE FROM visit_months WHERE member_id = OLD.member_id AND site_id = OLD.site_id AND month = substr(OLD.day, 1, 7)
		AND NOT EXISTS (SELECT 1 FROM visits v WHERE v.member_id = OLD.member_id AND v.site_id = OLD.site_id
			AND v.day >= substr(OLD.day, 1, 7) AND v.day < substr(OLD.day, 1, 7) || '-32')`
	const add = `INSERT INTO visit_months (member_id, month, site_id) VALUES (NEW.member_id, substr(NEW.day, 1, 7), NEW.site_id) ON CONFLICT DO NOTHING`
	stmts := []string{
		`CREATE TRIGGER visit_months_insert AFTER INSERT ON visits BEGIN ` + add + `; END`,
		`CREATE TRIGGER visit_months_delete AFTER DELETE ON visits BEGIN ` + gone + `; END`,
		`CREATE TRIGGER visit_months_update AFTER UPDATE OF member_id, site_id, day ON visits BEGIN ` + gone + `; ` + add + `; END`,
	}
	if dialect == "postgres" {
		stmts = []string{
			`CREATE FUNCTION visit_months_keep() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN
				IF TG_OP <> 'INSERT' THEN ` + gone + `; END IF;
				IF TG_OP <> 'DELETE' THEN ` + add + `; END IF;
				RETURN NULL;
			END $$`,
			`CREATE TRIGGER visit_months_keep AFTER INSERT OR DELETE OR UPDATE OF member_id, site_id, day ON visits
				FOR EACH ROW EXECUTE FUNCTION visit_months_keep()`,
		}
	}
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// changeMark is a row of change_marks and the tables whose writes set it
// anew: what the store keeps of those tables (markcache.go) is good while
// the mark is the same.
type changeMark struct {
	name   string
	tables []string
}

var (
	// coursesMark: the courses, their texts, their sessions with the seats
	// taken, and the places, whose writes go with the seats'.
	coursesMark = changeMark{"courses", []string{"courses", "course_texts", "course_sessions", "enrolments"}}
	// labMark: the lab's settings, hours, closed days and each slot's seats
	// taken and blocked.
	labMark = changeMark{"lab", []string{"labs", "lab_hours", "lab_closures", "lab_slots"}}
)

// triggers set the mark to a random number on every write to its tables
// (random, not counted up: a database restored from a backup does not
// come back to a mark a server has seen).
//
// On PostgreSQL the trigger runs before each statement, so that a
// transaction takes the mark's row lock before any row of those tables:
// their writers queue on the one lock in the same order. A transaction
// that locks such a row with SELECT … FOR UPDATE first calls setMark, and
// a lock taken before the mark on another table must not block what a
// holder of the mark does next (lockMember takes FOR NO KEY UPDATE, which
// lets a new place refer to the member). The trigger runs for a
// statement that changes no row too: what runs at every check-in or
// greeting looks for rows to change before it writes.
func (m changeMark) triggers(ctx context.Context, tx *sql.Tx, dialect string) error {
	var stmts []string
	if dialect == "postgres" {
		stmts = append(stmts, `CREATE FUNCTION `+m.name+`_mark() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN
				`+m.setSQL(dialect)+`;
				RETURN NULL;
			END $$`)
		for _, t := range m.tables {
			stmts = append(stmts, `CREATE TRIGGER `+t+`_mark BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON `+t+`
				FOR EACH STATEMENT EXECUTE FUNCTION `+m.name+`_mark()`)
		}
	} else {
		for _, t := range m.tables {
			for _, op := range []string{"INSERT", "UPDATE", "DELETE"} {
				stmts = append(stmts, `CREATE TRIGGER `+t+`_mark_`+strings.ToLower(op)+` AFTER `+op+` ON `+t+
					` BEGIN `+m.setSQL(dialect)+`; END`)
			}
		}
	}
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// setSQL sets the mark anew.
func (m changeMark) setSQL(dialect string) string {
	if dialect == "postgres" {
		return `UPDATE change_marks SET mark = floor(random() * 9007199254740991)::bigint WHERE name = '` + m.name + `'`
	}
	return `UPDATE change_marks SET mark = random() WHERE name = '` + m.name + `'`
}
