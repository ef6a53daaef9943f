package store

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"encoding/hex"
	"errors"
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

// settingCardKey holds the key of the card tokens' hash, in hex.
//
// The database keeps HMAC-SHA256(key, token) of each card, never the
// token: a card's QR cannot be printed from a copy of the database. Each
// installation has its own random key, made once, so that a hash from one
// database matches no card of another. It is kept in the database itself
// on purpose: a key kept elsewhere that got lost would stop every card at
// once, and every server of a network would need a copy of it; with 128
// random bits per token, the hash alone is not reversible anyway.
const settingCardKey = "card_key"

// cardHash is what the database holds of a card token.
func cardHash(key []byte, token string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(token))
	return hex.EncodeToString(m.Sum(nil))
}

// CardTokenHash is what the database holds of a card token, for loaders
// that insert cards in bulk (the load tests).
func (s *Store) CardTokenHash(token string) string { return cardHash(s.cardKey, token) }

// loadCardKey reads the installation's card key, made by migration 17.
func (s *Store) loadCardKey(ctx context.Context) error {
	v, err := s.Setting(ctx, settingCardKey)
	if err != nil {
		return err
	}
	key, err := hex.DecodeString(v)
	if err != nil || len(key) < 32 {
		return errors.New("store: the card key is missing from the settings: member cards cannot be checked")
	}
	s.cardKey = key
	return nil
}

// hashCardTokens runs once (migration 17): it makes the installation's
// card key and replaces every card token held in clear by its hash, so
// that the cards already printed keep working.
func hashCardTokens(ctx context.Context, tx *sql.Tx, _ string) error {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO settings (key, value) VALUES ($1, $2)", settingCardKey, hex.EncodeToString(raw)); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, "SELECT id, token_hash FROM cards")
	if err != nil {
		return err
	}
	type card struct {
		id    int64
		token string
	}
	var all []card
	for rows.Next() {
		var c card
		if err := rows.Scan(&c.id, &c.token); err != nil {
			rows.Close()
			return err
		}
		all = append(all, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, c := range all {
		if _, err := tx.ExecContext(ctx, "UPDATE cards SET token_hash = $1 WHERE id = $2", cardHash(raw, c.token), c.id); err != nil {
			return err
		}
	}
	return nil
}
