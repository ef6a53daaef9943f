package store

import (
	"crypto/rand"
	"encoding/base32"
	"strings"
)

// crockford is Crockford's base32 alphabet: no I, L, O or U, so a token
// survives being read aloud or typed by hand.
var crockford = base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding)

// NewToken returns 128 random bits as 26 Crockford base32 characters.
func NewToken() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return crockford.EncodeToString(b)
}

// TokenLen is the length of a card token.
const TokenLen = 26

// codeAlphabet leaves out 0/O and 1/I/L, which people confuse.
const codeAlphabet = "ABCDEFGHJKMNPQRSTVWXYZ23456789"

// CheckCodeLen is the length of the printed check code.
const CheckCodeLen = 6

func newCheckCode() string {
	b := make([]byte, CheckCodeLen)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	out := make([]byte, CheckCodeLen)
	for i, v := range b {
		// 256 % 30 = 16: a small bias that costs nothing here, the code is
		// a convenience for a lookup by hand, not a secret.
		out[i] = codeAlphabet[int(v)%len(codeAlphabet)]
	}
	return string(out)
}

// NormalizeToken turns what a scanner or a person typed into the stored
// form, or "" when it cannot be a token.
func NormalizeToken(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) != TokenLen {
		return ""
	}
	b := []byte(s)
	for i, c := range b {
		switch c {
		case 'O':
			b[i] = '0'
		case 'I', 'L':
			b[i] = '1'
		}
		if !strings.ContainsRune("0123456789ABCDEFGHJKMNPQRSTVWXYZ", rune(b[i])) {
			return ""
		}
	}
	return string(b)
}

// NormalizeCheckCode strips spaces and dashes and upper-cases a check code.
func NormalizeCheckCode(s string) string {
	s = strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(s))
	if len(s) != CheckCodeLen {
		return ""
	}
	for _, c := range s {
		if !strings.ContainsRune(codeAlphabet, c) {
			return ""
		}
	}
	return s
}

// FormatCheckCode shows a check code as two groups of three.
func FormatCheckCode(s string) string {
	if len(s) != CheckCodeLen {
		return s
	}
	return s[:3] + " " + s[3:]
}
