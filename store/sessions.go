package store

import (
	"context"
	"time"

	"gorm.io/gorm/clause"
)

// Web sessions live in the database, so that a signed-in staff member stays
// signed in when the server restarts and whichever server of a network
// answers. The value is opaque bytes: the web layer encodes it.

// sessionRow is one stored session.
type sessionRow struct {
	Key       string `gorm:"primaryKey"`
	Data      []byte
	ExpiresAt *time.Time // nil: never expires
}

// TableName names the table of sessions.
func (sessionRow) TableName() string { return "sessions" }

// sessionTimeout bounds one session read or write: the storage interface
// takes no context, and a request must not wait forever on the database.
const sessionTimeout = 10 * time.Second

// Sessions is the storage of web sessions. Its methods have the signatures
// of Fiber's Storage interface (the store itself knows nothing of Fiber):
// a missing or expired key reads as nil, a zero expiry never expires.
type Sessions struct{ s *Store }

// Sessions returns the session storage of this store. Closing it leaves
// the database open; Store.Close closes that.
func (s *Store) Sessions() *Sessions { return &Sessions{s: s} }

// Get returns the value stored under key, or nil, nil when there is none
// or it has expired.
func (ss *Sessions) Get(key string) ([]byte, error) {
	if key == "" {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), sessionTimeout)
	defer cancel()
	var rows []sessionRow
	err := ss.s.R.WithContext(ctx).
		Where("key = ? AND (expires_at IS NULL OR expires_at > ?)", key, ss.s.Now()).
		Limit(1).Find(&rows).Error
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	return rows[0].Data, nil
}

// Set stores val under key, replacing what was there, for exp (0: no
// expiry). An empty key or value is ignored, as the interface says.
func (ss *Sessions) Set(key string, val []byte, exp time.Duration) error {
	if key == "" || len(val) == 0 {
		return nil
	}
	row := sessionRow{Key: key, Data: val}
	if exp > 0 {
		t := ss.s.Now().Add(exp)
		row.ExpiresAt = &t
	}
	ctx, cancel := context.WithTimeout(context.Background(), sessionTimeout)
	defer cancel()
	return ss.s.W.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "key"}},
		DoUpdates: clause.AssignmentColumns([]string{"data", "expires_at"}),
	}).Create(&row).Error
}

// Delete removes the value under key; a missing key is no error.
func (ss *Sessions) Delete(key string) error {
	if key == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), sessionTimeout)
	defer cancel()
	return ss.s.W.WithContext(ctx).Where("key = ?", key).Delete(&sessionRow{}).Error
}

// Reset removes every session (and nothing else): everyone signs in again.
func (ss *Sessions) Reset() error {
	ctx, cancel := context.WithTimeout(context.Background(), sessionTimeout)
	defer cancel()
	return ss.s.W.WithContext(ctx).Exec("DELETE FROM sessions").Error
}

// Close does nothing: the sessions share the store's database, which
// Store.Close closes.
func (ss *Sessions) Close() error { return nil }

// PurgeSessions removes the sessions that have expired and returns how
// many. Get never returns them anyway; this keeps the table small.
func (s *Store) PurgeSessions(ctx context.Context) (int64, error) {
	res := s.W.WithContext(ctx).Where("expires_at <= ?", s.Now()).Delete(&sessionRow{})
	return res.RowsAffected, res.Error
}
