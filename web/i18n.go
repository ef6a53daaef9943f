package web

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed i18n/*.toml
var catalogFS embed.FS

// Language is a language a visitor or staff member can choose.
type Language struct {
	Code    string
	Endonym string // the language's own name for itself
	RTL     bool
	Kiosk   bool // the kiosk has a full catalog
	Admin   bool // the admin panel has a full catalog
}

// Dir is the value of the html dir attribute.
func (l Language) Dir() string {
	if l.RTL {
		return "rtl"
	}
	return "ltr"
}

// Languages are the languages Drempel knows, in the order they are offered.
// The kiosk speaks all of them; the admin panel speaks those marked Admin
// (a staff message in a kiosk-only language falls back to the default).
var Languages = []Language{
	{Code: "nl", Endonym: "Nederlands", Kiosk: true, Admin: true},
	{Code: "fr", Endonym: "Français", Kiosk: true, Admin: true},
	{Code: "en", Endonym: "English", Kiosk: true, Admin: true},
	{Code: "ar", Endonym: "العربية", RTL: true, Kiosk: true},
	{Code: "ti", Endonym: "ትግርኛ", Kiosk: true},
	{Code: "prs", Endonym: "دری", RTL: true, Kiosk: true},
	{Code: "fa", Endonym: "فارسی", RTL: true, Kiosk: true},
	{Code: "uk", Endonym: "Українська", Kiosk: true},
	{Code: "ro", Endonym: "Română", Kiosk: true},
	{Code: "tr", Endonym: "Türkçe", Kiosk: true},
	{Code: "so", Endonym: "Soomaali", Kiosk: true},
}

// LookupLanguage finds a language by code.
func LookupLanguage(code string) (Language, bool) {
	for _, l := range Languages {
		if l.Code == code {
			return l, true
		}
	}
	return Language{}, false
}

// KioskLanguages and AdminLanguages are the languages with a full catalog.
func KioskLanguages() []Language { return filterLangs(func(l Language) bool { return l.Kiosk }) }

// AdminLanguages are the languages the admin panel speaks.
func AdminLanguages() []Language { return filterLangs(func(l Language) bool { return l.Admin }) }

func filterLangs(keep func(Language) bool) []Language {
	var out []Language
	for _, l := range Languages {
		if keep(l) {
			out = append(out, l)
		}
	}
	return out
}

// I18n holds the parsed catalogs and one localizer per language.
type I18n struct {
	bundle *i18n.Bundle
	mu     sync.RWMutex
	locs   map[string]*Loc
	tz     *time.Location
	// over holds the corrections staff made on the Kiosk words page,
	// language → message id → text; they win over the catalogs.
	over map[string]map[string]string
	// nl is the ids of the default catalog, the reference for the others.
	nl map[string]bool
	// templates are each catalog's messages as written: lang → id → words.
	templates map[string]map[string]string
	voice     Voice
}

// SetOverrides replaces the staff's corrections (language → message id →
// text) and forgets every translated message kept so far, so the next
// page shows the corrected words.
func (x *I18n) SetOverrides(m map[string]map[string]string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.over = m
	for _, l := range x.locs {
		l.mu.Lock()
		l.cache = map[string]string{}
		l.over = m[l.Lang.Code]
		l.changes++
		l.mu.Unlock()
	}
}

// MessageTemplate is a catalog's own words for id in lang as written,
// placeholders ({{.Name}}) included, without corrections or fallbacks; a
// message with plural forms gives its "other" form. The Kiosk words page
// and the voice studio show them as a translator writes them.
func (x *I18n) MessageTemplate(lang, id string) (string, bool) {
	s, ok := x.templates[lang][id]
	return s, ok && s != ""
}

// NewI18n loads the embedded catalogs. A catalog that does not parse
// fails the start, not a page in front of a visitor.
func NewI18n(tz *time.Location) (*I18n, error) {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	files, err := fs.Glob(catalogFS, "i18n/*.toml")
	if err != nil {
		return nil, err
	}
	nl, templates := map[string]bool{}, map[string]map[string]string{}
	for _, f := range files {
		data, err := catalogFS.ReadFile(f)
		if err != nil {
			return nil, err
		}
		mf, err := b.ParseMessageFileBytes(data, catalogTag(strings.TrimSuffix(path.Base(f), ".toml"))+".toml")
		if err != nil {
			return nil, fmt.Errorf("catalog %s: %w", f, err)
		}
		lang := strings.TrimSuffix(path.Base(f), ".toml")
		templates[lang] = map[string]string{}
		for _, m := range mf.Messages {
			templates[lang][m.ID] = m.Other
			if lang == "nl" {
				nl[m.ID] = true
			}
		}
	}
	if tz == nil {
		tz = time.UTC
	}
	return &I18n{bundle: b, locs: map[string]*Loc{}, tz: tz, nl: nl, templates: templates}, nil
}

// Loc returns the localizer for a language code, falling back to fallback
// (and then English) for messages the language lacks, showing times in
// the default time zone (pages without a site: sign-in, errors).
func (x *I18n) Loc(code, fallback string) *Loc { return x.LocIn(code, fallback, nil) }

// LocIn is Loc showing times in a site's time zone.
func (x *I18n) LocIn(code, fallback string, tz *time.Location) *Loc {
	if tz == nil {
		tz = x.tz
	}
	key := code + "|" + fallback + "|" + tz.String()
	x.mu.RLock()
	l := x.locs[key]
	x.mu.RUnlock()
	if l != nil {
		return l
	}
	lang, ok := LookupLanguage(code)
	if !ok {
		lang, _ = LookupLanguage(fallback)
	}
	x.mu.Lock()
	l = &Loc{Lang: lang, loc: i18n.NewLocalizer(x.bundle, catalogTag(code), catalogTag(fallback), "en"), tz: tz, cache: map[string]string{},
		over: x.over[lang.Code], voice: x.voice}
	x.locs[key] = l
	x.mu.Unlock()
	return l
}

// Loc translates for one language. Templates call its methods.
type Loc struct {
	Lang  Language
	loc   *i18n.Localizer
	tz    *time.Location
	mu    sync.RWMutex
	cache map[string]string // messages without arguments
	over  map[string]string // staff corrections, see I18n.SetOverrides
	voice Voice
	// changes counts the corrections and voices installed since it was
	// made (see Version).
	changes uint64
}

// Versioned is a Voice whose sounds may change while the server runs (a
// volunteer records a prompt): Version then changes, and only then.
type Versioned interface {
	Version() uint64
}

// Version changes whenever the words or sounds of this Loc may have
// changed: staff corrected a message, a voice was installed or recorded
// a prompt. Whoever keeps what a Loc wrote keys it by Version. (Both
// counts only grow, so their sum does too.)
func (l *Loc) Version() uint64 {
	l.mu.RLock()
	n, v := l.changes, l.voice
	l.mu.RUnlock()
	if vv, ok := v.(Versioned); ok {
		n += vv.Version()
	}
	return n
}

// T translates a message; args are name/value pairs for its template.
func (l *Loc) T(id string, args ...any) string {
	l.mu.RLock()
	s, ok := l.cache[id]
	fix, fixed := l.over[id]
	l.mu.RUnlock()
	if ok && len(args) == 0 {
		return s
	}
	var err error
	if fixed {
		// A correction is a template like the catalog's own message.
		s, err = i18n.NewMessageTemplate(&i18n.Message{ID: id, Other: fix}).Execute("other", pairs(args), nil)
	} else {
		s, err = l.loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: pairs(args)})
	}
	if err != nil && s == "" {
		// A missing message shows its id, which a test will catch,
		// rather than an empty button.
		return id
	}
	if len(args) == 0 {
		l.mu.Lock()
		l.cache[id] = s
		l.mu.Unlock()
	}
	return s
}

// N translates a message with plural forms for count.
func (l *Loc) N(id string, count int, args ...any) string {
	data := pairs(args)
	data["Count"] = count
	l.mu.RLock()
	fix, fixed := l.over[id]
	l.mu.RUnlock()
	var s string
	var err error
	if fixed {
		// A correction is one text for every count ("{{.Count}} free"):
		// the Kiosk words page edits a message as a translator reads it.
		s, err = i18n.NewMessageTemplate(&i18n.Message{ID: id, Other: fix}).Execute("other", data, nil)
	} else {
		s, err = l.loc.Localize(&i18n.LocalizeConfig{MessageID: id, PluralCount: count, TemplateData: data})
	}
	if err != nil && s == "" {
		return id
	}
	return s
}

// Has reports whether a message exists in the language or its fallbacks.
func (l *Loc) Has(id string) bool {
	_, err := l.loc.Localize(&i18n.LocalizeConfig{MessageID: id})
	return err == nil
}

func pairs(args []any) map[string]any {
	m := make(map[string]any, len(args)/2+1)
	for i := 0; i+1 < len(args); i += 2 {
		m[fmt.Sprint(args[i])] = args[i+1]
	}
	return m
}

// Time shows a time of day in the site's time zone.
func (l *Loc) Time(t time.Time) string { return t.In(l.tz).Format("15:04") }

// Date shows a date in the site's time zone, day first as in Belgium.
func (l *Loc) Date(t time.Time) string { return t.In(l.tz).Format("02/01/2006") }

// DateTime shows a date and time in the site's time zone.
func (l *Loc) DateTime(t time.Time) string { return t.In(l.tz).Format("02/01/2006 15:04") }

// DayName is the weekday of t in the site's time zone.
func (l *Loc) DayName(t time.Time) string {
	return l.T(fmt.Sprintf("weekday.%d", int(t.In(l.tz).Weekday())))
}

// DayMonth shows a day and month, the Belgian way: 27/3.
func (l *Loc) DayMonth(t time.Time) string { return t.In(l.tz).Format("2/1") }

// Field translates a field error code for a field.
func (l *Loc) Field(field, code string) string {
	if id := "error." + field + "." + code; l.Has(id) {
		return l.T(id)
	}
	return l.T("error."+code, "Field", l.T("field."+field))
}

// Negotiate picks the best catalog language from an Accept-Language header.
func Negotiate(header string, langs []Language, fallback string) string {
	tags, _, err := language.ParseAcceptLanguage(header)
	if err != nil {
		return fallback
	}
	for _, t := range tags {
		base, _ := t.Base()
		for _, l := range langs {
			if strings.EqualFold(base.String(), l.Code) {
				return l.Code
			}
		}
	}
	return fallback
}

// catalogTag is the language tag a catalog is loaded under. go-i18n has no
// plural rule for "prs" (Dari), so Dari is loaded as "fa-AF", Persian as
// written in Afghanistan (CLDR's alias for prs), which has Persian's rule.
func catalogTag(code string) string {
	if code == "prs" {
		return "fa-AF"
	}
	return code
}
