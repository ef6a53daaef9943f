package store

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"

	"gorm.io/gorm"
)

// ErrSetupDone means the setup link was used already or never made.
var ErrSetupDone = errors.New("setup already done")

func hashToken(t string) string {
	sum := sha256.Sum256([]byte(t))
	return hex.EncodeToString(sum[:])
}

// setupKey is the setting that holds one setup token's hash. Each server
// of a network that starts before the first admin exists prints a link of
// its own, and every one of them works until one is used.
func setupKey(t string) string { return "setup:" + hashToken(t) }

// NewSetupToken makes a one-time token for creating the first admin
// account. Only its hash is stored.
func (s *Store) NewSetupToken(ctx context.Context) (string, error) {
	t := NewToken()
	return t, s.SetSetting(ctx, setupKey(t), "1")
}

// SetupTokenValid reports whether t is a setup token not used yet.
func (s *Store) SetupTokenValid(ctx context.Context, t string) bool {
	if v, err := s.Setting(ctx, setupKey(t)); err == nil && v == "1" {
		return true
	}
	// A database set up before tokens had a key each keeps one here.
	want, err := s.Setting(ctx, SettingSetupToken)
	if err != nil || want == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(want), []byte(hashToken(t))) == 1
}

// CompleteSetup creates the first admin with the setup token, which then
// stops working. It refuses when any account exists already.
func (s *Store) CompleteSetup(ctx context.Context, t string, in UserInput) (*User, error) {
	if !s.SetupTokenValid(ctx, t) {
		return nil, ErrSetupDone
	}
	n, err := s.CountUsers(ctx)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, ErrSetupDone
	}
	in.Role = RoleAdmin
	u, err := s.CreateUser(ctx, in)
	if err != nil {
		return nil, err
	}
	return u, s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return tx.Where("key = ? OR key LIKE ?", SettingSetupToken, "setup:%").Delete(&Setting{}).Error
	})
}
