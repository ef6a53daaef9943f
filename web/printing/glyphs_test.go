package printing

import (
	"os"
	"path/filepath"
	"testing"
	"unicode"

	"github.com/BurntSushi/toml"

	"github.com/drempel/drempel/store"
)

// TestEveryPrintedCharacterHasAGlyph: every character of every catalog,
// in every kiosk language, and the masked figures' signs, resolve to a
// font that draws them. A character no embedded font has prints as an
// empty box; "≥ 5" did, in the figures PDF and partner dossiers.
func TestEveryPrintedCharacterHasAGlyph(t *testing.T) {
	files, err := filepath.Glob("../i18n/*.toml")
	if err != nil || len(files) < 11 {
		t.Fatalf("catalogs: %v (%d files)", err, len(files))
	}
	texts := []string{store.MaskedSmall, store.MaskedLarge, store.HiddenValue}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var cat map[string]any
		if err := toml.Unmarshal(data, &cat); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		var walk func(v any)
		walk = func(v any) {
			switch x := v.(type) {
			case string:
				texts = append(texts, x)
			case map[string]any:
				for _, y := range x {
					walk(y)
				}
			}
		}
		walk(cat)
	}
	doc := newPDFDoc("glyphs")
	ts, err := newTypesetter(doc, "")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[rune]bool{}
	for _, bold := range []bool{false, true} {
		m := &fontmap{ts: ts, st: style{bold: bold}}
		for _, s := range texts {
			for _, r := range s {
				if seen[r] || unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
					continue
				}
				if _, ok := m.ResolveFace(r).NominalGlyph(r); !ok {
					t.Errorf("no font draws %q (U+%04X, bold %v)", r, r, bold)
					seen[r] = true
				}
			}
		}
	}
}
