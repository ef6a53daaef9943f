package store

import (
	"context"
	"errors"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Setting keys.
const (
	SettingOrgName    = "org_name"
	SettingOrgPhone   = "org_phone" // printed on what a member takes home
	SettingSetupToken = "setup_token_hash"
	SettingDemo       = "demo" // "1" in a database the demo created
)

// Setting reads one setting; a missing key gives "".
func (s *Store) Setting(ctx context.Context, key string) (string, error) {
	var st Setting
	err := s.R.WithContext(ctx).Take(&st, "key = ?", key).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", nil
	}
	return st.Value, err
}

// SetSetting writes one setting.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	return s.W.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "key"}},
		DoUpdates: clause.AssignmentColumns([]string{"value"}),
	}).Create(&Setting{Key: key, Value: value}).Error
}

// DeleteSetting removes one setting.
func (s *Store) DeleteSetting(ctx context.Context, key string) error {
	return s.W.WithContext(ctx).Where("key = ?", key).Delete(&Setting{}).Error
}
