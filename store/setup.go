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
// stops working, and so do the other servers' links. It refuses when any
// account exists already.
//
// Using the token and creating the account are one write transaction that
// only one caller wins, however many post at once: the token's row is
// deleted on a condition, and a caller whose delete found no row (someone
// took it a moment before) creates nothing. On SQLite the one writer
// connection runs these transactions one after the other; on PostgreSQL the
// second delete of the same row waits for the first transaction and then
// finds nothing, and an advisory lock makes the links of two servers, used
// at once, wait for each other too, so the second finds the first's admin.
func (s *Store) CompleteSetup(ctx context.Context, t string, in UserInput) (*User, error) {
	if !s.SetupTokenValid(ctx, t) {
		return nil, ErrSetupDone // a wrong link says so before the form's errors
	}
	in.Role, in.Sites = RoleAdmin, nil
	u, err := s.newUser(in) // bcrypt is slow: before the transaction
	if err != nil {
		return nil, err
	}
	err = s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if s.Dialect == "postgres" {
			if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", setupLockKey).Error; err != nil {
				return err
			}
		}
		if used, err := useSetupToken(tx, t); err != nil {
			return err
		} else if !used {
			return ErrSetupDone
		}
		var n int64
		if err := tx.Model(&User{}).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return ErrSetupDone
		}
		if err := insertUser(tx, u, nil); err != nil {
			return err
		}
		return tx.Where("key = ? OR key LIKE ?", SettingSetupToken, "setup:%").Delete(&Setting{}).Error
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// setupLockKey names the setup's advisory lock ("setup" in ASCII).
const setupLockKey int64 = 0x7365747570

// useSetupToken deletes the setup token t's row, if it is still there, and
// reports whether it was: of callers racing with one token, one gets true.
func useSetupToken(tx *gorm.DB, t string) (bool, error) {
	res := tx.Where("key = ? AND value = ?", setupKey(t), "1").Delete(&Setting{})
	if res.Error != nil || res.RowsAffected == 1 {
		return res.Error == nil, res.Error
	}
	// A database set up before tokens had a key each keeps one hash here.
	res = tx.Where("key = ? AND value = ?", SettingSetupToken, hashToken(t)).Delete(&Setting{})
	return res.Error == nil && res.RowsAffected == 1, res.Error
}
