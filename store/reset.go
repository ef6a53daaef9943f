package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Passwords are set three ways after an account exists: an admin hands a
// staff member a one-time reset link, anyone changes their own after
// typing the current one, and the command line. Either of the first two
// ends every session of the account signed in before.
//
// A reset link is a random token, like the setup link: the database holds
// only its hash, as a settings row "reset:<hash>" whose value names the
// account, the link's expiry and the admin who made it. Each account has
// at most one link; a new one replaces it. "user_since:<id>" holds the
// moment the account's password was last set this way: a session that
// began before it is no longer valid (the sessions' rows are opaque, so
// they cannot be found by account).

// ResetLinkLifetime is how long a password reset link works.
const ResetLinkLifetime = 24 * time.Hour

// ErrResetUsed means a reset link was used already, has expired, was
// replaced by a newer one, never existed, or its account is disabled.
var ErrResetUsed = errors.New("reset link used or expired")

// ErrUserDisabled means an account is disabled: its password cannot be
// reset.
var ErrUserDisabled = errors.New("account disabled")

// ErrWrongPassword means the current password typed to change one's own
// was not the current password.
var ErrWrongPassword = errors.New("wrong current password")

const resetPrefix = "reset:"

func resetKey(t string) string { return resetPrefix + hashToken(t) }

// resetLink is the value of a reset link's settings row.
type resetLink struct {
	User    int64
	Expires time.Time
	By      int64 // the admin who made it
}

func (l resetLink) value() string {
	return fmt.Sprintf("%d:%d:%d", l.User, l.Expires.Unix(), l.By)
}

func parseResetLink(v string) (resetLink, bool) {
	parts := strings.Split(v, ":")
	if len(parts) != 3 {
		return resetLink{}, false
	}
	var n [3]int64
	for i, p := range parts {
		x, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return resetLink{}, false
		}
		n[i] = x
	}
	return resetLink{User: n[0], Expires: time.Unix(n[1], 0).UTC(), By: n[2]}, true
}

// userSinceKey is the setting that holds when the account's password was
// last set by a reset link or a change of its own, in Unix nanoseconds.
func userSinceKey(id int64) string { return "user_since:" + strconv.FormatInt(id, 10) }

// deleteResetLinks removes every reset link of an account, in the caller's
// transaction.
func deleteResetLinks(tx *gorm.DB, userID int64) error {
	return tx.Where("key LIKE ? AND value LIKE ?", resetPrefix+"%", strconv.FormatInt(userID, 10)+":%").Delete(&Setting{}).Error
}

// NewResetLink makes a one-time link for setting the password of account
// userID, valid for ResetLinkLifetime, and returns its token and expiry.
// Only the token's hash is stored. It replaces the account's previous link;
// a disabled account has none (ErrUserDisabled), an unknown one is
// ErrNotFound. by is the admin who asked for it.
func (s *Store) NewResetLink(ctx context.Context, userID, by int64) (string, time.Time, error) {
	t := NewToken()
	link := resetLink{User: userID, Expires: s.Now().Add(ResetLinkLifetime).Truncate(time.Second), By: by}
	err := s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// The account's row is locked: two links made for it at once
		// cannot both survive (SQLite's one writer serialises anyway).
		var u User
		if err := lockRow(tx, s.Dialect).Take(&u, userID).Error; err != nil {
			return notFound(err)
		}
		if u.DisabledAt != nil {
			return ErrUserDisabled
		}
		if err := deleteResetLinks(tx, userID); err != nil {
			return err
		}
		if err := purgeResetLinks(tx, s.Now()); err != nil {
			return err
		}
		return tx.Create(&Setting{Key: resetKey(t), Value: link.value()}).Error
	})
	if err != nil {
		return "", time.Time{}, err
	}
	return t, link.Expires, nil
}

// purgeResetLinks removes the reset links that have expired, of any
// account: they could never be used again.
func purgeResetLinks(tx *gorm.DB, now time.Time) error {
	var rows []Setting
	if err := tx.Where("key LIKE ?", resetPrefix+"%").Find(&rows).Error; err != nil {
		return err
	}
	var old []string
	for _, r := range rows {
		if l, ok := parseResetLink(r.Value); !ok || !now.Before(l.Expires) {
			old = append(old, r.Key)
		}
	}
	if len(old) == 0 {
		return nil
	}
	return tx.Where("key IN ?", old).Delete(&Setting{}).Error
}

// resetRow is a reset link's settings row, read before it is used.
type resetRow struct {
	key, value string
	link       resetLink
}

// resetLinkOf reads the link a token names, if it still works.
func (s *Store) resetLinkOf(ctx context.Context, t string) (resetRow, error) {
	t = NormalizeToken(t) // a link typed by hand in lower case works too
	if t == "" {
		return resetRow{}, ErrResetUsed // not a token Drempel makes
	}
	r := resetRow{key: resetKey(t)}
	v, err := s.Setting(ctx, r.key)
	if err != nil {
		return resetRow{}, err
	}
	l, ok := parseResetLink(v)
	if !ok || !s.Now().Before(l.Expires) {
		return resetRow{}, ErrResetUsed
	}
	r.value, r.link = v, l
	return r, nil
}

// ResetLinkUser returns the active account a reset link is for, while the
// link works; else ErrResetUsed.
func (s *Store) ResetLinkUser(ctx context.Context, t string) (*User, error) {
	r, err := s.resetLinkOf(ctx, t)
	if err != nil {
		return nil, err
	}
	u, err := s.User(ctx, r.link.User)
	if errors.Is(err, ErrNotFound) {
		return nil, ErrResetUsed // disabled since
	}
	return u, err
}

// PasswordReset is a password set with a reset link.
type PasswordReset struct {
	User *User
	By   int64 // the admin who made the link
}

// ResetPassword sets the password of a reset link's account. The link
// stops working, and every session of the account that began before ends
// (see SessionsSince).
//
// Using the link and setting the password are one write transaction that
// only one caller wins, however many post at once: the link's row is
// deleted on a condition (its exact value), and a caller whose delete
// found no row sets nothing. On PostgreSQL a second delete of the same row
// waits for the first transaction, then finds nothing.
func (s *Store) ResetPassword(ctx context.Context, t, password string) (*PasswordReset, error) {
	r, err := s.resetLinkOf(ctx, t)
	if err != nil {
		return nil, err // a used link says so before the form's errors
	}
	if err := checkPassword(password); err != nil {
		return nil, err
	}
	hash, err := s.hashPassword(password) // bcrypt is slow: before the transaction
	if err != nil {
		return nil, err
	}
	var u User
	err = s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		l := r.link
		res := tx.Where("key = ? AND value = ?", r.key, r.value).Delete(&Setting{})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return ErrResetUsed
		}
		now := s.Now()
		if !now.Before(l.Expires) {
			return ErrResetUsed
		}
		res = tx.Model(&User{}).Where("id = ? AND disabled_at IS NULL", l.User).Update("password_hash", hash)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return ErrResetUsed // disabled (or gone) since the link was made
		}
		if err := setUserSince(tx, l.User, now); err != nil {
			return err
		}
		return tx.Take(&u, l.User).Error
	})
	if err != nil {
		return nil, err
	}
	return &PasswordReset{User: &u, By: r.link.By}, nil
}

// ChangePassword sets an account's own password after checking the
// current one (ErrWrongPassword when it is not). Every other session of
// the account ends: it returns the moment from which sessions are valid
// (see SessionsSince), which the session that asked keeps.
func (s *Store) ChangePassword(ctx context.Context, id int64, current, password string) (int64, error) {
	u, err := s.User(ctx, id)
	if err != nil {
		return 0, err
	}
	if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(current)) != nil {
		return 0, ErrWrongPassword
	}
	if err := checkPassword(password); err != nil {
		return 0, err
	}
	hash, err := s.hashPassword(password)
	if err != nil {
		return 0, err
	}
	var now time.Time
	err = s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now = s.Now()
		// Only over the hash the current password was checked against: a
		// reset or another change in the meantime wins, and this one is
		// refused as if the current password were wrong (it no longer is
		// the current one).
		res := tx.Model(&User{}).Where("id = ? AND disabled_at IS NULL AND password_hash = ?", id, u.PasswordHash).
			Update("password_hash", hash)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return ErrWrongPassword
		}
		return setUserSince(tx, id, now)
	})
	if err != nil {
		return 0, err
	}
	return now.UnixNano(), nil
}

func setUserSince(tx *gorm.DB, id int64, at time.Time) error {
	return tx.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "key"}},
		DoUpdates: clause.AssignmentColumns([]string{"value"}),
	}).Create(&Setting{Key: userSinceKey(id), Value: strconv.FormatInt(at.UnixNano(), 10)}).Error
}

// SessionsSince is the moment, in Unix nanoseconds, from which the
// account's sessions are valid: a session that began earlier was signed in
// before the password was last reset or changed, and must sign in again.
// 0 means every session is valid.
func (s *Store) SessionsSince(ctx context.Context, id int64) (int64, error) {
	v, err := s.Setting(ctx, userSinceKey(id))
	if err != nil || v == "" {
		return 0, err
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("store: setting %s: %w", userSinceKey(id), err)
	}
	return n, nil
}
