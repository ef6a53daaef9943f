package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"
)

func defaultSite(tx *gorm.DB) (*Site, error) {
	var site Site
	if err := tx.Order("id").First(&site).Error; err != nil {
		return nil, notFound(err)
	}
	return &site, nil
}

// DefaultSite is the first site: the one the demo and the command line
// use. Requests never ask for it; their site comes with the request (see
// KioskSite and StaffSite). It is read, not cached, so another server's
// change shows at once.
func (s *Store) DefaultSite(ctx context.Context) (*Site, error) {
	return defaultSite(s.R.WithContext(ctx))
}

// Site loads one site.
func (s *Store) Site(ctx context.Context, id int64) (*Site, error) {
	var site Site
	if err := s.R.WithContext(ctx).First(&site, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &site, nil
}

// KioskSite is the site a kiosk screen serves. An installation with one
// site needs no pairing; with several, each kiosk will be paired to its
// site as a station (issue 9, not yet): until then, the first site.
func (s *Store) KioskSite(ctx context.Context) (*Site, error) {
	return s.DefaultSite(ctx)
}

// StaffSite is the site a staff member works at now: the one they chose
// among theirs, else their first. Until staff belong to sites (issue 9,
// not yet), every staff member works at every site.
func (s *Store) StaffSite(ctx context.Context, userID, chosen int64) (*Site, error) {
	if chosen != 0 {
		if site, err := s.Site(ctx, chosen); err == nil {
			return site, nil
		}
	}
	return s.DefaultSite(ctx)
}

// EnsureSite returns the default site, creating it with the given name when
// the database has none yet.
func (s *Store) EnsureSite(ctx context.Context, name, timeZone string) (*Site, error) {
	var site *Site
	err := s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		site, err = defaultSite(tx)
		if !errors.Is(err, ErrNotFound) {
			return err
		}
		site = &Site{Name: name, TimeZone: timeZone, CreatedAt: s.Now()}
		return tx.Create(site).Error
	})
	return site, err
}

// NameFirstSite names the first site, creating it when there is none: the
// organisation's name, given when the first admin sets Drempel up.
func (s *Store) NameFirstSite(ctx context.Context, name string) error {
	name, err := requiredText("name", name, 100)
	if err != nil {
		return err
	}
	site, err := s.EnsureSite(ctx, name, "Europe/Brussels")
	if err != nil {
		return err
	}
	return s.W.WithContext(ctx).Model(&Site{}).Where("id = ?", site.ID).Update("name", name).Error
}

// SiteInput is what an admin gives for a site.
type SiteInput struct {
	Name, Address, Phone, TimeZone string
}

func (in SiteInput) clean() (SiteInput, error) {
	var err error
	if in.Name, err = requiredText("name", in.Name, 100); err != nil {
		return in, err
	}
	if in.Address, err = cleanLines("address", in.Address, 300); err != nil {
		return in, err
	}
	if in.Phone, err = cleanPhone("phone", in.Phone); err != nil {
		return in, err
	}
	in.TimeZone = strings.TrimSpace(in.TimeZone)
	if in.TimeZone == "" {
		in.TimeZone = "Europe/Brussels"
	}
	if _, err := time.LoadLocation(in.TimeZone); err != nil || in.TimeZone == "Local" {
		return in, &FieldError{"timezone", "bad_choice"}
	}
	return in, nil
}

// cleanPhone accepts what people write a phone number with: digits,
// spaces and + - . / ( ). Empty is allowed.
func cleanPhone(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if len(s) > 30 || strings.Trim(s, "0123456789+-./() ") != "" {
		return "", &FieldError{field, "bad_phone"}
	}
	return s, nil
}

// Sites are every site, in the order they were made.
func (s *Store) Sites(ctx context.Context) ([]Site, error) {
	var out []Site
	err := s.R.WithContext(ctx).Order("id").Find(&out).Error
	return out, err
}

// CreateSite adds a site. Its lab starts closed, with the default
// settings, until someone sets its hours.
func (s *Store) CreateSite(ctx context.Context, in SiteInput) (*Site, error) {
	in, err := in.clean()
	if err != nil {
		return nil, err
	}
	site := &Site{Name: in.Name, Address: in.Address, Phone: in.Phone, TimeZone: in.TimeZone, CreatedAt: s.Now()}
	if err := s.W.WithContext(ctx).Create(site).Error; err != nil {
		return nil, err
	}
	return site, nil
}

// UpdateSite changes a site's name, address, phone and time zone.
func (s *Store) UpdateSite(ctx context.Context, id int64, in SiteInput) error {
	in, err := in.clean()
	if err != nil {
		return err
	}
	res := s.W.WithContext(ctx).Model(&Site{}).Where("id = ?", id).
		Updates(map[string]any{"name": in.Name, "address": in.Address, "phone": in.Phone, "time_zone": in.TimeZone})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}
