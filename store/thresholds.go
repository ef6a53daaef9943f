package store

import (
	"bytes"
	"context"
	"errors"
	"image"
	_ "image/jpeg" // logos
	_ "image/png"
	"sort"
	"strconv"
	"time"

	"gorm.io/gorm"
)

// Life domains where a digital threshold is met.
var ThresholdDomains = []string{"bank", "government", "health", "school", "work", "housing", "transport", "shopping", "family", "other"}

// What went wrong.
var ThresholdProblems = []string{"login", "language", "no_device", "no_internet", "too_complex", "online_only", "payment", "upload_form", "fraud_fear", "other"}

// Threshold levels of the threshold-scan method.
var ThresholdLevels = []string{"micro", "meso", "macro"}

func oneOf(v string, list []string) bool {
	for _, x := range list {
		if v == x {
			return true
		}
	}
	return false
}

// Organisation is a service people meet thresholds with (the OCMW, a bank,
// the school platform), kept by the facilitators.
type Organisation struct {
	ID         int64
	SiteID     int64
	Name       string
	Pictogram  string
	ArchivedAt *time.Time
	HasLogo    bool `gorm:"->;-:migration"` // read from a subquery, never written
}

// OrganisationPictograms are the pictograms an organisation can show when
// it has no logo.
var OrganisationPictograms = []string{"building", "d-bank", "d-government", "d-health", "d-school", "d-work", "d-housing", "d-transport", "d-shopping", "people"}

// organisationLogo is an uploaded logo, kept apart so lists stay light.
type organisationLogo struct {
	OrganisationID int64 `gorm:"primaryKey"`
	ContentType    string
	Data           []byte
}

func (organisationLogo) TableName() string { return "organisation_logos" }

// MaxLogo is the largest logo accepted.
const MaxLogo = 300 << 10

// SetOrganisationLogo stores a PNG or JPEG logo for the kiosk's tiles.
func (s *Store) SetOrganisationLogo(ctx context.Context, orgID int64, data []byte) error {
	if len(data) == 0 || len(data) > MaxLogo {
		return &FieldError{"logo", "too_long"}
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || (format != "png" && format != "jpeg") || cfg.Width > 2000 || cfg.Height > 2000 {
		return &FieldError{"logo", "bad_image"}
	}
	return s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := organisationExists(tx, orgID); err != nil {
			return err
		}
		return tx.Save(&organisationLogo{OrganisationID: orgID, ContentType: "image/" + format, Data: data}).Error
	})
}

// organisationExists is ErrNotFound for an organisation that is not
// there: a logo for it would break the foreign key, which is no 404.
func organisationExists(tx *gorm.DB, orgID int64) error {
	var n int64
	if err := tx.Model(&Organisation{}).Where("id = ?", orgID).Count(&n).Error; err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

// OrganisationLogo loads an organisation's logo.
func (s *Store) OrganisationLogo(ctx context.Context, orgID int64) ([]byte, string, error) {
	var l organisationLogo
	err := s.R.WithContext(ctx).Take(&l, "organisation_id = ?", orgID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, "", ErrNotFound
	}
	return l.Data, l.ContentType, err
}

// SetOrganisationPictogram chooses the pictogram shown without a logo.
func (s *Store) SetOrganisationPictogram(ctx context.Context, orgID int64, pictogram string) error {
	if !oneOf(pictogram, OrganisationPictograms) {
		return &FieldError{"pictogram", "bad_choice"}
	}
	res := s.W.WithContext(ctx).Model(&Organisation{}).Where("id = ?", orgID).Update("pictogram", pictogram)
	if res.Error == nil && res.RowsAffected == 0 {
		return ErrNotFound
	}
	return res.Error
}

// Threshold is one report of a digital threshold. An anonymous report
// holds no member and no time finer than the day.
type Threshold struct {
	ID             int64
	SiteID         int64
	Day            string // YYYY-MM-DD in the site's time zone
	Domain         string
	Problem        string
	OrganisationID *int64
	Text           string
	Lang           string
	MemberID       *int64 // only when the visitor asked for help
	WantsHelp      bool
	Level          string
	ThemeID        *int64
	DuplicateOf    *int64
	Status         string // new, triaged, duplicate
	Source         string // kiosk or desk
	RecordedBy     *int64
	HelpedAt       *time.Time
	// HasVoice tells that a voice note is kept (in threshold_voices, so
	// lists never load it).
	HasVoice bool `gorm:"-"`
	// VoiceDropped tells that the report came with a voice note that was
	// not kept, because the voice notes together reached their cap.
	VoiceDropped bool `gorm:"-"`
}

// thresholdVoice is a report's voice note, kept apart from the report.
type thresholdVoice struct {
	ThresholdID int64 `gorm:"primaryKey"`
	ContentType string
	Data        []byte
}

func (thresholdVoice) TableName() string { return "threshold_voices" }

// Theme groups reports for group work and for partners.
type Theme struct {
	ID          int64
	SiteID      int64
	Title       string
	Description string
	Status      string
	CloseReason string
	FollowUpOn  string // YYYY-MM-DD, the threshold-scan follow-up
	CourseID    *int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// ThemeStatuses in the order of the cycle.
var ThemeStatuses = []string{"new", "discussed", "testing", "solved", "partner", "closed"}

// Solution is something tried for a theme, and how it went.
type Solution struct {
	ID        int64
	ThemeID   int64
	What      string
	TriedOn   string
	People    int
	Result    string // works, partly, not
	CreatedBy *int64
	CreatedAt time.Time
}

// ReportInput is a threshold reported at the kiosk or the desk.
type ReportInput struct {
	SiteID         int64
	Domain         string
	Problem        string
	OrganisationID *int64
	Text           string
	Lang           string
	// MemberID is the checked-in visitor; it is stored only with WantsHelp.
	MemberID   *int64
	WantsHelp  bool
	Source     string
	RecordedBy *int64
	// Voice is an optional voice note (audio/webm, audio/ogg or audio/mp4,
	// at most MaxVoice bytes).
	Voice     []byte
	VoiceType string
}

// MaxVoice is the largest voice note kept: the kiosk's recorder stops at
// 60 s, which Opus keeps well under 1 MB.
const MaxVoice = 1 << 20

// SettingVoiceTotal caps the bytes of all voice notes kept together (a
// decimal number of bytes); DefaultVoiceTotal applies when it is not set.
// A report that would pass the cap is kept without its voice note.
const SettingVoiceTotal = "threshold_voice_total_bytes"

// DefaultVoiceTotal is the cap on all voice notes together: 200 MB, about
// 200 one-minute notes at the most, far more at a usual length.
const DefaultVoiceTotal = 200 << 20

// voiceRoom reports whether a voice note of n bytes fits under the cap on
// all voice notes together. It runs inside the write transaction that
// stores the note, after lockVoices.
func voiceRoom(tx *gorm.DB, n int) (bool, error) {
	limit := int64(DefaultVoiceTotal)
	var st Setting
	err := tx.Take(&st, "key = ?", SettingVoiceTotal).Error
	switch {
	case err == nil:
		if v, perr := strconv.ParseInt(st.Value, 10, 64); perr == nil && v >= 0 {
			limit = v
		}
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return false, err
	}
	var used int64
	if err := tx.Model(&thresholdVoice{}).Select("COALESCE(SUM(LENGTH(data)), 0)").Scan(&used).Error; err != nil {
		return false, err
	}
	return used+int64(n) <= limit, nil
}

// lockVoices serialises the writers of voice notes, so that two reports
// at once cannot both fit under the cap and pass it together. SQLite's
// single writer does this already; PostgreSQL takes a transaction lock.
func lockVoices(tx *gorm.DB, dialect string) error {
	if dialect != "postgres" {
		return nil
	}
	return tx.Exec("SELECT pg_advisory_xact_lock(?)", voiceLockKey).Error
}

// voiceLockKey names the voice notes' advisory lock ("voices" in ASCII).
const voiceLockKey int64 = 0x766f69636573

// ReportThreshold stores a report. Without a wish for help it is
// anonymous: no member, and only the day.
func (s *Store) ReportThreshold(ctx context.Context, in ReportInput) (*Threshold, error) {
	if !oneOf(in.Domain, ThresholdDomains) {
		return nil, &FieldError{"domain", "bad_choice"}
	}
	if !oneOf(in.Problem, ThresholdProblems) {
		return nil, &FieldError{"problem", "bad_choice"}
	}
	text, err := cleanLines("text", in.Text, 1000)
	if err != nil {
		return nil, err
	}
	lang, err := validLang("lang", in.Lang)
	if err != nil {
		return nil, err
	}
	if in.WantsHelp && in.MemberID == nil {
		return nil, &FieldError{"help", "needs_member"}
	}
	if len(in.Voice) > MaxVoice {
		return nil, &FieldError{"voice", "too_long"}
	}
	if len(in.Voice) > 0 && in.VoiceType != "audio/webm" && in.VoiceType != "audio/ogg" && in.VoiceType != "audio/mp4" {
		return nil, &FieldError{"voice", "bad_choice"}
	}
	if len(in.Voice) == 0 {
		in.VoiceType = ""
	}
	var site *Site
	if in.SiteID == 0 {
		site, err = s.DefaultSite(ctx)
	} else {
		site, err = s.Site(ctx, in.SiteID)
	}
	if err != nil {
		return nil, err
	}
	in.SiteID = site.ID
	t := &Threshold{SiteID: in.SiteID, Day: s.Now().In(site.Location()).Format(time.DateOnly), Domain: in.Domain,
		Problem: in.Problem, OrganisationID: in.OrganisationID, Text: text, Lang: lang, WantsHelp: in.WantsHelp,
		Status: "new", Source: in.Source, RecordedBy: in.RecordedBy}
	if in.WantsHelp {
		t.MemberID = in.MemberID
	}
	if t.Source == "" {
		t.Source = "kiosk"
	}
	err = s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(t).Error; err != nil {
			return err
		}
		if len(in.Voice) == 0 {
			return nil
		}
		if err := lockVoices(tx, s.Dialect); err != nil {
			return err
		}
		room, err := voiceRoom(tx, len(in.Voice))
		if err != nil {
			return err
		}
		if !room {
			// The words matter more than the cap: keep the report, and
			// let the caller tell the visitor that the voice was not kept.
			t.VoiceDropped = true
			return nil
		}
		t.HasVoice = true
		return tx.Create(&thresholdVoice{ThresholdID: t.ID, ContentType: in.VoiceType, Data: in.Voice}).Error
	})
	return t, err
}

// VoiceTotal is the number of bytes all kept voice notes take together.
func (s *Store) VoiceTotal(ctx context.Context) (int64, error) {
	var used int64
	err := s.R.WithContext(ctx).Model(&thresholdVoice{}).Select("COALESCE(SUM(LENGTH(data)), 0)").Scan(&used).Error
	return used, err
}

// ThresholdFilter narrows the facilitators' inbox.
type ThresholdFilter struct {
	From, To       string // days, inclusive
	Domain         string
	Problem        string
	OrganisationID int64
	Lang           string
	Help           bool // only reports with follow-up wanted (not yet helped)
	Status         string
	ThemeID        int64
}

// apply narrows q, a query on the thresholds table, to the filter. Every
// column is named with its table: the inbox joins members, whose lang
// (and perhaps more, later) would otherwise be ambiguous.
func (f ThresholdFilter) apply(q *gorm.DB) *gorm.DB {
	if f.From != "" {
		q = q.Where("thresholds.day >= ?", f.From)
	}
	if f.To != "" {
		q = q.Where("thresholds.day <= ?", f.To)
	}
	if f.Domain != "" {
		q = q.Where("thresholds.domain = ?", f.Domain)
	}
	if f.Problem != "" {
		q = q.Where("thresholds.problem = ?", f.Problem)
	}
	if f.OrganisationID != 0 {
		q = q.Where("thresholds.organisation_id = ?", f.OrganisationID)
	}
	if f.Lang != "" {
		q = q.Where("thresholds.lang = ?", f.Lang)
	}
	if f.Help {
		q = q.Where("thresholds.wants_help = ? AND thresholds.helped_at IS NULL", true)
	}
	if f.Status != "" {
		q = q.Where("thresholds.status = ?", f.Status)
	}
	if f.ThemeID != 0 {
		q = q.Where("thresholds.theme_id = ?", f.ThemeID)
	}
	return q
}

// ThresholdRow is a report with the nickname of a member who asked for
// help, and whether it has a voice note.
type ThresholdRow struct {
	Threshold
	Nickname string
	Voice    bool
}

// Thresholds lists reports matching the filter, newest first, with how
// many there are per domain and per problem.
func (s *Store) Thresholds(ctx context.Context, siteID int64, f ThresholdFilter) ([]ThresholdRow, map[string]int, map[string]int, error) {
	var rows []ThresholdRow
	q := f.apply(s.R.WithContext(ctx).Table("thresholds").Where("thresholds.site_id = ?", siteID))
	err := q.Select("thresholds.*, members.nickname, EXISTS (SELECT 1 FROM threshold_voices v WHERE v.threshold_id = thresholds.id) AS voice").Joins("LEFT JOIN members ON members.id = thresholds.member_id").
		Order("thresholds.id DESC").Limit(500).Scan(&rows).Error
	if err != nil {
		return nil, nil, nil, err
	}
	count := func(col string) (map[string]int, error) {
		var cs []struct {
			K string
			N int
		}
		err := f.apply(s.R.WithContext(ctx).Table("thresholds").Where("thresholds.site_id = ?", siteID)).
			Select(col + " AS k, COUNT(*) AS n").Group(col).Scan(&cs).Error
		out := map[string]int{}
		for _, c := range cs {
			out[c.K] = c.N
		}
		return out, err
	}
	byDomain, err := count("domain")
	if err != nil {
		return nil, nil, nil, err
	}
	byProblem, err := count("problem")
	return rows, byDomain, byProblem, err
}

// Threshold loads one report.
func (s *Store) Threshold(ctx context.Context, id int64) (*Threshold, error) {
	var t Threshold
	if err := s.R.WithContext(ctx).Take(&t, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &t, nil
}

// TriageInput is a facilitator's reading of a report.
type TriageInput struct {
	Domain, Problem, Level string
	OrganisationID         *int64
	ThemeID                *int64
	DuplicateOf            *int64
}

// Triage corrects a report's coding, sets its level, and attaches it to a
// theme or marks it as a duplicate of another report.
func (s *Store) Triage(ctx context.Context, id int64, in TriageInput) error {
	if !oneOf(in.Domain, ThresholdDomains) || !oneOf(in.Problem, ThresholdProblems) {
		return &FieldError{"domain", "bad_choice"}
	}
	if in.Level != "" && !oneOf(in.Level, ThresholdLevels) {
		return &FieldError{"level", "bad_choice"}
	}
	if in.DuplicateOf != nil && *in.DuplicateOf == id {
		return &FieldError{"duplicate", "bad_choice"}
	}
	status := "triaged"
	if in.DuplicateOf != nil {
		status = "duplicate"
	}
	res := s.W.WithContext(ctx).Model(&Threshold{}).Where("id = ?", id).Updates(map[string]any{
		"domain": in.Domain, "problem": in.Problem, "level": in.Level, "organisation_id": in.OrganisationID,
		"theme_id": in.ThemeID, "duplicate_of": in.DuplicateOf, "status": status})
	if res.Error == nil && res.RowsAffected == 0 {
		return ErrNotFound
	}
	return res.Error
}

// AskHelp links a report just made at the kiosk to the member who made
// it, because they answered "yes, help me".
func (s *Store) AskHelp(ctx context.Context, id, memberID int64) error {
	res := s.W.WithContext(ctx).Model(&Threshold{}).Where("id = ? AND member_id IS NULL AND helped_at IS NULL", id).
		Updates(map[string]any{"member_id": memberID, "wants_help": true})
	if res.Error == nil && res.RowsAffected == 0 {
		return ErrNotFound
	}
	return res.Error
}

// VoiceNote loads a report's voice note and its type.
func (s *Store) VoiceNote(ctx context.Context, id int64) ([]byte, string, error) {
	var v thresholdVoice
	err := s.R.WithContext(ctx).Take(&v, "threshold_id = ?", id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, "", ErrNotFound
	}
	return v.Data, v.ContentType, err
}

// MarkHelped records that the follow-up asked for is done, and unlinks
// the report from the member: from then on it is anonymous.
func (s *Store) MarkHelped(ctx context.Context, id int64) error {
	res := s.W.WithContext(ctx).Model(&Threshold{}).Where("id = ? AND wants_help = ?", id, true).
		Updates(map[string]any{"helped_at": s.Now(), "member_id": nil})
	if res.Error == nil && res.RowsAffected == 0 {
		return ErrNotFound
	}
	return res.Error
}

// ThemeInput is what the theme editor fills in.
type ThemeInput struct {
	Title, Description, Status, CloseReason, FollowUpOn string
	CourseID                                            *int64
}

func (in ThemeInput) clean() (ThemeInput, error) {
	var err error
	if in.Title, err = requiredText("title", in.Title, 150); err != nil {
		return in, err
	}
	if in.Description, err = cleanLines("description", in.Description, 2000); err != nil {
		return in, err
	}
	if in.Status == "" {
		in.Status = "new"
	}
	if !oneOf(in.Status, ThemeStatuses) {
		return in, &FieldError{"status", "bad_choice"}
	}
	if in.CloseReason, err = cleanText("close_reason", in.CloseReason, 300); err != nil {
		return in, err
	}
	if in.Status == "closed" && in.CloseReason == "" {
		return in, &FieldError{"close_reason", "required"}
	}
	if in.FollowUpOn != "" {
		if _, err := time.Parse(time.DateOnly, in.FollowUpOn); err != nil {
			return in, &FieldError{"follow_up_on", "bad_date"}
		}
	}
	return in, nil
}

// SaveTheme creates (id 0) or changes a theme.
func (s *Store) SaveTheme(ctx context.Context, id, siteID int64, in ThemeInput) (*Theme, error) {
	in, err := in.clean()
	if err != nil {
		return nil, err
	}
	now := s.Now()
	t := &Theme{ID: id, SiteID: siteID, Title: in.Title, Description: in.Description, Status: in.Status,
		CloseReason: in.CloseReason, FollowUpOn: in.FollowUpOn, CourseID: in.CourseID, CreatedAt: now, UpdatedAt: now}
	if id == 0 {
		return t, s.W.WithContext(ctx).Create(t).Error
	}
	res := s.W.WithContext(ctx).Model(&Theme{}).Where("id = ?", id).Updates(map[string]any{
		"title": t.Title, "description": t.Description, "status": t.Status, "close_reason": t.CloseReason,
		"follow_up_on": t.FollowUpOn, "course_id": t.CourseID, "updated_at": now})
	if res.Error == nil && res.RowsAffected == 0 {
		return nil, ErrNotFound
	}
	return t, res.Error
}

// Theme loads one theme.
func (s *Store) Theme(ctx context.Context, id int64) (*Theme, error) {
	var t Theme
	if err := s.R.WithContext(ctx).Take(&t, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &t, nil
}

// ThemeRow is a theme with how many reports it holds.
type ThemeRow struct {
	Theme
	Reports int
}

// Themes lists a site's themes with their report counts, newest first.
func (s *Store) Themes(ctx context.Context, siteID int64) ([]ThemeRow, error) {
	var rows []ThemeRow
	err := s.R.WithContext(ctx).Table("themes").
		Select("themes.*, (SELECT COUNT(*) FROM thresholds WHERE thresholds.theme_id = themes.id) AS reports").
		Where("themes.site_id = ?", siteID).Order("themes.id DESC").Scan(&rows).Error
	return rows, err
}

// SimilarThemes suggests existing themes whose titles share a word with
// the title given, so that duplicates do not grow.
func (s *Store) SimilarThemes(ctx context.Context, siteID int64, title string) ([]Theme, error) {
	var out []Theme
	seen := map[int64]bool{}
	for _, w := range wordsOf(title) {
		var ts []Theme
		if err := s.R.WithContext(ctx).Where("site_id = ? AND LOWER(title) LIKE ? ESCAPE '\\'", siteID, likePattern(w)).Limit(10).Find(&ts).Error; err != nil {
			return nil, err
		}
		for _, t := range ts {
			if !seen[t.ID] {
				seen[t.ID] = true
				out = append(out, t)
			}
		}
	}
	return out, nil
}

// wordsOf keeps the words of four letters or more, lower-cased.
func wordsOf(s string) []string {
	var out []string
	word := []rune{}
	flush := func() {
		if len(word) >= 4 {
			out = append(out, string(word))
		}
		word = word[:0]
	}
	for _, r := range []rune(Fold(s)) {
		if r == ' ' || r == ',' || r == '.' || r == '-' || r == '/' || r == '(' || r == ')' {
			flush()
			continue
		}
		word = append(word, r)
	}
	flush()
	return out
}

// AddSolution records something tried for a theme.
func (s *Store) AddSolution(ctx context.Context, themeID int64, what, triedOn string, people int, result string, by int64) error {
	what, err := requiredText("what", what, 500)
	if err != nil {
		return err
	}
	if _, err := time.Parse(time.DateOnly, triedOn); err != nil {
		return &FieldError{"tried_on", "bad_date"}
	}
	if people < 0 || people > 10000 {
		return &FieldError{"people", "out_of_range"}
	}
	if !oneOf(result, []string{"works", "partly", "not"}) {
		return &FieldError{"result", "bad_choice"}
	}
	return s.W.WithContext(ctx).Create(&Solution{ThemeID: themeID, What: what, TriedOn: triedOn, People: people,
		Result: result, CreatedBy: &by, CreatedAt: s.Now()}).Error
}

// Solutions lists what was tried for a theme, in order.
func (s *Store) Solutions(ctx context.Context, themeID int64) ([]Solution, error) {
	var ss []Solution
	err := s.R.WithContext(ctx).Where("theme_id = ?", themeID).Order("tried_on, id").Find(&ss).Error
	return ss, err
}

// FollowUpsDue lists themes whose follow-up date has come, for the
// dashboard.
func (s *Store) FollowUpsDue(ctx context.Context, site *Site) ([]Theme, error) {
	var ts []Theme
	today := s.Now().In(site.Location()).Format(time.DateOnly)
	err := s.R.WithContext(ctx).Where("site_id = ? AND follow_up_on <> '' AND follow_up_on <= ? AND status <> ?", site.ID, today, "closed").
		Order("follow_up_on").Find(&ts).Error
	return ts, err
}

// Organisations lists the services kept by the facilitators.
func (s *Store) Organisations(ctx context.Context, siteID int64) ([]Organisation, error) {
	var os []Organisation
	err := s.R.WithContext(ctx).Table("organisations").
		Select("organisations.*, EXISTS (SELECT 1 FROM organisation_logos l WHERE l.organisation_id = organisations.id) AS has_logo").
		Where("site_id = ? AND archived_at IS NULL", siteID).Order("name").Scan(&os).Error
	return os, err
}

// AddOrganisation adds a service to the list visitors choose from.
func (s *Store) AddOrganisation(ctx context.Context, siteID int64, name, pictogram string) (*Organisation, error) {
	name, err := requiredText("name", name, 100)
	if err != nil {
		return nil, err
	}
	if pictogram == "" {
		pictogram = "building"
	}
	o := &Organisation{SiteID: siteID, Name: name, Pictogram: pictogram}
	return o, s.W.WithContext(ctx).Create(o).Error
}

// Quote is a visitor's words, cleaned of personal data and approved by a
// facilitator for a partner dossier. Only approved quotes leave Drempel.
type Quote struct {
	ID          int64
	ThresholdID *int64
	ThemeID     int64
	Text        string
	ApprovedBy  *int64
	ApprovedAt  time.Time
}

// ApproveQuote stores the facilitator's cleaned version of a report's
// words as a quote for the theme's dossier.
func (s *Store) ApproveQuote(ctx context.Context, themeID int64, thresholdID *int64, text string, by int64) error {
	text, err := requiredText("quote", text, 500)
	if err != nil {
		return err
	}
	return s.W.WithContext(ctx).Create(&Quote{ThemeID: themeID, ThresholdID: thresholdID, Text: text, ApprovedBy: &by, ApprovedAt: s.Now()}).Error
}

// RemoveQuote withdraws an approved quote.
func (s *Store) RemoveQuote(ctx context.Context, id int64) error {
	return s.W.WithContext(ctx).Delete(&Quote{}, id).Error
}

// Quotes lists a theme's approved quotes.
func (s *Store) Quotes(ctx context.Context, themeID int64) ([]Quote, error) {
	var qs []Quote
	err := s.R.WithContext(ctx).Where("theme_id = ?", themeID).Order("id").Find(&qs).Error
	return qs, err
}

// Dossier is what a partner receives about a theme: counts over a
// period, the splits, the solutions tried and the approved quotes. It
// holds no report's own words.
type Dossier struct {
	Theme     Theme
	From, To  string
	Reports   int
	ByDomain  map[string]int
	ByProblem map[string]int
	ByLevel   map[string]int
	ByMonth   map[string]int
	// ByOrganisation (by name), ByTheme (by title) and ByLang count the
	// reports with one; the threshold export lists them.
	ByOrganisation map[string]int
	ByTheme        map[string]int
	ByLang         map[string]int
	Solutions      []Solution
	Quotes         []Quote
}

// ThemeDossier assembles a theme's dossier for reports between two days.
func (s *Store) ThemeDossier(ctx context.Context, themeID int64, from, to string) (*Dossier, error) {
	t, err := s.Theme(ctx, themeID)
	if err != nil {
		return nil, err
	}
	d := &Dossier{Theme: *t}
	if err := s.fillDossier(ctx, d, "thresholds.theme_id = ?", themeID, from, to); err != nil {
		return nil, err
	}
	if d.Solutions, err = s.Solutions(ctx, themeID); err != nil {
		return nil, err
	}
	d.Quotes, err = s.Quotes(ctx, themeID)
	return d, err
}

// OrganisationDossier assembles the dossier about one organisation: its
// reports, the solutions of the themes they belong to, and the approved
// quotes taken from its reports.
func (s *Store) OrganisationDossier(ctx context.Context, orgID int64, from, to string) (*Dossier, error) {
	var o Organisation
	if err := s.R.WithContext(ctx).Take(&o, orgID).Error; err != nil {
		return nil, notFound(err)
	}
	d := &Dossier{Theme: Theme{Title: o.Name}}
	if err := s.fillDossier(ctx, d, "thresholds.organisation_id = ?", orgID, from, to); err != nil {
		return nil, err
	}
	reports := s.R.Session(&gorm.Session{NewDB: true}).Model(&Threshold{}).Select("id").Where("organisation_id = ?", orgID)
	themes := s.R.Session(&gorm.Session{NewDB: true}).Model(&Threshold{}).Select("theme_id").Where("organisation_id = ? AND theme_id IS NOT NULL", orgID)
	if err := s.R.WithContext(ctx).Where("theme_id IN (?)", themes).Order("tried_on, id").Find(&d.Solutions).Error; err != nil {
		return nil, err
	}
	err := s.R.WithContext(ctx).Where("threshold_id IN (?)", reports).Order("id").Find(&d.Quotes).Error
	return d, err
}

// ThresholdSummary counts a site's reports between two days, as the
// threshold export shows them: the splits of a dossier, and per
// organisation, theme and language. It holds no report's own words; the
// approved quotes of those reports are in Quotes.
func (s *Store) ThresholdSummary(ctx context.Context, siteID int64, from, to string) (*Dossier, error) {
	d := &Dossier{}
	if err := s.fillDossier(ctx, d, "thresholds.site_id = ?", siteID, from, to); err != nil {
		return nil, err
	}
	q := s.R.WithContext(ctx).Table("quotes").Select("quotes.*").
		Joins("JOIN thresholds ON thresholds.id = quotes.threshold_id").Where("thresholds.site_id = ?", siteID)
	if from != "" {
		q = q.Where("thresholds.day >= ?", from)
	}
	if to != "" {
		q = q.Where("thresholds.day <= ?", to)
	}
	err := q.Order("quotes.id").Scan(&d.Quotes).Error
	return d, err
}

// ReportQuotes lists the quotes approved from one report: the only words
// of it that may leave Drempel.
func (s *Store) ReportQuotes(ctx context.Context, thresholdID int64) ([]Quote, error) {
	var qs []Quote
	err := s.R.WithContext(ctx).Where("threshold_id = ?", thresholdID).Order("id").Find(&qs).Error
	return qs, err
}

// fillDossier counts the reports matching where/arg between two days.
func (s *Store) fillDossier(ctx context.Context, d *Dossier, where string, arg any, from, to string) error {
	d.From, d.To = from, to
	d.ByDomain, d.ByProblem, d.ByLevel, d.ByMonth = map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}
	d.ByOrganisation, d.ByTheme, d.ByLang = map[string]int{}, map[string]int{}, map[string]int{}
	var rows []struct {
		Domain, Problem, Level, Day, Lang string
		Organisation, Theme               *string
	}
	q := s.R.WithContext(ctx).Table("thresholds").
		Select("thresholds.domain, thresholds.problem, thresholds.level, thresholds.day, thresholds.lang, organisations.name AS organisation, themes.title AS theme").
		Joins("LEFT JOIN organisations ON organisations.id = thresholds.organisation_id").
		Joins("LEFT JOIN themes ON themes.id = thresholds.theme_id").
		Where(where, arg)
	if from != "" {
		q = q.Where("thresholds.day >= ?", from)
	}
	if to != "" {
		q = q.Where("thresholds.day <= ?", to)
	}
	if err := q.Scan(&rows).Error; err != nil {
		return err
	}
	for _, r := range rows {
		d.Reports++
		d.ByDomain[r.Domain]++
		d.ByProblem[r.Problem]++
		if r.Level != "" {
			d.ByLevel[r.Level]++
		}
		if len(r.Day) >= 7 {
			d.ByMonth[r.Day[:7]]++
		}
		if r.Organisation != nil {
			d.ByOrganisation[*r.Organisation]++
		}
		if r.Theme != nil {
			d.ByTheme[*r.Theme]++
		}
		if r.Lang != "" {
			d.ByLang[r.Lang]++
		}
	}
	return nil
}

// SettingTextRetentionDays is how long visitors' own words (typed and
// spoken) are kept.
const SettingTextRetentionDays = "threshold_text_retention_days"

// PurgeOldWords removes the free text of reports older than the retention
// period (default 6 months), keeping the coded fields. The server runs it
// daily. It returns how many texts it removed.
func (s *Store) PurgeOldWords(ctx context.Context) (int64, error) {
	days := 183
	if v, err := s.Setting(ctx, SettingTextRetentionDays); err == nil && v != "" {
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			days = n
		}
	}
	cut := s.Now().AddDate(0, 0, -days).Format(time.DateOnly)
	var n int64
	err := s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		old := tx.Session(&gorm.Session{NewDB: true}).Model(&Threshold{}).Select("id").Where("day < ?", cut)
		res := tx.Where("threshold_id IN (?)", old).Delete(&thresholdVoice{})
		if res.Error != nil {
			return res.Error
		}
		n = res.RowsAffected
		res = tx.Model(&Threshold{}).Where("day < ? AND text <> ''", cut).Update("text", "")
		n += res.RowsAffected
		return res.Error
	})
	return n, err
}

// Small counts. A count of people or reports that leaves the
// facilitators' own pages (a partner dossier, an export) never shows a
// number from 1 to 4: a count that small can point at one person.

// MaskBelow is the smallest count shown as it is.
const MaskBelow = 5

// MaskedSmall is how a count from 1 to MaskBelow-1 is shown.
const MaskedSmall = "< 5"

// MaskedLarge is how a count of MaskBelow or more is shown when it is
// hidden all the same, so that a small count cannot be worked out from
// it and the total (see MaskCounts).
const MaskedLarge = "≥ 5"

// Masked is a count as it may leave Drempel: 0 stays "0", 1 to 4 are
// "< 5", and the rest are shown as they are.
func Masked(n int) string {
	if n > 0 && n < MaskBelow {
		return MaskedSmall
	}
	return strconv.Itoa(n)
}

// Part is one line of a breakdown: a key (a domain, a month…) and how
// many reports it counts.
type Part struct {
	Key string
	N   int
}

// Breakdown splits a total: its parts add up to the total, or to less
// when some reports have no key (no level yet); the rest is not listed.
type Breakdown struct {
	Parts []Part
	// ByKey keeps the parts in key order (months); otherwise the largest
	// come first.
	ByKey bool
}

// MaskedLine is a part as it is shown.
type MaskedLine struct {
	Key   string
	Count string
}

// MaskedBreakdown is a breakdown as it is shown. Withheld is set when
// even with every count hidden the lines would give a small count away
// (four lines of "< 5" under a total of "< 5" are four 1s): then no line
// is shown.
type MaskedBreakdown struct {
	Lines    []MaskedLine
	Withheld bool
}

// MaskCounts decides how a total and its breakdowns are shown, so that no
// count from 1 to 4 can be read, nor worked out from the others:
//
//   - each count from 1 to 4 shows as "< 5";
//   - the parts of a breakdown add up to the total, so a reader knows the
//     sum of its hidden parts: when that would pin a hidden part down
//     (it is the only one hidden, or all of them must be 1, or all 4),
//     the smallest part still shown is hidden too, as "≥ 5"; with none
//     left, the total is hidden ("≥ 5"), and then, as the total also is
//     the sum of every other breakdown, parts of those are hidden until
//     it cannot be worked out; as a last resort a breakdown is withheld.
//
// Every breakdown is taken to split the whole total: what it leaves out
// (reports with no level yet) counts as known to the reader, which only
// ever hides more. Zero parts are left out. The lines are ordered by
// what they show, never by a hidden count: shown parts largest first,
// then "≥ 5", then "< 5", each by key (or all by key, for ByKey).
func MaskCounts(total int, lists []Breakdown) (string, []MaskedBreakdown) {
	m := masking{total: total, tHidden: total > 0 && total < MaskBelow}
	for _, b := range lists {
		var l mlist
		sum := 0
		for _, p := range b.Parts {
			if p.N <= 0 {
				continue
			}
			sum += p.N
			l.cells = append(l.cells, mcell{key: p.Key, n: p.N, hidden: p.N < MaskBelow})
		}
		l.rest = max(total-sum, 0)
		m.lists = append(m.lists, l)
	}
	for m.protect() {
	}
	out := make([]MaskedBreakdown, len(lists))
	for i, l := range m.lists {
		if l.withheld {
			out[i].Withheld = true
			continue
		}
		cells := append([]mcell(nil), l.cells...)
		rank := func(c mcell) int {
			switch {
			case !c.hidden:
				return 0
			case c.n >= MaskBelow:
				return 1
			}
			return 2
		}
		sort.SliceStable(cells, func(a, b int) bool {
			x, y := cells[a], cells[b]
			if !lists[i].ByKey {
				if rank(x) != rank(y) {
					return rank(x) < rank(y)
				}
				if rank(x) == 0 && x.n != y.n {
					return x.n > y.n
				}
			}
			return x.key < y.key
		})
		for _, c := range cells {
			out[i].Lines = append(out[i].Lines, MaskedLine{Key: c.key, Count: c.text()})
		}
	}
	t := Masked(total)
	if m.tHidden && total >= MaskBelow {
		t = MaskedLarge
	}
	return t, out
}

type mcell struct {
	key    string
	n      int
	hidden bool
}

func (c mcell) text() string {
	if !c.hidden {
		return strconv.Itoa(c.n)
	}
	if c.n < MaskBelow {
		return MaskedSmall
	}
	return MaskedLarge
}

// bounds is what a reader knows of a count: the count itself when it is
// shown, 1 to 4 for "< 5", at least 5 for "≥ 5".
func bounds(n int, hidden bool) (lo, hi int) {
	switch {
	case !hidden:
		return n, n
	case n < MaskBelow:
		return 1, MaskBelow - 1
	}
	return MaskBelow, unbounded
}

const unbounded = 1 << 40

func add(a, b int) int { return min(a+b, unbounded) }

type mlist struct {
	cells    []mcell
	rest     int
	withheld bool
}

// known is the sum of what the list shows, and the bounds of the sum of
// what it hides.
func (l mlist) known() (shown, lo, hi int) {
	shown = l.rest
	for _, c := range l.cells {
		if !c.hidden {
			shown += c.n
			continue
		}
		clo, chi := bounds(c.n, true)
		lo, hi = lo+clo, add(hi, chi)
	}
	return shown, lo, hi
}

// smallestShown is the index of the list's smallest part still shown, or
// -1.
func (l mlist) smallestShown() int {
	at := -1
	for i, c := range l.cells {
		if !c.hidden && (at < 0 || c.n < l.cells[at].n) {
			at = i
		}
	}
	return at
}

type masking struct {
	total   int
	tHidden bool
	lists   []mlist
}

// leak finds a small count that a reader can work out: the list it is in
// (-1 for the total itself), or ok. The reader's knowledge is exact: the
// lists share only the total, so the total lies in the meet of what each
// list allows, and a hidden part in what its list's other parts leave.
func (m *masking) leak() (list int, ok bool) {
	tLo, tHi := m.total, m.total
	if m.tHidden {
		tLo, tHi = bounds(m.total, true)
	}
	for _, l := range m.lists {
		if l.withheld {
			continue
		}
		s, lo, hi := l.known()
		tLo, tHi = max(tLo, s+lo), min(tHi, add(s, hi))
	}
	if m.tHidden && m.total < MaskBelow && tLo == tHi {
		return -1, false
	}
	for li, l := range m.lists {
		if l.withheld {
			continue
		}
		s, lo, hi := l.known()
		for _, c := range l.cells {
			if !c.hidden || c.n >= MaskBelow {
				continue
			}
			clo, chi := bounds(c.n, true)
			// The other hidden parts of the list lie between lo-clo and hi-chi.
			othersLo, othersHi := lo-clo, hi
			if hi < unbounded {
				othersHi = hi - chi
			}
			cLo, cHi := clo, chi
			if othersHi < unbounded {
				cLo = max(cLo, tLo-s-othersHi)
			}
			if tHi < unbounded {
				cHi = min(cHi, tHi-s-othersLo)
			}
			if cLo >= cHi {
				return li, false
			}
		}
	}
	return 0, true
}

// protect hides one more count, or withholds a list, when a small count
// can be worked out; it reports whether it did.
func (m *masking) protect() bool {
	li, ok := m.leak()
	if ok {
		return false
	}
	if li >= 0 {
		if i := m.lists[li].smallestShown(); i >= 0 {
			m.lists[li].cells[i].hidden = true
			return true
		}
	}
	if !m.tHidden {
		m.tHidden = true
		return true
	}
	// The total is hidden but the lists pin it down between them: hide a
	// part of the list that bounds it most closely from above.
	best, bestHi := -1, 0
	for i, l := range m.lists {
		if l.withheld || l.smallestShown() < 0 {
			continue
		}
		s, _, hi := l.known()
		if best < 0 || add(s, hi) < bestHi {
			best, bestHi = i, add(s, hi)
		}
	}
	if best >= 0 {
		l := &m.lists[best]
		l.cells[l.smallestShown()].hidden = true
		return true
	}
	if li < 0 {
		// The total (below 5) is pinned by the number of lines: withhold
		// the longest list.
		for i, l := range m.lists {
			if !l.withheld && (li < 0 || len(l.cells) > len(m.lists[li].cells)) {
				li = i
			}
		}
		if li < 0 {
			return false
		}
	}
	m.lists[li].withheld = true
	return true
}
