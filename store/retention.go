package store

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"gorm.io/gorm"
)

// RetentionRule is how long one kind of record is kept before a daily
// job forgets it (GDPR article 5: nothing longer than needed). Each is a
// setting, with a default an organisation may change within Min and Max.
type RetentionRule struct {
	Key      string // names the rule on the page and in the job's log
	Setting  string
	Unit     string // "days" or "months"
	Default  int
	Min, Max int
}

// RetentionRules are every kind of record that is forgotten in time, in
// the order the page lists them.
var RetentionRules = []RetentionRule{
	{"members", "retention_members_months", "months", 24, 3, 120},
	{"visit_times", "retention_visit_times_days", "days", 90, 1, 3650},
	{"bookings", "retention_bookings_months", "months", 24, 1, 120},
	{"smileys", "retention_smileys_months", "months", 36, 1, 120},
	{"loans", "retention_loans_months", "months", 36, 1, 120},
	{"damage_notes", "retention_notes_months", "months", 24, 1, 120},
	{"device_history", "retention_history_months", "months", 60, 1, 240},
	{"words", SettingTextRetentionDays, "days", 183, 7, 3650},
	{"audit", "retention_audit_months", "months", 24, 6, 120},
	// What a mentor wrote about a meeting with their mentee.
	{"meeting_notes", "retention_meeting_notes_months", "months", 12, 1, 120},
}

// SettingRetentionLast records the retention job's last run, for the page.
const SettingRetentionLast = "retention_last_run"

// RetentionValue is a rule with the period in force.
type RetentionValue struct {
	RetentionRule
	Value int
}

// Retention is every rule with its period in force.
func (s *Store) Retention(ctx context.Context) ([]RetentionValue, error) {
	out := make([]RetentionValue, len(RetentionRules))
	for i, r := range RetentionRules {
		v, err := s.retentionOf(ctx, r)
		if err != nil {
			return nil, err
		}
		out[i] = RetentionValue{r, v}
	}
	return out, nil
}

func (s *Store) retentionOf(ctx context.Context, r RetentionRule) (int, error) {
	v, err := s.Setting(ctx, r.Setting)
	if err != nil {
		return 0, err
	}
	if n, err := strconv.Atoi(v); err == nil && n >= r.Min && n <= r.Max {
		return n, nil
	}
	return r.Default, nil
}

// SetRetention sets the periods given (by rule key), all or none: a
// period out of its rule's range is a FieldError naming the rule.
func (s *Store) SetRetention(ctx context.Context, values map[string]int) error {
	for _, r := range RetentionRules {
		if v, ok := values[r.Key]; ok && (v < r.Min || v > r.Max) {
			return &FieldError{r.Key, "out_of_range"}
		}
	}
	return s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, r := range RetentionRules {
			if v, ok := values[r.Key]; ok {
				if err := tx.Save(&Setting{Key: r.Setting, Value: strconv.Itoa(v)}).Error; err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// cutoff is the moment before which a rule's records are forgotten.
func (v RetentionValue) cutoff(now time.Time) time.Time {
	if v.Unit == "months" {
		return now.AddDate(0, -v.Value, 0)
	}
	return now.AddDate(0, 0, -v.Value)
}

// RetentionRun is what one run of the retention job did, per rule.
type RetentionRun struct {
	At   time.Time        `json:"at"`
	Done map[string]int64 `json:"done"`
}

// maxErasePerRun bounds the members erased in one run; the next day's run
// goes on where it stopped.
const maxErasePerRun = 500

// ApplyRetention forgets what is past its period, rule by rule, and
// records what it did (SettingRetentionLast). The server runs it daily.
func (s *Store) ApplyRetention(ctx context.Context) (*RetentionRun, error) {
	now := s.Now()
	rules, err := s.Retention(ctx)
	if err != nil {
		return nil, err
	}
	run := &RetentionRun{At: now, Done: map[string]int64{}}
	for _, r := range rules {
		cut := r.cutoff(now)
		var n int64
		var err error
		switch r.Key {
		case "members":
			n, err = s.eraseUnseen(ctx, cut)
		case "visit_times":
			n, err = s.forgetVisitTimes(ctx, cut)
		case "bookings":
			n, err = s.exec(ctx, "DELETE FROM bookings WHERE starts_at < ? AND status <> ?", cut.Unix(), BookingBooked)
		case "smileys":
			n, err = s.exec(ctx, "DELETE FROM ratings WHERE created_at < ?", cut)
		case "loans":
			// The history keeps that a device was lent, not to whom.
			if _, err = s.exec(ctx, "UPDATE device_events SET member_id = NULL WHERE loan_id IN (SELECT id FROM loans WHERE status <> ? AND returned_at < ?)", LoanOpen, cut); err == nil {
				n, err = s.exec(ctx, "DELETE FROM loans WHERE status <> ? AND returned_at < ?", LoanOpen, cut)
			}
		case "damage_notes":
			n, err = s.exec(ctx, "UPDATE device_events SET note = '' WHERE at < ? AND note <> ''", cut)
		case "device_history":
			n, err = s.exec(ctx, "DELETE FROM device_events WHERE at < ?", cut)
		case "words":
			n, err = s.PurgeOldWords(ctx)
		case "audit":
			n, err = s.exec(ctx, "DELETE FROM audit_log WHERE at < ?", cut)
		case "meeting_notes":
			n, err = s.forgetMeetingNotes(ctx, cut)
		}
		if err != nil {
			return run, err
		}
		run.Done[r.Key] = n
	}
	b, _ := json.Marshal(run)
	return run, s.SetSetting(ctx, SettingRetentionLast, string(b))
}

// LastRetentionRun is the retention job's last run, nil before the first.
func (s *Store) LastRetentionRun(ctx context.Context) (*RetentionRun, error) {
	v, err := s.Setting(ctx, SettingRetentionLast)
	if err != nil || v == "" {
		return nil, err
	}
	var run RetentionRun
	if json.Unmarshal([]byte(v), &run) != nil {
		return nil, nil
	}
	return &run, nil
}

func (s *Store) exec(ctx context.Context, q string, args ...any) (int64, error) {
	res := s.W.WithContext(ctx).Exec(q, args...)
	return res.RowsAffected, res.Error
}

// eraseUnseen erases the members nobody has seen since cut: registered
// before it, no visit since, nothing booked or enrolled for after it, no
// device with them, and no tandem as mentee running since (nor a meeting
// of one): a mentee meets their mentor wherever suits them, and may never
// check in at the kiosk.
func (s *Store) eraseUnseen(ctx context.Context, cut time.Time) (int64, error) {
	// A tandem's days are its site's local days; a day more or less on a
	// period of months is no matter.
	cutDay := cut.UTC().Format(time.DateOnly)
	var ids []int64
	err := s.R.WithContext(ctx).Model(&Member{}).
		Where("erased_at IS NULL AND created_at < ?", cut).
		Where("NOT EXISTS (SELECT 1 FROM visits WHERE visits.member_id = members.id AND visits.checked_in_at >= ?)", cut).
		Where("NOT EXISTS (SELECT 1 FROM bookings WHERE bookings.member_id = members.id AND bookings.starts_at >= ?)", cut.Unix()).
		Where(`NOT EXISTS (SELECT 1 FROM enrolments JOIN course_sessions ON course_sessions.id = enrolments.session_id
WHERE enrolments.member_id = members.id AND course_sessions.starts_at >= ?)`, cut.Unix()).
		Where("NOT EXISTS (SELECT 1 FROM loans WHERE loans.member_id = members.id AND (loans.status = ? OR loans.lent_at >= ?))", LoanOpen, cut).
		Where(`NOT EXISTS (SELECT 1 FROM tandems WHERE tandems.member_id = members.id AND (tandems.ends_on >= ?
	OR EXISTS (SELECT 1 FROM tandem_meetings WHERE tandem_meetings.tandem_id = tandems.id AND tandem_meetings.day >= ?)))`, cutDay, cutDay).
		Order("id").Limit(maxErasePerRun).Pluck("id", &ids).Error
	if err != nil {
		return 0, err
	}
	var n int64
	for _, id := range ids {
		if err := s.EraseMember(ctx, id); err != nil {
			if err == ErrOpenLoans || err == ErrNotFound {
				continue // lent or erased since the query
			}
			return n, err
		}
		if err := s.Audit(ctx, 0, AuditEraseAll, id, 0); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// settingVisitTimesUntil is where forgetVisitTimes got to: visits before
// it have only their day left, so a run looks only at those since.
const settingVisitTimesUntil = "retention_visit_times_until"

// forgetVisitTimes keeps of each visit before cut only its day: the time
// of day becomes midnight (UTC) of the visit's local day, for the figures
// that count visits per day. One update per site and day, through the
// (site, day) index; the scan for them covers only what the last run
// left.
func (s *Store) forgetVisitTimes(ctx context.Context, cut time.Time) (int64, error) {
	var from time.Time
	if v, err := s.Setting(ctx, settingVisitTimesUntil); err != nil {
		return 0, err
	} else if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		from = t
	}
	if !cut.After(from) {
		return 0, nil
	}
	var pairs []struct {
		SiteID int64
		Day    string
	}
	err := s.R.WithContext(ctx).Model(&Visit{}).Distinct("site_id", "day").
		Where("checked_in_at >= ? AND checked_in_at < ?", from, cut).Order("day").Scan(&pairs).Error
	if err != nil {
		return 0, err
	}
	var n int64
	for _, p := range pairs {
		d, err := time.Parse(time.DateOnly, p.Day)
		if err != nil {
			continue
		}
		res := s.W.WithContext(ctx).Model(&Visit{}).
			Where("site_id = ? AND day = ? AND checked_in_at >= ? AND checked_in_at < ?", p.SiteID, p.Day, from, cut).
			Update("checked_in_at", d)
		if res.Error != nil {
			return n, res.Error
		}
		n += res.RowsAffected
	}
	return n, s.SetSetting(ctx, settingVisitTimesUntil, cut.UTC().Format(time.RFC3339Nano))
}
