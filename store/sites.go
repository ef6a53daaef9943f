package store

import (
	"context"
	"database/sql"
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

// StaffSite is the site a staff member works at now: the one they chose,
// when they may see it, else the first of theirs (UserSites). Someone
// with no site at all gets ErrNoSite: staff nobody gave a site yet (an
// admin must), or an admin of a network that has none.
func (s *Store) StaffSite(ctx context.Context, userID, chosen int64) (*Site, error) {
	sites, err := s.UserSites(ctx, userID)
	if err != nil {
		return nil, err
	}
	if len(sites) == 0 {
		return nil, ErrNoSite
	}
	for i := range sites {
		if sites[i].ID == chosen {
			return &sites[i], nil
		}
	}
	return &sites[0], nil
}

// EnsureSite returns the default site, creating it with the given name when
// the database has none yet.
func (s *Store) EnsureSite(ctx context.Context, name, timeZone string) (*Site, error) {
	var site *Site
	err := s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if s.Dialect == "postgres" {
			// Two servers of a network starting on an empty database
			// would each make a first site: the second waits here and
			// then finds the first's. (SQLite's writer is one already.)
			if err := tx.Exec("SELECT pg_advisory_xact_lock(7238311, 1)").Error; err != nil {
				return err
			}
		}
		var err error
		site, err = defaultSite(tx)
		if !errors.Is(err, ErrNotFound) {
			return err
		}
		site = &Site{Name: name, TimeZone: timeZone, CreatedAt: s.Now()}
		if site.OperatorID, err = firstOperator(tx, name, site.CreatedAt); err != nil {
			return err
		}
		return tx.Create(site).Error
	})
	return site, err
}

// NameFirstSite names the first site and its operator, creating them when
// there are none: the organisation's name, given when the first admin sets
// Drempel up.
func (s *Store) NameFirstSite(ctx context.Context, name string) error {
	name, err := requiredText("name", name, 100)
	if err != nil {
		return err
	}
	site, err := s.EnsureSite(ctx, name, "Europe/Brussels")
	if err != nil {
		return err
	}
	return s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&Site{}).Where("id = ?", site.ID).Update("name", name).Error; err != nil {
			return err
		}
		return tx.Model(&Operator{}).Where("id = ?", site.OperatorID).Update("name", name).Error
	})
}

// SiteInput is what an admin gives for a site.
type SiteInput struct {
	Name, Address, Phone, TimeZone string
	// OperatorID is the organisation that runs the site; 0 with an
	// OperatorName makes a new one, 0 without keeps the site's (or, for a
	// new site, gives it the first organisation's).
	OperatorID   int64
	OperatorName string
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
	if in.OperatorName, err = cleanText("operator_name", in.OperatorName, 100); err != nil {
		return in, err
	}
	return in, nil
}

// operatorFor is the operator a site gets from its input, inside tx: the
// one chosen (which must exist), a new one by name, or keep (0: none
// chosen, the site keeps what it has).
func (s *Store) operatorFor(tx *gorm.DB, in SiteInput, keep int64) (int64, error) {
	switch {
	case in.OperatorID != 0:
		var n int64
		if err := tx.Model(&Operator{}).Where("id = ?", in.OperatorID).Count(&n).Error; err != nil {
			return 0, err
		}
		if n == 0 {
			return 0, &FieldError{"operator", "bad_choice"}
		}
		return in.OperatorID, nil
	case in.OperatorName != "":
		o := Operator{Name: in.OperatorName, CreatedAt: s.Now()}
		return o.ID, tx.Create(&o).Error
	case keep != 0:
		return keep, nil
	}
	return firstOperator(tx, in.Name, s.Now())
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
	err = s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if site.OperatorID, err = s.operatorFor(tx, in, 0); err != nil {
			return err
		}
		return tx.Create(site).Error
	})
	if err != nil {
		return nil, err
	}
	return site, nil
}

// UpdateSite changes a site's name, address, phone, time zone and
// operator. Moving a site to another operator moves its members with it:
// they are then seen where that operator's are.
func (s *Store) UpdateSite(ctx context.Context, id int64, in SiteInput) error {
	in, err := in.clean()
	if err != nil {
		return err
	}
	return s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var site Site
		if err := tx.Take(&site, id).Error; err != nil {
			return notFound(err)
		}
		op, err := s.operatorFor(tx, in, site.OperatorID)
		if err != nil {
			return err
		}
		return tx.Model(&Site{}).Where("id = ?", id).Updates(map[string]any{
			"name": in.Name, "address": in.Address, "phone": in.Phone, "time_zone": in.TimeZone, "operator_id": op}).Error
	})
}

// ErrNoSite is a staff member who belongs to no site yet: they see
// nothing until an admin gives them one.
var ErrNoSite = errors.New("no site")

// userSite says that a staff member works at a site. Admins work at every
// site and need no rows.
type userSite struct {
	UserID int64 `gorm:"primaryKey;autoIncrement:false"`
	SiteID int64 `gorm:"primaryKey;autoIncrement:false"`
}

func (userSite) TableName() string { return "user_sites" }

// maxUserSites caps a list of site ids from a form.
const maxUserSites = 1000

// UserSites are the sites a user may see, in site order: every site for
// an admin (the network's administrator), else the ones they were given.
// An unknown user has none.
func (s *Store) UserSites(ctx context.Context, userID int64) ([]Site, error) {
	var out []Site
	err := s.R.WithContext(ctx).
		Where("EXISTS (SELECT 1 FROM users WHERE users.id = ? AND users.role = ?) OR id IN (SELECT site_id FROM user_sites WHERE user_id = ?)",
			userID, RoleAdmin, userID).
		Order("id").Find(&out).Error
	return out, err
}

// SiteIDsByUser are the ids of the sites each user was given, in site
// order, for the users page; admins have none here, they see every site.
func (s *Store) SiteIDsByUser(ctx context.Context) (map[int64][]int64, error) {
	var rows []userSite
	if err := s.R.WithContext(ctx).Order("user_id, site_id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := map[int64][]int64{}
	for _, r := range rows {
		out[r.UserID] = append(out[r.UserID], r.SiteID)
	}
	return out, nil
}

// SetUserSites gives a user exactly these sites, all or nothing: an
// unknown site, or none at all for someone who is not an admin, is a
// FieldError and changes nothing. A disabled account keeps its sites.
func (s *Store) SetUserSites(ctx context.Context, userID int64, siteIDs []int64) error {
	return s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var u User
		// The user's row is the lock: two admins saving at once queue.
		if err := lockRow(tx, s.Dialect).Take(&u, userID).Error; err != nil {
			return notFound(err)
		}
		return setUserSites(tx, u.ID, u.Role, siteIDs)
	})
}

// setUserSites replaces a user's sites inside tx.
func setUserSites(tx *gorm.DB, userID int64, role Role, siteIDs []int64) error {
	seen := map[int64]bool{}
	var ids []int64
	for _, id := range siteIDs {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 && role != RoleAdmin {
		return &FieldError{"sites", "required"}
	}
	if len(ids) > maxUserSites {
		return &FieldError{"sites", "bad_choice"}
	}
	if len(ids) > 0 {
		var n int64
		if err := tx.Model(&Site{}).Where("id IN ?", ids).Count(&n).Error; err != nil {
			return err
		}
		if n != int64(len(ids)) {
			return &FieldError{"sites", "bad_choice"}
		}
	}
	if err := tx.Where("user_id = ?", userID).Delete(&userSite{}).Error; err != nil {
		return err
	}
	if len(ids) == 0 {
		return nil
	}
	rows := make([]userSite, len(ids))
	for i, id := range ids {
		rows[i] = userSite{UserID: userID, SiteID: id}
	}
	return tx.Create(&rows).Error
}

// giveStaffEverySite runs once, when staff start to belong to sites
// (migration 14): everyone who is not an admin gets every existing site,
// as before, so nobody loses access on the upgrade. Disabled accounts
// too: they keep their sites when enabled again. Rows already there stay.
func giveStaffEverySite(ctx context.Context, tx *sql.Tx, _ string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO user_sites (user_id, site_id)
SELECT users.id, sites.id FROM users CROSS JOIN sites
WHERE users.role <> $1 AND NOT EXISTS (
	SELECT 1 FROM user_sites WHERE user_sites.user_id = users.id AND user_sites.site_id = sites.id)`, string(RoleAdmin))
	return err
}
