package store

import (
	"context"
	"time"
)

// AuditAction is what a staff member did with a member's data.
type AuditAction string

// The actions the audit log records: every time staff read, export,
// change or erase a member's data, or print their card.
const (
	AuditView     AuditAction = "view"     // the member's page
	AuditData     AuditAction = "data"     // what we hold, on screen
	AuditExport   AuditAction = "export"   // what we hold, as a file or PDF
	AuditCreate   AuditAction = "create"   // registered
	AuditEdit     AuditAction = "edit"     // details changed
	AuditCard     AuditAction = "card"     // a card printed (issued)
	AuditReissue  AuditAction = "reissue"  // a card blocked and replaced
	AuditErase    AuditAction = "erase"    // erased
	AuditEraseAll AuditAction = "retained" // erased by the retention job
)

// AuditEntry is one line of the audit log: who did what with whose data,
// when, at which site. It names the member by id only: the log itself
// holds no personal data beyond who on the staff looked.
type AuditEntry struct {
	ID       int64
	At       time.Time
	UserID   *int64
	Action   AuditAction
	MemberID *int64
	SiteID   *int64
}

func (AuditEntry) TableName() string { return "audit_log" }

// Audit records that a staff member (userID; 0 for Drempel itself) did
// action with a member's data at a site.
func (s *Store) Audit(ctx context.Context, userID int64, action AuditAction, memberID, siteID int64) error {
	e := AuditEntry{At: s.Now(), Action: action}
	if userID != 0 {
		e.UserID = &userID
	}
	if memberID != 0 {
		e.MemberID = &memberID
	}
	if siteID != 0 {
		e.SiteID = &siteID
	}
	return s.W.WithContext(ctx).Create(&e).Error
}

// AuditRow is an audit line with names, for the admins' page.
type AuditRow struct {
	AuditEntry
	UserEmail string
	UserName  string
	Nickname  string // empty for an erased member
	SiteName  string
}

// AuditLog lists the latest lines of the audit log, newest first: of one
// member when memberID is not 0.
func (s *Store) AuditLog(ctx context.Context, memberID int64, limit int) ([]AuditRow, error) {
	q := s.R.WithContext(ctx).Table("audit_log").
		Select("audit_log.*, COALESCE(users.email, '') AS user_email, COALESCE(users.name, '') AS user_name, COALESCE(members.nickname, '') AS nickname, COALESCE(sites.name, '') AS site_name").
		Joins("LEFT JOIN users ON users.id = audit_log.user_id").
		Joins("LEFT JOIN members ON members.id = audit_log.member_id").
		Joins("LEFT JOIN sites ON sites.id = audit_log.site_id")
	if memberID != 0 {
		q = q.Where("audit_log.member_id = ?", memberID)
	}
	var rows []AuditRow
	err := q.Order("audit_log.at DESC, audit_log.id DESC").Limit(limit).Scan(&rows).Error
	return rows, err
}
