package store

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// FieldError says which field is wrong and why, as a code the pages
// translate ("required", "too_long", "bad_text", …).
type FieldError struct {
	Field string
	Code  string
}

func (e *FieldError) Error() string { return fmt.Sprintf("%s: %s", e.Field, e.Code) }

// Unwrap lets errors.Is(err, ErrInvalid) match every field error.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// AsFieldError extracts the field error from err, if any.
func AsFieldError(err error) (*FieldError, bool) {
	var fe *FieldError
	ok := errors.As(err, &fe)
	return fe, ok
}

// cleanText trims s and checks it is printable UTF-8 of at most max runes,
// on one line. An empty result is allowed here; required fields check that
// themselves.
func cleanText(field, s string, max int) (string, error) { return checkText(field, s, max, false) }

// cleanLines is cleanText for a text that may run over several lines.
func cleanLines(field, s string, max int) (string, error) {
	return checkText(field, strings.ReplaceAll(s, "\r\n", "\n"), max, true)
}

func checkText(field, s string, max int, lines bool) (string, error) {
	if !utf8.ValidString(s) {
		return "", &FieldError{field, "bad_text"}
	}
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > max {
		return "", &FieldError{field, "too_long"}
	}
	for _, r := range s {
		if lines && (r == '\n' || r == '\t') {
			continue
		}
		// Control characters have no place in a name; the bidi
		// overrides could make a name render as a different one.
		if unicode.IsControl(r) || (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) {
			return "", &FieldError{field, "bad_text"}
		}
	}
	return s, nil
}

func requiredText(field, s string, max int) (string, error) {
	s, err := cleanText(field, s, max)
	if err != nil {
		return "", err
	}
	// A name of nothing but characters that show nothing (a byte order
	// mark, a zero-width space, a soft hyphen) is no name: it would show
	// as a blank in every list.
	if !strings.ContainsFunc(s, visible) {
		return "", &FieldError{field, "required"}
	}
	return s, nil
}

// visible reports a character that shows on screen: a letter, digit,
// punctuation mark or symbol, but not one of those that render as nothing
// (the Hangul fillers, for one).
func visible(r rune) bool {
	return unicode.In(r, unicode.L, unicode.N, unicode.P, unicode.S) && !unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r)
}

var langRe = regexp.MustCompile(`^[a-z]{2,3}$`)

func validLang(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", &FieldError{field, "required"}
	}
	if !langRe.MatchString(s) {
		return "", &FieldError{field, "bad_lang"}
	}
	return s, nil
}

var emailRe = regexp.MustCompile(`^[^\s@]+@[^\s@]+\.[^\s@]+$`)

func optionalEmail(field, s string) (string, error) {
	s, err := cleanText(field, s, 200)
	if err != nil || s == "" {
		return s, err
	}
	if !emailRe.MatchString(s) {
		return "", &FieldError{field, "bad_email"}
	}
	return strings.ToLower(s), nil
}

// CleanRequired checks a required free-text field that is not part of a
// model (an organisation's name on the setup form).
func CleanRequired(field, s string, max int) (string, error) { return requiredText(field, s, max) }

// searchText makes free text safe to use as a query argument: PostgreSQL
// refuses invalid UTF-8 and NUL bytes outright, and a search or a sign-in
// with them should simply find nothing.
func searchText(s string, max int) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	if utf8.RuneCountInString(s) > max {
		s = string([]rune(s)[:max])
	}
	return strings.TrimSpace(s)
}

// Fold makes text comparable for a search: lower case, without accents,
// so that "zoe" finds "Zoë" and "олена" finds "Олена".
func Fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return norm.NFC.String(b.String())
}

// likePattern matches q anywhere, with LIKE's own characters taken
// literally (used with ESCAPE '\').
func likePattern(q string) string {
	return "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(q) + "%"
}
