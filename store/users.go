package store

import (
	"context"
	"errors"
	"strings"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
)

// PasswordMin is the shortest password accepted for a staff account.
const PasswordMin = 10

// UserInput is a new staff account.
type UserInput struct {
	Email    string
	Name     string
	Role     Role
	Password string
	Lang     string
	// Sites are the sites someone who is not an admin works at; admins
	// work at every site. Nil (not said, as by the command line and the
	// demo) gives the first site, when there is one; an empty list is
	// refused.
	Sites []int64
}

// CreateUser adds a staff account with a bcrypt-hashed password.
func (s *Store) CreateUser(ctx context.Context, in UserInput) (*User, error) {
	u, err := s.newUser(in)
	if err != nil {
		return nil, err
	}
	err = s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return insertUser(tx, u, in.Sites)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// newUser checks a new account's fields and hashes its password (slow on
// purpose: outside any transaction).
func (s *Store) newUser(in UserInput) (*User, error) {
	email := strings.ToLower(strings.TrimSpace(in.Email))
	var err error
	if email == "" {
		return nil, &FieldError{"email", "required"}
	}
	if email, err = optionalEmail("email", email); err != nil {
		return nil, err
	}
	name, err := cleanText("name", in.Name, 100)
	if err != nil {
		return nil, err
	}
	if !in.Role.Valid() {
		return nil, &FieldError{"role", "bad_role"}
	}
	if err := checkPassword(in.Password); err != nil {
		return nil, err
	}
	lang := in.Lang
	if lang == "" {
		lang = "nl"
	}
	if lang, err = validLang("lang", lang); err != nil {
		return nil, err
	}
	hash, err := s.hashPassword(in.Password)
	if err != nil {
		return nil, err
	}
	return &User{Email: email, Name: name, Role: in.Role, PasswordHash: hash, Lang: lang, CreatedAt: s.Now()}, nil
}

// checkPassword applies the rules every password follows, at setup, for
// a new account, with a reset link and for a change of one's own: a
// FieldError on "password" when it breaks one.
func checkPassword(pw string) error {
	if len([]rune(pw)) < PasswordMin {
		return &FieldError{"password", "too_short"}
	}
	if len(pw) > 72 { // bcrypt reads no further
		return &FieldError{"password", "too_long"}
	}
	return nil
}

// insertUser writes an account made by newUser, and the sites it works
// at, in the caller's write transaction.
func insertUser(tx *gorm.DB, u *User, sites []int64) error {
	var n int64
	if err := tx.Model(&User{}).Where("email = ?", u.Email).Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return &FieldError{"email", "taken"}
	}
	if err := tx.Create(u).Error; errors.Is(err, gorm.ErrDuplicatedKey) {
		return &FieldError{"email", "taken"} // added by someone else a moment ago
	} else if err != nil {
		return err
	}
	if sites == nil && u.Role != RoleAdmin {
		first, err := defaultSite(tx)
		if errors.Is(err, ErrNotFound) {
			return nil // no site yet: an admin gives one later
		} else if err != nil {
			return err
		}
		sites = []int64{first.ID}
	}
	return setUserSites(tx, u.ID, u.Role, sites)
}

// dummyHash keeps a failed sign-in with an unknown email as slow as one
// with a wrong password, so timing does not tell which emails exist.
func (s *Store) dummyHash() []byte {
	s.dummyOnce.Do(func() {
		h, _ := s.hashPassword("drempel-no-such-user")
		s.dummy = []byte(h)
	})
	return s.dummy
}

// Authenticate checks an email and password; any failure is ErrNotFound.
func (s *Store) Authenticate(ctx context.Context, email, password string) (*User, error) {
	var u User
	err := s.R.WithContext(ctx).Where("email = ? AND disabled_at IS NULL", strings.ToLower(searchText(email, 200))).Take(&u).Error
	if err != nil {
		_ = bcrypt.CompareHashAndPassword(s.dummyHash(), []byte(password))
		return nil, notFound(err)
	}
	if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password)) != nil {
		return nil, ErrNotFound
	}
	return &u, nil
}

// User loads an active account.
func (s *Store) User(ctx context.Context, id int64) (*User, error) {
	var u User
	if err := s.R.WithContext(ctx).Where("disabled_at IS NULL").Take(&u, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &u, nil
}

// Users lists all accounts, active first.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	var us []User
	err := s.R.WithContext(ctx).Order("disabled_at IS NOT NULL, email").Find(&us).Error
	return us, err
}

// CountUsers counts active accounts.
func (s *Store) CountUsers(ctx context.Context) (int64, error) {
	var n int64
	err := s.R.WithContext(ctx).Model(&User{}).Where("disabled_at IS NULL").Count(&n).Error
	return n, err
}

// SetUserDisabled disables or re-enables an account. The last active
// admin cannot be disabled, so nobody is locked out.
func (s *Store) SetUserDisabled(ctx context.Context, id int64, disabled bool) error {
	defer s.duty.forgetAll() // a disabled helper leaves the kiosk at once
	return s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var u User
		if err := tx.Take(&u, id).Error; err != nil {
			return notFound(err)
		}
		if disabled && u.Role == RoleAdmin && u.DisabledAt == nil {
			var admins int64
			if err := tx.Model(&User{}).Where("role = ? AND disabled_at IS NULL", RoleAdmin).Count(&admins).Error; err != nil {
				return err
			}
			if admins <= 1 {
				return &FieldError{"user", "last_admin"}
			}
		}
		var at any
		if disabled {
			at = s.Now()
			// A reset link made for the account before stops working.
			if err := deleteResetLinks(tx, id); err != nil {
				return err
			}
		}
		return tx.Model(&User{}).Where("id = ?", id).Update("disabled_at", at).Error
	})
}

// SetPasswordCost sets the bcrypt cost of new password hashes. Tests use
// the minimum; production keeps bcrypt's default.
func (s *Store) SetPasswordCost(cost int) { s.pwCost = cost }

func (s *Store) hashPassword(pw string) (string, error) {
	cost := s.pwCost
	if cost == 0 {
		cost = bcrypt.DefaultCost
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), cost)
	return string(h), err
}
