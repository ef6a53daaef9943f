package store

import (
	"sync"
	"time"
)

// Site is one place where the lab runs (a food point, a CPAS antenna).
type Site struct {
	ID         int64
	OperatorID int64 // the organisation that runs it (Operator)
	Name       string
	Address    string // printed on what a member takes home
	Phone      string // the number to call, printed on receipts and reminders
	TimeZone   string
	CreatedAt  time.Time
}

// Location is the site's time zone, Europe/Brussels when unset or unknown.
func (s Site) Location() *time.Location {
	name := s.TimeZone
	if name == "" {
		name = "Europe/Brussels"
	}
	if loc, ok := locations.Load(name); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		if loc, err = time.LoadLocation("Europe/Brussels"); err != nil {
			loc = time.UTC
		}
	}
	locations.Store(name, loc)
	return loc
}

// locations caches parsed time zones: LoadLocation reads and parses the
// zone file on every call, and the check-in path needs one per scan.
var locations sync.Map

// Role is what a staff account may do.
type Role string

const (
	RoleAdmin       Role = "admin"
	RoleStaff       Role = "staff"
	RoleFacilitator Role = "facilitator"
	// RoleCoordinator runs the courses of their sites (sessions, roll
	// call, satisfaction) and reads their figures; of a member they see
	// only what the roll call needs (nickname, check code), never the
	// phone, e-mail or note.
	RoleCoordinator Role = "coordinator"
	// RolePeer is a peer supporter: they see the help queue and the
	// subject of each ticket, a visitor's nickname only when the visitor
	// checked in, and nothing else of members.
	RolePeer Role = "peer"
	// RoleMentor is a volunteer mentor: they see only their own tandems
	// (their mentee's nickname, the meetings, the goals and outcomes).
	RoleMentor Role = "mentor"
)

// Roles lists the roles in the order the admin panel offers them.
var Roles = []Role{RoleAdmin, RoleStaff, RoleFacilitator, RoleCoordinator, RolePeer, RoleMentor}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, k := range Roles {
		if r == k {
			return true
		}
	}
	return false
}

// User is a staff, volunteer, facilitator or coordinator account.
type User struct {
	ID           int64
	Email        string
	Name         string
	Role         Role
	PasswordHash string `json:"-"`
	Lang         string
	CreatedAt    time.Time
	DisabledAt   *time.Time
}

// Member is a visitor. Only a nickname and a language are needed; nothing
// about residence status or nationality is ever stored.
type Member struct {
	ID        int64
	Nickname  string
	Lang      string
	SiteID    int64
	Phone     string
	Email     string
	Note      string
	AgeBand   string // optional: one of AgeBands, or "" when not asked
	Gender    string // optional: one of Genders, or "" when not asked
	Search    string `json:"-"` // Fold(Nickname), kept by this package
	CreatedAt time.Time
	UpdatedAt time.Time
	ErasedAt  *time.Time // erased on request: only anonymous figures remain
	Card      *Card      `gorm:"-"`
}

// Card is a member card. Its token is the secret in the QR code; the
// database holds only a keyed hash of it (TokenHash), so that a copy of
// the database cannot print a working card. Token is the token itself,
// known only when the card was just issued (or just scanned). CheckCode
// is the short code printed under the QR for a lookup by hand.
type Card struct {
	ID        int64
	MemberID  int64
	TokenHash string `json:"-"`
	Token     string `gorm:"-" json:"-"`
	CheckCode string
	IssuedAt  time.Time
	RevokedAt *time.Time
}

// Visit is one check-in of a member at a site on a local calendar day.
type Visit struct {
	ID          int64
	MemberID    int64
	SiteID      int64
	Day         string // YYYY-MM-DD in the site's time zone
	CheckedInAt time.Time
}

// Setting is one key/value of the organisation's configuration.
type Setting struct {
	Key   string `gorm:"primaryKey"`
	Value string
}
