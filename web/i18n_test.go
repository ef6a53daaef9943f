package web

import (
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
)

func catalog(t *testing.T, lang string) map[string]string {
	t.Helper()
	b, err := catalogFS.ReadFile("i18n/" + lang + ".toml")
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := toml.Unmarshal(b, &raw); err != nil {
		t.Fatalf("%s: %v", lang, err)
	}
	out := map[string]string{}
	for k, v := range raw {
		switch v := v.(type) {
		case string:
			out[k] = v
		case map[string]any: // plural forms
			var parts []string
			for form, s := range v {
				parts = append(parts, form+"="+s.(string))
			}
			sort.Strings(parts)
			out[k] = strings.Join(parts, "|")
		}
	}
	return out
}

var placeholderRe = regexp.MustCompile(`\{\{\s*\.[A-Za-z]+\s*\}\}`)

func placeholders(s string) string {
	ps := placeholderRe.FindAllString(s, -1)
	sort.Strings(ps)
	return strings.Join(slicesCompact(ps), ",")
}

func slicesCompact(s []string) []string {
	var out []string
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// Every catalog has every message its area needs, with the same
// placeholders as English, and no message English does not have.
func TestCatalogsAreComplete(t *testing.T) {
	en, nl := catalog(t, "en"), catalog(t, "nl")
	var kiosk int
	for _, l := range Languages {
		if !l.Kiosk && !l.Admin {
			continue
		}
		if l.Kiosk {
			kiosk++
		}
		cat := catalog(t, l.Code)
		// Dutch is the reference: a kiosk language has every kiosk message
		// the Dutch catalog has, whatever English says.
		for id := range nl {
			if _, ok := cat[id]; !ok && l.Kiosk && IsKioskMessage(id) {
				t.Errorf("%s lacks %s, which nl has", l.Code, id)
			}
		}
		for id, msg := range en {
			need := l.Admin
			got, ok := cat[id]
			if !ok {
				if need {
					t.Errorf("%s lacks %s", l.Code, id)
				}
				continue
			}
			if placeholders(got) != placeholders(msg) {
				t.Errorf("%s %s: placeholders %q, English has %q", l.Code, id, placeholders(got), placeholders(msg))
			}
		}
		for id := range cat {
			if _, ok := en[id]; !ok {
				t.Errorf("%s has %s, which English lacks (a typo?)", l.Code, id)
			}
		}
	}
	// The visitors Drempel is for speak at least these (../shared/brief.md).
	for _, code := range []string{"nl", "fr", "en", "ar", "ti", "prs", "fa", "uk", "ro", "tr", "so"} {
		if l, ok := LookupLanguage(code); !ok || !l.Kiosk {
			t.Errorf("the kiosk does not speak %s", code)
		}
	}
	for _, code := range []string{"ar", "prs", "fa"} {
		if l, _ := LookupLanguage(code); !l.RTL {
			t.Errorf("%s must be right to left", code)
		}
	}
}

func TestPluralsFollowEachLanguage(t *testing.T) {
	x, err := NewI18n(time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		lang  string
		count int
		want  string
	}{
		{"en", 1, "1 member"}, {"en", 2, "2 members"}, {"en", 0, "0 members"},
		{"nl", 1, "1 lid"}, {"nl", 5, "5 leden"},
		{"fr", 0, "0 membre"}, {"fr", 1, "1 membre"}, {"fr", 2, "2 membres"},
	}
	for _, c := range cases {
		if got := x.Loc(c.lang, "en").N("admin.members.count", c.count); got != c.want {
			t.Errorf("%s %d: got %q, want %q", c.lang, c.count, got, c.want)
		}
	}
}

func TestLocFallsBackAndKeepsTimeZone(t *testing.T) {
	tz, _ := time.LoadLocation("Europe/Brussels")
	x, err := NewI18n(tz)
	if err != nil {
		t.Fatal(err)
	}
	// A language Drempel does not know: the kiosk's default language speaks.
	l := x.Loc("xx", "nl")
	if got, want := l.T("kiosk.idle.title"), nlMessage(t, "kiosk.idle.title"); got != want {
		t.Errorf("fallback: %q, want %q", got, want)
	}
	// A staff message in a kiosk-only language falls back (go-i18n takes
	// the bundle's language, English, once a catalog matched) rather than
	// showing its id.
	if got := x.Loc("ti", "nl").T("admin.nav.members"); got == "admin.nav.members" || got == "" {
		t.Errorf("admin fallback: %q", got)
	}
	if got := x.Loc("nl", "nl").T("no.such.message"); got != "no.such.message" {
		t.Errorf("a missing message should show its id, got %q", got)
	}
	// 23:30 UTC on the last Saturday of March is 00:30 summer time.
	if got := l.DateTime(time.Date(2026, 3, 28, 23, 30, 0, 0, time.UTC)); got != "29/03/2026 00:30" {
		t.Errorf("Brussels time: %q", got)
	}
	if got := Negotiate("fr-BE,fr;q=0.9,en;q=0.8", AdminLanguages(), "nl"); got != "fr" {
		t.Errorf("negotiate: %q", got)
	}
	if got := Negotiate("garbage;;;", AdminLanguages(), "nl"); got != "nl" {
		t.Errorf("negotiate garbage: %q", got)
	}
}

func nlMessage(t *testing.T, id string) string {
	t.Helper()
	s, ok := catalog(t, "nl")[id]
	if !ok {
		t.Fatalf("nl lacks %s", id)
	}
	return s
}

// A correction made on the Kiosk words page wins over the catalog, with
// its placeholders filled, and is forgotten when removed.
func TestOverridesWinOverCatalogs(t *testing.T) {
	x, err := NewI18n(time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	l := x.Loc("ti", "nl")
	before := l.T("kiosk.home.greeting", "Name", "ዮናስ")
	x.SetOverrides(map[string]map[string]string{"ti": {"kiosk.home.greeting": "ሰላም {{.Name}}"}})
	if got := l.T("kiosk.home.greeting", "Name", "ዮናስ"); got != "ሰላም ዮናስ" {
		t.Errorf("override: %q", got)
	}
	if got := x.Loc("nl", "nl").T("kiosk.home.greeting", "Name", "Jan"); got == "ሰላም Jan" {
		t.Error("an override for ti changed nl")
	}
	x.SetOverrides(map[string]map[string]string{"ti": {"kiosk.lab.free": "{{.Count}} ነጻ ኮምፒተር"}})
	if got := l.N("kiosk.lab.free", 3); got != "3 ነጻ ኮምፒተር" {
		t.Errorf("a corrected plural message: %q", got)
	}
	x.SetOverrides(nil)
	if got := l.T("kiosk.home.greeting", "Name", "ዮናስ"); got != before {
		t.Errorf("after removing the override: %q, want %q", got, before)
	}
}
