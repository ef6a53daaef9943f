package store

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// The kiosk's words and voice: staff corrections of the kiosk messages per
// language (kiosk_words), and the prompts volunteers recorded in the voice
// studio (voice_prompts). Both are public words, never personal data.

// KioskWord is a staff member's correction, or review mark, of one kiosk
// message in one language. Text "" keeps the catalog's own words.
type KioskWord struct {
	ID        int64
	Lang      string
	MsgID     string
	Text      string
	Reviewed  bool
	UpdatedAt time.Time
	UpdatedBy *int64
}

// TableName names the table of corrections.
func (KioskWord) TableName() string { return "kiosk_words" }

// KioskWordInput is one correction to save or import.
type KioskWordInput struct {
	Lang     string
	MsgID    string
	Text     string // "" for no correction: the catalog's words
	Reviewed bool
}

// WordCheck is the caller's knowledge of the catalogs: it refuses a
// message id that is not a kiosk message, a language the kiosk does not
// speak, or a text whose placeholders ({{.Name}}) differ from Dutch.
// A refusal is best a *FieldError, which the pages can translate.
type WordCheck func(lang, msgID, text string) error

// MaxWordRunes bounds a corrected message.
const MaxWordRunes = 1000

var msgIDRe = regexp.MustCompile(`^[a-z0-9_]+(\.[a-z0-9_]+)+$`)

func (in KioskWordInput) clean(check WordCheck) (KioskWordInput, error) {
	var err error
	if in.Lang, err = validLang("lang", in.Lang); err != nil {
		return in, err
	}
	if len(in.MsgID) > 100 || !msgIDRe.MatchString(in.MsgID) {
		return in, &FieldError{"msg_id", "bad_choice"}
	}
	if in.Text, err = cleanText("text", in.Text, MaxWordRunes); err != nil {
		return in, err
	}
	if check != nil {
		if err := check(in.Lang, in.MsgID, in.Text); err != nil {
			return in, err
		}
	}
	return in, nil
}

// KioskWords lists the corrections and review marks of one language.
func (s *Store) KioskWords(ctx context.Context, lang string) ([]KioskWord, error) {
	var out []KioskWord
	err := s.R.WithContext(ctx).Where("lang = ?", searchText(lang, 10)).Order("msg_id").Find(&out).Error
	return out, err
}

// AllKioskWords lists every correction and review mark, for an export.
func (s *Store) AllKioskWords(ctx context.Context) ([]KioskWord, error) {
	var out []KioskWord
	err := s.R.WithContext(ctx).Order("lang, msg_id").Find(&out).Error
	return out, err
}

// KioskWordOverrides is every correction as language → message id →
// text, the shape web.I18n.SetOverrides takes. Review marks without a
// correction are left out.
func (s *Store) KioskWordOverrides(ctx context.Context) (map[string]map[string]string, error) {
	var rows []KioskWord
	if err := s.R.WithContext(ctx).Where("text <> ''").Find(&rows).Error; err != nil {
		return nil, err
	}
	m := map[string]map[string]string{}
	for _, r := range rows {
		if m[r.Lang] == nil {
			m[r.Lang] = map[string]string{}
		}
		m[r.Lang][r.MsgID] = r.Text
	}
	return m, nil
}

// SaveKioskWord stores a correction and its review mark; with no text
// and no review mark nothing is kept, as after DeleteKioskWord.
func (s *Store) SaveKioskWord(ctx context.Context, in KioskWordInput, check WordCheck, by int64) error {
	in, err := in.clean(check)
	if err != nil {
		return err
	}
	return saveWord(s.W.WithContext(ctx), in, by, s.Now())
}

func saveWord(tx *gorm.DB, in KioskWordInput, by int64, now time.Time) error {
	if in.Text == "" && !in.Reviewed {
		return tx.Where("lang = ? AND msg_id = ?", in.Lang, in.MsgID).Delete(&KioskWord{}).Error
	}
	w := KioskWord{Lang: in.Lang, MsgID: in.MsgID, Text: in.Text, Reviewed: in.Reviewed,
		UpdatedAt: now.Truncate(time.Microsecond), UpdatedBy: userRef(by)}
	return tx.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "lang"}, {Name: "msg_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"text", "reviewed", "updated_at", "updated_by"}),
	}).Create(&w).Error
}

// DeleteKioskWord forgets a correction and its review mark: the kiosk
// speaks the catalog's words again.
func (s *Store) DeleteKioskWord(ctx context.Context, lang, msgID string) error {
	return s.W.WithContext(ctx).Where("lang = ? AND msg_id = ?", searchText(lang, 10), searchText(msgID, 100)).
		Delete(&KioskWord{}).Error
}

// MaxImportEntries bounds one import of words or prompts.
const MaxImportEntries = 20000

// ImportKioskWords saves every entry, all or none: the first wrong entry
// refuses the whole import with an *ImportError naming it (Row counts
// from 1). Entries replace the corrections they name; others stay.
func (s *Store) ImportKioskWords(ctx context.Context, ins []KioskWordInput, check WordCheck, by int64) (int, error) {
	if len(ins) == 0 || len(ins) > MaxImportEntries {
		return 0, &ImportError{0, &FieldError{"file", "out_of_range"}}
	}
	seen := make(map[[2]string]bool, len(ins))
	for i := range ins {
		var err error
		if ins[i], err = ins[i].clean(check); err != nil {
			return 0, &ImportError{i + 1, err}
		}
		k := [2]string{ins[i].Lang, ins[i].MsgID}
		if seen[k] {
			return 0, &ImportError{i + 1, &FieldError{"msg_id", "taken"}}
		}
		seen[k] = true
	}
	now := s.Now()
	err := s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for i, in := range ins {
			if err := saveWord(tx, in, by, now); err != nil {
				return &ImportError{i + 1, err}
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(ins), nil
}

// VoicePrompt is one recorded prompt: a volunteer saying a kiosk message,
// a time or a day number in one language. Text is the words as they were
// when recorded, so that a changed text asks for a new recording.
type VoicePrompt struct {
	ID        int64
	Lang      string
	PromptKey string
	Text      string
	Mime      string
	Audio     []byte
	Size      int
	UpdatedAt time.Time
	UpdatedBy *int64
}

// TableName names the table of recordings.
func (VoicePrompt) TableName() string { return "voice_prompts" }

// Version changes whenever the recording does: the kiosk's URL carries
// it, so browsers may keep a recording as long as they like.
func (p VoicePrompt) Version() int64 { return p.UpdatedAt.UnixMicro() }

// VoicePromptInput is a recording to save or import.
type VoicePromptInput struct {
	Lang  string
	Key   string
	Text  string
	Mime  string
	Audio []byte
}

// MaxPromptAudio is the largest recording kept: a prompt is a few
// seconds of speech.
const MaxPromptAudio = 1 << 20

// PromptMimes are the kinds of sound a recording may be.
var PromptMimes = []string{"audio/webm", "audio/ogg", "audio/mp4", "audio/mpeg", "audio/wav"}

var promptKeyRe = regexp.MustCompile(`^[A-Za-z0-9_]+([.:-][A-Za-z0-9_]+)*$`)

// ValidPromptKey reports whether key can name a prompt (and sit in a URL
// path as it is).
func ValidPromptKey(key string) bool { return len(key) <= 100 && promptKeyRe.MatchString(key) }

func (in VoicePromptInput) clean() (VoicePromptInput, error) {
	var err error
	if in.Lang, err = validLang("lang", in.Lang); err != nil {
		return in, err
	}
	if !ValidPromptKey(in.Key) {
		return in, &FieldError{"key", "bad_choice"}
	}
	if in.Text, err = cleanText("text", in.Text, MaxWordRunes); err != nil {
		return in, err
	}
	ok := false
	for _, m := range PromptMimes {
		ok = ok || in.Mime == m
	}
	if !ok {
		return in, &FieldError{"audio", "bad_choice"}
	}
	if len(in.Audio) == 0 {
		return in, &FieldError{"audio", "required"}
	}
	if len(in.Audio) > MaxPromptAudio {
		return in, &FieldError{"audio", "too_long"}
	}
	return in, nil
}

// SaveVoicePrompt keeps a recording, replacing the one it follows.
func (s *Store) SaveVoicePrompt(ctx context.Context, in VoicePromptInput, by int64) (*VoicePrompt, error) {
	in, err := in.clean()
	if err != nil {
		return nil, err
	}
	return savePrompt(s.W.WithContext(ctx), in, by, s.Now())
}

func savePrompt(tx *gorm.DB, in VoicePromptInput, by int64, now time.Time) (*VoicePrompt, error) {
	p := VoicePrompt{Lang: in.Lang, PromptKey: in.Key, Text: in.Text, Mime: in.Mime, Audio: in.Audio,
		Size: len(in.Audio), UpdatedAt: now.Truncate(time.Microsecond), UpdatedBy: userRef(by)}
	err := tx.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "lang"}, {Name: "prompt_key"}},
		DoUpdates: clause.AssignmentColumns([]string{"text", "mime", "audio", "size", "updated_at", "updated_by"}),
	}).Create(&p).Error
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// VoicePrompt loads one recording with its sound.
func (s *Store) VoicePrompt(ctx context.Context, lang, key string) (*VoicePrompt, error) {
	if !langRe.MatchString(lang) || !ValidPromptKey(key) {
		return nil, ErrNotFound
	}
	var p VoicePrompt
	err := s.R.WithContext(ctx).Where("lang = ? AND prompt_key = ?", lang, key).Take(&p).Error
	if err != nil {
		return nil, notFound(err)
	}
	return &p, nil
}

// DeleteVoicePrompt removes a recording; ErrNotFound when there is none.
func (s *Store) DeleteVoicePrompt(ctx context.Context, lang, key string) error {
	res := s.W.WithContext(ctx).Where("lang = ? AND prompt_key = ?", searchText(lang, 10), searchText(key, 100)).
		Delete(&VoicePrompt{})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}

// promptColumns are a recording's columns without its sound.
var promptColumns = []string{"id", "lang", "prompt_key", "text", "mime", "size", "updated_at", "updated_by"}

// VoicePrompts lists the recordings of a language ("" for every
// language), without their sound.
func (s *Store) VoicePrompts(ctx context.Context, lang string) ([]VoicePrompt, error) {
	q := s.R.WithContext(ctx).Select(promptColumns).Order("lang, prompt_key")
	if lang != "" {
		q = q.Where("lang = ?", searchText(lang, 10))
	}
	var out []VoicePrompt
	err := q.Find(&out).Error
	return out, err
}

// ExportVoicePrompts hands every recording of a language ("" for all),
// with its sound, to fn, one at a time so that a large voice pack never
// sits in memory whole.
func (s *Store) ExportVoicePrompts(ctx context.Context, lang string, fn func(VoicePrompt) error) error {
	list, err := s.VoicePrompts(ctx, lang)
	if err != nil {
		return err
	}
	for _, p := range list {
		full, err := s.VoicePrompt(ctx, p.Lang, p.PromptKey)
		if errors.Is(err, ErrNotFound) {
			continue // deleted meanwhile
		}
		if err != nil {
			return err
		}
		if err := fn(*full); err != nil {
			return err
		}
	}
	return nil
}

// ImportVoicePrompts saves every recording of a voice pack, all or none;
// the first wrong entry refuses the import with an *ImportError naming
// it. A recording replaces the one of the same language and key.
func (s *Store) ImportVoicePrompts(ctx context.Context, ins []VoicePromptInput, by int64) (int, error) {
	if len(ins) == 0 || len(ins) > MaxImportEntries {
		return 0, &ImportError{0, &FieldError{"file", "out_of_range"}}
	}
	seen := make(map[[2]string]bool, len(ins))
	for i := range ins {
		var err error
		if ins[i], err = ins[i].clean(); err != nil {
			return 0, &ImportError{i + 1, err}
		}
		k := [2]string{ins[i].Lang, ins[i].Key}
		if seen[k] {
			return 0, &ImportError{i + 1, &FieldError{"key", "taken"}}
		}
		seen[k] = true
	}
	now := s.Now()
	err := s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for i, in := range ins {
			if _, err := savePrompt(tx, in, by, now); err != nil {
				return &ImportError{i + 1, fmt.Errorf("save: %w", err)}
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(ins), nil
}

// userRef is a nullable reference to the staff member who made a change.
func userRef(by int64) *int64 {
	if by <= 0 {
		return nil
	}
	return &by
}
