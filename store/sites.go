package store

import (
	"context"
	"errors"

	"gorm.io/gorm"
)

func defaultSite(tx *gorm.DB) (*Site, error) {
	var site Site
	if err := tx.Order("id").First(&site).Error; err != nil {
		return nil, notFound(err)
	}
	return &site, nil
}

// DefaultSite is the first site, which a single-site installation uses for
// everything. It is cached: every check-in needs it, and it changes only
// through this package.
func (s *Store) DefaultSite(ctx context.Context) (*Site, error) {
	if site := s.site.Load(); site != nil {
		c := *site
		return &c, nil
	}
	site, err := defaultSite(s.R.WithContext(ctx))
	if err != nil {
		return nil, err
	}
	c := *site
	s.site.Store(&c)
	return site, nil
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

// RenameDefaultSite names the first site, creating it when there is none.
func (s *Store) RenameDefaultSite(ctx context.Context, name string) error {
	name, err := requiredText("name", name, 100)
	if err != nil {
		return err
	}
	site, err := s.EnsureSite(ctx, name, "Europe/Brussels")
	if err != nil {
		return err
	}
	err = s.W.WithContext(ctx).Model(&Site{}).Where("id = ?", site.ID).Update("name", name).Error
	s.site.Store(nil)
	return err
}
