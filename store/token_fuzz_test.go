package store_test

import (
	"strings"
	"testing"

	"github.com/drempel/drempel/store"
)

// tokenAlphabet is Crockford's base32, the only characters a normalised
// card token holds.
const tokenAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// mixUp writes s as a person or a scanner might: each character's case,
// the letters people read for 0 and 1 (O; I and L), and blanks around it,
// chosen by the bytes of mix in turn.
func mixUp(s string, mix []byte) string {
	if len(mix) == 0 {
		return s
	}
	pick := func(i int) byte { return mix[i%len(mix)] }
	var b strings.Builder
	blanks := []string{"", " ", "\t", "\n", "\r\n", "  "}
	b.WriteString(blanks[int(pick(0))%len(blanks)])
	for i := 0; i < len(s); i++ {
		c, m := s[i], pick(i+1)
		switch c {
		case '0':
			c = "0Oo"[int(m>>1)%3]
		case '1':
			c = "1IiLl"[int(m>>1)%5]
		}
		if m&1 == 1 && c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	b.WriteString(blanks[int(pick(len(s)+1))%len(blanks)])
	return b.String()
}

func onlyOf(s, alphabet string) bool {
	for _, r := range s {
		if !strings.ContainsRune(alphabet, r) {
			return false
		}
	}
	return true
}

// What a scanner or a person types as a card token becomes the stored form
// or nothing: never anything else, and a real card's token is read right
// however its letters were confused.
func FuzzNormalizeToken(f *testing.F) {
	for _, s := range []string{"", "0", store.TokenFromBytes([16]byte{}), " 7ZZZZZZZZZZZZZZZZZZZZZZZZZ\n",
		"oooooooooooooooooooooooooo", "iIlL1iIlL1iIlL1iIlL1iIlL1i", "UUUUUUUUUUUUUUUUUUUUUUUUUU",
		"ıııııııııııııııııııııııııı", "ſſſſſſſſſſſſſſſſſſſſſſſſſſ", "ＡＢＣＤＥＦＧＨＪＫＭＮＰＱＲＳＴＶＷＸＹＺ０１２３",
		"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00",
		"\xff\xfe\xfd", strings.Repeat("A", 100_000), "<script>alert(1)</script>"} {
		f.Add(s, []byte("0123456789abcdef"), []byte{1, 2, 3})
	}
	f.Add("x", []byte{0xff, 0x00, 0x10}, []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Fuzz(func(t *testing.T, s string, raw, mix []byte) {
		out := store.NormalizeToken(s)
		if out != "" && (len(out) != store.TokenLen || !onlyOf(out, tokenAlphabet)) {
			t.Fatalf("NormalizeToken(%q) = %q: not a token", s, out)
		}
		if again := store.NormalizeToken(out); again != out {
			t.Fatalf("NormalizeToken(%q) = %q, but NormalizeToken(%q) = %q", s, out, out, again)
		}

		var b [16]byte
		copy(b[:], raw)
		token := store.TokenFromBytes(b)
		if len(token) != store.TokenLen || !onlyOf(token, tokenAlphabet) {
			t.Fatalf("a new token %q is not one", token)
		}
		typed := mixUp(token, mix)
		if got := store.NormalizeToken(typed); got != token {
			t.Fatalf("the card %s typed as %q reads as %q", token, typed, got)
		}
	})
}

// A check code typed at the desk becomes the stored form or nothing, and a
// printed code is found however it was typed: any case, with the space
// printed in it, or a dash, or none.
func FuzzNormalizeCheckCode(f *testing.F) {
	for _, s := range []string{"", "ABC DEF", "abc-def", "A-B-C-D-E-F", "ABCDEF ", "0O1IL5", "ABCDEFG", "ıııııı",
		"ＡＢＣＤＥＦ", "\x00\x00\x00\x00\x00\x00", "\xff\xfe\xfd\xfc\xfb\xfa", strings.Repeat("-", 1000) + "ABCDEF"} {
		f.Add(s, []byte{1, 2, 3, 4, 5, 6}, []byte{0})
	}
	f.Fuzz(func(t *testing.T, s string, raw, mix []byte) {
		out := store.NormalizeCheckCode(s)
		if out != "" && (len(out) != store.CheckCodeLen || !onlyOf(out, store.CodeAlphabet)) {
			t.Fatalf("NormalizeCheckCode(%q) = %q: not a check code", s, out)
		}
		if again := store.NormalizeCheckCode(out); again != out {
			t.Fatalf("NormalizeCheckCode(%q) = %q, but NormalizeCheckCode(%q) = %q", s, out, out, again)
		}
		if f := store.FormatCheckCode(out); out != "" && store.NormalizeCheckCode(f) != out {
			t.Fatalf("the printed code %q does not read back as %q", f, out)
		}

		var b [store.CheckCodeLen]byte
		copy(b[:], raw)
		code := store.CheckCodeFromBytes(b)
		var typed strings.Builder
		for i, c := range store.FormatCheckCode(code) {
			m := byte(0)
			if len(mix) > 0 {
				m = mix[i%len(mix)]
			}
			if m&1 == 1 {
				c = []rune(strings.ToLower(string(c)))[0]
			}
			typed.WriteRune(c)
			typed.WriteString([]string{"", "", " ", "-"}[int(m>>1)%4])
		}
		if got := store.NormalizeCheckCode(typed.String()); got != code {
			t.Fatalf("the code %s typed as %q reads as %q", code, typed.String(), got)
		}
	})
}
