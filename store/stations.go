package store

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"
)

// KioskStation is a kiosk screen paired to a site. The screen keeps a
// random token in a long-lived cookie; the database keeps only its hash,
// so a copy of the database cannot pair a screen, and revoking a station
// ends it at its next request.
type KioskStation struct {
	ID               int64
	SiteID           int64
	Name             string
	PairingCodeHash  *string
	PairingExpiresAt *time.Time
	TokenHash        *string
	CreatedAt        time.Time
	PairedAt         *time.Time
	LastSeenAt       *time.Time
	RevokedAt        *time.Time
}

// Paired reports whether a screen holds this station's token.
func (k KioskStation) Paired() bool { return k.TokenHash != nil && k.RevokedAt == nil }

// ErrNotPaired: a network of several sites does not know which site a
// screen serves until it is paired.
var ErrNotPaired = errors.New("this kiosk screen is not paired to a site")

// pairingValid is how long a pairing code works: long enough to walk to
// the kiosk, short enough that a lost note pairs nothing next week.
const pairingValid = 24 * time.Hour

// newPairingCode is eight characters from the check-code alphabet (no
// 0/O, 1/I/L), shown as two groups of four: about 39 bits, valid a day,
// and tried at most a few times a minute per address.
func newPairingCode() string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	out := make([]byte, 8)
	for i, v := range b {
		out[i] = codeAlphabet[int(v)%len(codeAlphabet)]
	}
	return string(out)
}

// NormalizePairingCode turns what was typed or scanned into the code's
// stored form: upper case, without spaces or dashes.
func NormalizePairingCode(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == ' ' || r == '-':
			return -1
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		}
		return r
	}, strings.TrimSpace(s))
}

// FormatPairingCode shows a code the way people read it: ABCD-EFGH.
func FormatPairingCode(code string) string {
	if len(code) != 8 {
		return code
	}
	return code[:4] + "-" + code[4:]
}

// CreateStation adds a kiosk station for a site and returns its pairing
// code, shown once.
func (s *Store) CreateStation(ctx context.Context, siteID int64, name string) (*KioskStation, string, error) {
	name, err := requiredText("name", name, 100)
	if err != nil {
		return nil, "", err
	}
	if _, err := s.Site(ctx, siteID); err != nil {
		return nil, "", &FieldError{"site", "bad_choice"}
	}
	code := newPairingCode()
	h, exp := hashToken(code), s.Now().Add(pairingValid)
	st := &KioskStation{SiteID: siteID, Name: name, PairingCodeHash: &h, PairingExpiresAt: &exp, CreatedAt: s.Now()}
	if err := s.W.WithContext(ctx).Create(st).Error; err != nil {
		return nil, "", err
	}
	return st, code, nil
}

// NewPairingCode gives a station a fresh code, for pairing another screen
// in place of a broken one; the screen paired before stops working.
func (s *Store) NewPairingCode(ctx context.Context, id int64) (string, error) {
	code := newPairingCode()
	h, exp := hashToken(code), s.Now().Add(pairingValid)
	res := s.W.WithContext(ctx).Model(&KioskStation{}).Where("id = ? AND revoked_at IS NULL", id).
		Updates(map[string]any{"pairing_code_hash": h, "pairing_expires_at": exp, "token_hash": nil, "paired_at": nil})
	if res.Error != nil {
		return "", res.Error
	}
	if res.RowsAffected == 0 {
		return "", ErrNotFound
	}
	return code, nil
}

// PairStation pairs the screen that typed a valid code: the code is used
// up, and the screen gets the station's token for its cookie.
func (s *Store) PairStation(ctx context.Context, code string) (string, *KioskStation, error) {
	code = NormalizePairingCode(code)
	if len(code) != 8 {
		return "", nil, ErrNotFound
	}
	token := NewToken()
	var st KioskStation
	err := s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("pairing_code_hash = ? AND revoked_at IS NULL AND pairing_expires_at > ?", hashToken(code), s.Now()).
			First(&st).Error; err != nil {
			return notFound(err)
		}
		now := s.Now()
		th := hashToken(token)
		st.TokenHash, st.PairedAt, st.LastSeenAt, st.PairingCodeHash, st.PairingExpiresAt = &th, &now, &now, nil, nil
		return tx.Model(&KioskStation{}).Where("id = ?", st.ID).Updates(map[string]any{
			"token_hash": th, "paired_at": now, "last_seen_at": now, "pairing_code_hash": nil, "pairing_expires_at": nil}).Error
	})
	if err != nil {
		return "", nil, err
	}
	return token, &st, nil
}

// Stations are every kiosk station, by site, then by name.
func (s *Store) Stations(ctx context.Context) ([]KioskStation, error) {
	var out []KioskStation
	err := s.R.WithContext(ctx).Order("site_id, name, id").Find(&out).Error
	return out, err
}

// RevokeStation ends a station: its screen is not paired any more.
func (s *Store) RevokeStation(ctx context.Context, id int64) error {
	res := s.W.WithContext(ctx).Model(&KioskStation{}).Where("id = ? AND revoked_at IS NULL", id).
		Updates(map[string]any{"revoked_at": s.Now(), "token_hash": nil, "pairing_code_hash": nil})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}

// seenEvery is how often a station's last contact is written: a kiosk
// page is a read, and should stay one.
const seenEvery = time.Minute

// KioskSite is the site a kiosk screen serves: its station's, when it
// holds a valid station token; else, in an installation with one site,
// that site — it needs no pairing; else ErrNotPaired.
func (s *Store) KioskSite(ctx context.Context, token string) (*Site, *KioskStation, error) {
	if token != "" {
		var st KioskStation
		err := s.R.WithContext(ctx).Where("token_hash = ? AND revoked_at IS NULL", hashToken(token)).First(&st).Error
		if err == nil {
			site, err := s.Site(ctx, st.SiteID)
			if err != nil {
				return nil, nil, err
			}
			if now := s.Now(); st.LastSeenAt == nil || now.Sub(*st.LastSeenAt) > seenEvery {
				if err := s.W.WithContext(ctx).Model(&KioskStation{}).Where("id = ?", st.ID).Update("last_seen_at", now).Error; err != nil {
					return nil, nil, err
				}
			}
			return site, &st, nil
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, nil, err
		}
	}
	var sites []Site
	if err := s.R.WithContext(ctx).Order("id").Limit(2).Find(&sites).Error; err != nil {
		return nil, nil, err
	}
	if len(sites) == 1 {
		return &sites[0], nil, nil
	}
	return nil, nil, ErrNotPaired
}
