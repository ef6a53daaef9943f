// Package fonts owns the typefaces Drempel ships: Noto Sans (Latin, Greek,
// Cyrillic), Noto Sans Arabic (Arabic, Persian, Dari) and Noto Sans
// Ethiopic (Tigrinya), regular and bold, under the SIL Open Font License
// (the OFL-*.txt files beside them).
//
// A kiosk PC may have no font for Ge'ez or Arabic at all, so the pages
// load these as web fonts, and the printouts embed them: a Tigrinya
// nickname shows and prints on any machine. The files are byte-for-byte
// those of the npm packages @expo-google-fonts/noto-sans@0.4.2,
// noto-sans-arabic@0.4.3 and noto-sans-ethiopic@0.4.2 (see SOURCES);
// web/e2e checks that they still are. They are committed rather than
// fetched at build time because `go run ./cmd/drempel` must work on a
// fresh clone with no npm step.
package fonts

import (
	"embed"
	"strings"
)

// FS holds the font files, their licences and SOURCES.
//
//go:embed *.ttf OFL-*.txt SOURCES
var FS embed.FS

// Sum is a font file's sha256 (hex) as SOURCES lists it: pages name the
// fonts by it without reading 2 MB at every start. A test checks that it
// is the files' own.
func Sum(file string) (string, bool) {
	b, err := FS.ReadFile("SOURCES")
	if err != nil {
		return "", false
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) == 4 && f[0] == file {
			return f[3], true
		}
	}
	return "", false
}

// Face is one embedded font file.
type Face struct {
	File   string // name in FS
	Family string // CSS family name
	Bold   bool
}

// Faces are the shipped fonts, Latin first: a renderer that picks the
// first face with a glyph gets Noto Sans for digits and punctuation.
var Faces = []Face{
	{"NotoSans_400Regular.ttf", "Noto Sans", false},
	{"NotoSans_700Bold.ttf", "Noto Sans", true},
	{"NotoSansArabic_400Regular.ttf", "Noto Sans Arabic", false},
	{"NotoSansArabic_700Bold.ttf", "Noto Sans Arabic", true},
	{"NotoSansEthiopic_400Regular.ttf", "Noto Sans Ethiopic", false},
	{"NotoSansEthiopic_700Bold.ttf", "Noto Sans Ethiopic", true},
}
