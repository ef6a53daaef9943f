package store_test

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/drempel/drempel/store"
)

// hidden reports a character no form field may keep: a control character
// (but a line break or a tab in a text of several lines), or a bidi
// override or isolate, which could make a name render as another.
func hidden(r rune, lines bool) bool {
	if lines && (r == '\n' || r == '\t') {
		return false
	}
	return unicode.IsControl(r) || (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
}

// visible reports a character that shows: a letter, digit, punctuation
// or symbol that is not one of those that render as nothing (the Hangul
// fillers, for one).
func visible(r rune) bool {
	return unicode.In(r, unicode.L, unicode.N, unicode.P, unicode.S) && !unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r)
}

// checkClean holds what every cleaned field is: valid UTF-8, trimmed, at
// most max characters, nothing hidden in it; or a refusal that names the
// field with one of the codes the pages translate.
func checkClean(t *testing.T, what, in, out string, err error, max int, lines bool, codes ...string) bool {
	t.Helper()
	if err != nil {
		fe, ok := store.AsFieldError(err)
		if !ok || fe.Field != "f" {
			t.Fatalf("%s(%q): %v is not a field error of field f", what, in, err)
		}
		for _, c := range codes {
			if fe.Code == c {
				return false
			}
		}
		t.Fatalf("%s(%q): unexpected code %q", what, in, fe.Code)
	}
	if !utf8.ValidString(out) {
		t.Fatalf("%s(%q) = %q: not UTF-8", what, in, out)
	}
	if n := utf8.RuneCountInString(out); n > max {
		t.Fatalf("%s(%q) = %q: %d characters, more than %d", what, in, out, n, max)
	}
	if strings.TrimSpace(out) != out {
		t.Fatalf("%s(%q) = %q: not trimmed", what, in, out)
	}
	for _, r := range out {
		if hidden(r, lines) {
			t.Fatalf("%s(%q) = %q: keeps %U", what, in, out, r)
		}
	}
	return true
}

// The cleaning of the forms' text fields, whatever a browser (or anyone
// else) posts: what comes out is fit to store and to show, and cleaning
// it again changes nothing.
func FuzzFormText(f *testing.F) {
	for _, s := range []string{"", " ", "Jo", "  Zoë \n", "a\r\nb", "a\rb", "a\r\r\nb", "tab\there", "\x00", "\xff",
		"\u202Egnp.exe", "\u2067x\u2069", "\u200Fمرحبا", "a\u2028b", "\u0085x\u0085", "\ufeffBOM",
		"jo@example.org", " JO@EXAMPLE.ORG ", "İİİ@x.be", "a@b.c\n", "a@@b.c", "K@k.be",
		"+32 (0)470 12.34/56", "0470-123456", "call me", "nl", "NL", "prs", strings.Repeat("é", 300)} {
		f.Add(s, uint16(60))
	}
	f.Add(strings.Repeat("x", 1001), uint16(1000))
	f.Add(strings.Repeat("İ", 100)+"@x.be", uint16(200))
	f.Fuzz(func(t *testing.T, s string, n uint16) {
		max := 1 + int(n)%1200

		out, err := store.CleanText("f", s, max)
		if checkClean(t, "cleanText", s, out, err, max, false, "bad_text", "too_long") {
			if again, err := store.CleanText("f", out, max); err != nil || again != out {
				t.Fatalf("cleanText(%q) = %q, then %q, %v", s, out, again, err)
			}
		}
		if !strings.ContainsAny(s, "\n\t\r") {
			// Without a line break a text of several lines is one line.
			lo, lerr := store.CleanLines("f", s, max)
			if lo != out || (lerr == nil) != (err == nil) {
				t.Fatalf("%q: cleanText %q, %v but cleanLines %q, %v", s, out, err, lo, lerr)
			}
		}

		out, err = store.CleanLines("f", s, max)
		if checkClean(t, "cleanLines", s, out, err, max, true, "bad_text", "too_long") {
			if strings.Contains(out, "\r") {
				t.Fatalf("cleanLines(%q) = %q: keeps a carriage return", s, out)
			}
			if again, err := store.CleanLines("f", out, max); err != nil || again != out {
				t.Fatalf("cleanLines(%q) = %q, then %q, %v", s, out, again, err)
			}
		}

		out, err = store.RequiredText("f", s, max)
		if checkClean(t, "requiredText", s, out, err, max, false, "bad_text", "too_long", "required") {
			// Something to read: not only blanks, marks and characters
			// that render as nothing (a zero-width space, a soft hyphen).
			if !strings.ContainsFunc(out, visible) {
				t.Fatalf("requiredText(%q) = %q: nothing to read", s, out)
			}
			if again, err := store.RequiredText("f", out, max); err != nil || again != out {
				t.Fatalf("requiredText(%q) = %q, then %q, %v", s, out, again, err)
			}
		}

		out, err = store.OptionalEmail("f", s)
		if checkClean(t, "optionalEmail", s, out, err, 200, false, "bad_text", "too_long", "bad_email") {
			if out != "" && (strings.Count(out, "@") != 1 || strings.ContainsFunc(out, unicode.IsSpace) || strings.ToLower(out) != out) {
				t.Fatalf("optionalEmail(%q) = %q", s, out)
			}
			if again, err := store.OptionalEmail("f", out); err != nil || again != out {
				t.Fatalf("optionalEmail(%q) = %q, then %q, %v", s, out, again, err)
			}
		}

		out, err = store.CleanPhone("f", s)
		if checkClean(t, "cleanPhone", s, out, err, 30, false, "bad_phone") {
			if strings.Trim(out, "0123456789+-./() ") != "" {
				t.Fatalf("cleanPhone(%q) = %q", s, out)
			}
			if again, err := store.CleanPhone("f", out); err != nil || again != out {
				t.Fatalf("cleanPhone(%q) = %q, then %q, %v", s, out, again, err)
			}
		}

		out, err = store.ValidLang("f", s)
		if checkClean(t, "validLang", s, out, err, 3, false, "required", "bad_lang") {
			if len(out) < 2 || strings.Trim(out, "abcdefghijklmnopqrstuvwxyz") != "" {
				t.Fatalf("validLang(%q) = %q", s, out)
			}
		}

		// A search never fails: what a query cannot take goes (invalid
		// UTF-8, control characters); it is not stored, so bidi marks may
		// stay, as a name holding them is refused anyway.
		out = store.SearchText(s, max)
		if !utf8.ValidString(out) || utf8.RuneCountInString(out) > max || strings.TrimSpace(out) != out || strings.ContainsFunc(out, unicode.IsControl) {
			t.Fatalf("searchText(%q, %d) = %q", s, max, out)
		}
		if again := store.SearchText(out, max); again != out {
			t.Fatalf("searchText(%q) = %q, then %q", s, out, again)
		}
	})
}
