package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// DeviceType is what kind of thing is lent.
type DeviceType string

// Device types, with their asset-tag prefixes.
const (
	Laptop    DeviceType = "laptop"
	Tablet    DeviceType = "tablet"
	Phone     DeviceType = "phone"
	Dongle    DeviceType = "dongle" // internet dongle or MiFi
	Accessory DeviceType = "accessory"
)

// DeviceTypes lists the types in the order forms offer them.
var DeviceTypes = []DeviceType{Laptop, Tablet, Phone, Dongle, Accessory}

var tagPrefix = map[DeviceType]string{Laptop: "LAP", Tablet: "TAB", Phone: "TEL", Dongle: "NET", Accessory: "ACC"}

// Valid reports whether t is a known type.
func (t DeviceType) Valid() bool { _, ok := tagPrefix[t]; return ok }

// DeviceStatus is where a device is.
type DeviceStatus string

// Device states.
const (
	Available DeviceStatus = "available"
	OnLoan    DeviceStatus = "on_loan"
	Checking  DeviceStatus = "checking" // returned, waiting for the wipe and check
	InRepair  DeviceStatus = "repair"
	Lost      DeviceStatus = "lost"
	Retired   DeviceStatus = "retired"
)

// DeviceStatuses lists the states in the order lists show them.
var DeviceStatuses = []DeviceStatus{Available, OnLoan, Checking, InRepair, Lost, Retired}

// Device is one lendable thing with its QR label.
type Device struct {
	ID        int64
	SiteID    int64
	Type      DeviceType
	AssetTag  string
	Make      string
	Model     string
	Serial    string
	Notes     string
	Status    DeviceStatus
	ParentID  *int64 // an accessory bundled with this device
	CreatedAt time.Time
}

// Label is how a device is named on lists: its tag, make and model.
func (d Device) Label() string {
	return strings.TrimSpace(d.AssetTag + " " + strings.TrimSpace(d.Make+" "+d.Model))
}

// LoanStatus is where a loan stands.
type LoanStatus string

// Loan states.
const (
	LoanOpen     LoanStatus = "open"
	LoanReturned LoanStatus = "returned"
	LoanLost     LoanStatus = "lost"
)

// Loan is one device in one member's hands.
type Loan struct {
	ID            int64
	DeviceID      int64
	MemberID      int64
	SiteID        int64
	LentAt        time.Time
	DueAt         time.Time
	ReturnedAt    *time.Time
	LentBy        *int64
	ReturnedBy    *int64
	Status        LoanStatus
	TermsAccepted bool
}

// DeviceEvent is one line of a device's history: who did what, when.
type DeviceEvent struct {
	ID       int64
	DeviceID int64
	LoanID   *int64
	MemberID *int64
	UserID   *int64
	At       time.Time
	Kind     string
	Note     string
}

// Why a loan is refused.
var (
	ErrDeviceUnavailable = errors.New("device not available")
	ErrNoTerms           = errors.New("loan terms not accepted")
)

// DeviceError names the device a refusal is about.
type DeviceError struct {
	Err    error
	Device Device
}

func (e *DeviceError) Error() string { return e.Device.AssetTag + ": " + e.Err.Error() }

// Unwrap lets errors.Is see the reason.
func (e *DeviceError) Unwrap() error { return e.Err }

// DeviceInput is what the inventory form fills in.
type DeviceInput struct {
	Type     DeviceType
	Make     string
	Model    string
	Serial   string
	Notes    string
	ParentID *int64
}

// DeviceTextMax is how many characters each text field of a device may
// hold, for the messages that say so.
var DeviceTextMax = map[string]int{"make": 60, "model": 80, "serial": 80, "notes": 1000}

func (in DeviceInput) clean() (DeviceInput, error) {
	var err error
	if !in.Type.Valid() {
		return in, &FieldError{"type", "bad_choice"}
	}
	if in.Make, err = cleanText("make", in.Make, DeviceTextMax["make"]); err != nil {
		return in, err
	}
	if in.Model, err = cleanText("model", in.Model, DeviceTextMax["model"]); err != nil {
		return in, err
	}
	if in.Serial, err = cleanText("serial", in.Serial, DeviceTextMax["serial"]); err != nil {
		return in, err
	}
	if in.Notes, err = cleanLines("notes", in.Notes, DeviceTextMax["notes"]); err != nil {
		return in, err
	}
	return in, nil
}

// checkSerial refuses a serial number that another device already has: a
// serial belongs to one device. except is the device being changed (0 for
// a new one).
func checkSerial(tx *gorm.DB, serial string, except int64) error {
	if serial == "" {
		return nil
	}
	var n int64
	if err := tx.Model(&Device{}).Where("LOWER(serial) = LOWER(?) AND id <> ?", serial, except).Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return &FieldError{"serial", "taken"}
	}
	return nil
}

// checkParent checks the device that device self (0 for a new one) is to
// go with: a device of the same site, not itself, not an accessory, and
// not bundled with another device in turn; and a device that has
// accessories of its own goes with nothing. Bundles are one level deep,
// as lending and returning expect.
func checkParent(tx *gorm.DB, siteID, self, parentID int64) error {
	if parentID == self {
		return &FieldError{"parent", "self"}
	}
	var p Device
	if err := tx.Where("id = ? AND site_id = ?", parentID, siteID).Take(&p).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return &FieldError{"parent", "bad_choice"}
		}
		return err
	}
	if p.Type == Accessory {
		return &FieldError{"parent", "accessory"}
	}
	if p.ParentID != nil {
		return &FieldError{"parent", "bundled"}
	}
	if self != 0 {
		var n int64
		if err := tx.Model(&Device{}).Where("parent_id = ? AND status NOT IN ?", self, []DeviceStatus{Retired, Lost}).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return &FieldError{"parent", "has_accessories"}
		}
	}
	return nil
}

func (s *Store) event(tx *gorm.DB, e DeviceEvent) error {
	e.At = s.Now()
	return tx.Create(&e).Error
}

// AddDevices adds count identical devices (a delivery of laptops) with new
// asset tags, in one transaction. A serial number only fits one device.
func (s *Store) AddDevices(ctx context.Context, siteID int64, in DeviceInput, count int, by int64) ([]Device, error) {
	in, err := in.clean()
	if err != nil {
		return nil, err
	}
	if count < 1 || count > 200 {
		return nil, &FieldError{"count", "out_of_range"}
	}
	if count > 1 && in.Serial != "" {
		return nil, &FieldError{"serial", "one_device"}
	}
	var out []Device
	err = s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		out, err = s.addDevicesTx(tx, siteID, in, count, by)
		return err
	})
	return out, err
}

// ImportError says which row of an import is wrong.
type ImportError struct {
	Row int
	Err error
}

func (e *ImportError) Error() string { return fmt.Sprintf("row %d: %v", e.Row, e.Err) }

// Unwrap gives the row's own error.
func (e *ImportError) Unwrap() error { return e.Err }

// ImportDevices adds one device per input, all or none: a wrong row
// refuses the whole import and says which row (counting from 1).
func (s *Store) ImportDevices(ctx context.Context, siteID int64, ins []DeviceInput, by int64) (int, error) {
	if len(ins) == 0 || len(ins) > 2000 {
		return 0, &ImportError{0, &FieldError{"file", "out_of_range"}}
	}
	for i := range ins {
		var err error
		if ins[i], err = ins[i].clean(); err != nil {
			return 0, &ImportError{i + 1, err}
		}
	}
	err := s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for i, in := range ins {
			if _, err := s.addDevicesTx(tx, siteID, in, 1, by); err != nil {
				return &ImportError{i + 1, err}
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(ins), nil
}

func (s *Store) addDevicesTx(tx *gorm.DB, siteID int64, in DeviceInput, count int, by int64) ([]Device, error) {
	var out []Device
	err := func() error {
		if in.ParentID != nil {
			if err := checkParent(tx, siteID, 0, *in.ParentID); err != nil {
				return err
			}
		}
		if err := checkSerial(tx, in.Serial, 0); err != nil {
			return err
		}
		prefix := tagPrefix[in.Type]
		var tags []string
		if err := tx.Model(&Device{}).Where("asset_tag LIKE ?", prefix+"-%").Pluck("asset_tag", &tags).Error; err != nil {
			return err
		}
		next := 1
		for _, t := range tags {
			if n, err := strconv.Atoi(strings.TrimPrefix(t, prefix+"-")); err == nil && n >= next {
				next = n + 1
			}
		}
		for i := 0; i < count; i++ {
			d := Device{SiteID: siteID, Type: in.Type, AssetTag: fmt.Sprintf("%s-%04d", prefix, next+i), Make: in.Make,
				Model: in.Model, Serial: in.Serial, Notes: in.Notes, Status: Available, ParentID: in.ParentID, CreatedAt: s.Now()}
			if err := tx.Create(&d).Error; err != nil {
				return err
			}
			if err := s.event(tx, DeviceEvent{DeviceID: d.ID, UserID: &by, Kind: "added"}); err != nil {
				return err
			}
			out = append(out, d)
		}
		return nil
	}()
	return out, err
}

// UpdateDevice changes what staff may change on a device once it is
// added: make, model, serial number, notes, and the device it goes with.
// Its type and tag stay (in.Type is not used). The rules of adding hold,
// and an accessory on loan keeps its device until it is back. The history
// records who changed which fields, never what the notes say.
func (s *Store) UpdateDevice(ctx context.Context, id int64, in DeviceInput, by int64) error {
	return s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var d Device
		q := tx
		if s.Dialect == "postgres" {
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		if err := q.Take(&d, id).Error; err != nil {
			return notFound(err)
		}
		in.Type = d.Type
		in, err := in.clean()
		if err != nil {
			return err
		}
		set := map[string]any{}
		var changed []string
		for _, f := range []struct {
			col      string
			old, new string
		}{{"make", d.Make, in.Make}, {"model", d.Model, in.Model}, {"serial", d.Serial, in.Serial}, {"notes", d.Notes, in.Notes}} {
			if f.old != f.new {
				set[f.col] = f.new
				changed = append(changed, f.col)
			}
		}
		if _, ok := set["serial"]; ok {
			if err := checkSerial(tx, in.Serial, d.ID); err != nil {
				return err
			}
		}
		if !sameID(d.ParentID, in.ParentID) {
			if d.Status == OnLoan {
				return &FieldError{"parent", "on_loan"}
			}
			if in.ParentID != nil {
				if err := checkParent(tx, d.SiteID, d.ID, *in.ParentID); err != nil {
					return err
				}
			}
			set["parent_id"] = in.ParentID
			changed = append(changed, "parent")
		}
		if len(changed) == 0 {
			return nil
		}
		if err := tx.Model(&Device{}).Where("id = ?", d.ID).Updates(set).Error; err != nil {
			return err
		}
		return s.event(tx, DeviceEvent{DeviceID: d.ID, UserID: &by, Kind: "edited", Note: strings.Join(changed, " ")})
	})
}

func sameID(a, b *int64) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

// Changed lists the fields an "edited" event changed (make, model,
// serial, notes, parent).
func (e DeviceEvent) Changed() []string {
	if e.Kind != "edited" {
		return nil
	}
	return strings.Fields(e.Note)
}

// Device loads one device.
func (s *Store) Device(ctx context.Context, id int64) (*Device, error) {
	var d Device
	if err := s.R.WithContext(ctx).Take(&d, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &d, nil
}

// NormalizeTag reads an asset tag from what a scanner typed: the tag
// itself, or the URL printed in its QR code (…/d/LAP-0042).
func NormalizeTag(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndex(s, "/"); i >= 0 {
		s = s[i+1:]
	}
	s = strings.ToUpper(s)
	if len(s) < 5 || len(s) > 12 || s[3] != '-' {
		return ""
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return ""
		}
	}
	return s
}

// DeviceByTag finds a device by its asset tag (or its label's URL).
func (s *Store) DeviceByTag(ctx context.Context, tag string) (*Device, error) {
	tag = NormalizeTag(tag)
	if tag == "" {
		return nil, ErrNotFound
	}
	var d Device
	if err := s.R.WithContext(ctx).Where("asset_tag = ?", tag).Take(&d).Error; err != nil {
		return nil, notFound(err)
	}
	return &d, nil
}

// DeviceFilter narrows the inventory list.
type DeviceFilter struct {
	Status DeviceStatus
	Type   DeviceType
	Q      string // part of tag, make, model or serial
}

// Devices lists a site's inventory by tag.
func (s *Store) Devices(ctx context.Context, siteID int64, f DeviceFilter) ([]Device, error) {
	q := s.R.WithContext(ctx).Where("site_id = ?", siteID)
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Type != "" {
		q = q.Where("type = ?", f.Type)
	}
	if t := searchText(f.Q, 80); t != "" {
		q = q.Where(`LOWER(asset_tag || ' ' || make || ' ' || model || ' ' || serial) LIKE ? ESCAPE '\'`, likePattern(strings.ToLower(t)))
	}
	var ds []Device
	err := q.Order("asset_tag").Limit(2000).Find(&ds).Error
	return ds, err
}

// Accessories lists the accessories bundled with a device.
func (s *Store) Accessories(ctx context.Context, deviceID int64) ([]Device, error) {
	var ds []Device
	err := s.R.WithContext(ctx).Where("parent_id = ? AND status NOT IN ?", deviceID, []DeviceStatus{Retired, Lost}).Order("asset_tag").Find(&ds).Error
	return ds, err
}

// LoanPolicies is what a site set for how long each device type is lent;
// a type it set nothing for is not in the map (package devices knows the
// defaults).
func (s *Store) LoanPolicies(ctx context.Context, siteID int64) (map[DeviceType]int, error) {
	var rows []struct {
		DeviceType DeviceType
		Days       int
	}
	if err := s.R.WithContext(ctx).Table("loan_policies").Select("device_type, days").Where("site_id = ?", siteID).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[DeviceType]int, len(rows))
	for _, r := range rows {
		out[r.DeviceType] = r.Days
	}
	return out, nil
}

// SetLoanPolicy records how many days a device type is lent at a site, as
// package devices validated it.
func (s *Store) SetLoanPolicy(ctx context.Context, siteID int64, t DeviceType, days int) error {
	return s.W.WithContext(ctx).Exec(
		"INSERT INTO loan_policies (site_id, device_type, days) VALUES (?, ?, ?) ON CONFLICT (site_id, device_type) DO UPDATE SET days = excluded.days",
		siteID, t, days).Error
}

// DueFunc says when a device lent at a moment is due. with is the device
// it goes along with in the same loan (its laptop, for a charger), nil
// when it is lent on its own.
type DueFunc func(lent time.Time, d Device, with *Device) time.Time

// LendInput lends devices to a member.
type LendInput struct {
	SiteID        int64
	MemberID      int64
	DeviceIDs     []int64 // the devices scanned; their accessories go along
	TermsAccepted bool
	By            int64
	// Due is the site's loan policy, from package devices (devices.Desk
	// always gives it). Without it a loan is due a fortnight after it is
	// lent, to the second, for tests that only need a loan on record.
	Due DueFunc
}

// undatedLoan is how long a loan lent without a Due lasts: long enough
// not to be overdue in a test that does not expect it.
const undatedLoan = 14

// Lend lends the devices, each with the accessories bundled with it that
// are available, until in.Due says. All or nothing: one device that is
// not available refuses the whole loan and names it. A device is taken
// with a conditional update and guarded by a unique index on open loans,
// so it is never on two loans, however many desks scan it at once. A loan
// is never recorded without the member's yes to the terms.
func (s *Store) Lend(ctx context.Context, in LendInput) ([]Loan, error) {
	if !in.TermsAccepted {
		return nil, ErrNoTerms
	}
	if len(in.DeviceIDs) == 0 {
		return nil, &FieldError{"device", "required"}
	}
	var loans []Loan
	err := s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := s.Now()
		if err := lockMember(tx, s.Dialect, in.MemberID); err != nil {
			return err
		}
		var cards int64
		if err := tx.Model(&Card{}).Where("member_id = ? AND revoked_at IS NULL", in.MemberID).Count(&cards).Error; err != nil {
			return err
		}
		if cards == 0 {
			return ErrNoActiveCard
		}
		seen := map[int64]bool{}
		var devices []Device
		for _, id := range in.DeviceIDs {
			if seen[id] {
				continue
			}
			var d Device
			if err := tx.Take(&d, id).Error; err != nil {
				return notFound(err)
			}
			seen[id] = true
			devices = append(devices, d)
			var acc []Device
			if err := tx.Where("parent_id = ? AND status = ?", d.ID, Available).Find(&acc).Error; err != nil {
				return err
			}
			for _, a := range acc {
				if !seen[a.ID] {
					seen[a.ID] = true
					devices = append(devices, a)
				}
			}
		}
		with := map[int64]*Device{} // an accessory that came along: the device it came with
		for i := range devices {
			if p := devices[i].ParentID; p != nil {
				for j := range devices {
					if devices[j].ID == *p {
						with[devices[i].ID] = &devices[j]
					}
				}
			}
		}
		for _, d := range devices {
			if d.SiteID != in.SiteID {
				return &DeviceError{ErrDeviceUnavailable, d}
			}
			res := tx.Model(&Device{}).Where("id = ? AND status = ?", d.ID, Available).Update("status", OnLoan)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				return &DeviceError{ErrDeviceUnavailable, d}
			}
			due := now.AddDate(0, 0, undatedLoan)
			if in.Due != nil {
				due = in.Due(now, d, with[d.ID]).UTC()
			}
			by := in.By
			l := Loan{DeviceID: d.ID, MemberID: in.MemberID, SiteID: in.SiteID, LentAt: now, DueAt: due,
				LentBy: &by, Status: LoanOpen, TermsAccepted: true}
			if err := tx.Create(&l).Error; err != nil {
				if errors.Is(err, gorm.ErrDuplicatedKey) {
					return &DeviceError{ErrDeviceUnavailable, d}
				}
				return err
			}
			if err := s.event(tx, DeviceEvent{DeviceID: d.ID, LoanID: &l.ID, MemberID: &in.MemberID, UserID: &by, Kind: "lent"}); err != nil {
				return err
			}
			loans = append(loans, l)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return loans, nil
}

// Loan loads one loan.
func (s *Store) Loan(ctx context.Context, id int64) (*Loan, error) {
	var l Loan
	if err := s.R.WithContext(ctx).Take(&l, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &l, nil
}

// OpenLoan is the open loan of a device, if any.
func (s *Store) OpenLoan(ctx context.Context, deviceID int64) (*Loan, error) {
	var l Loan
	if err := s.R.WithContext(ctx).Where("device_id = ? AND status = ?", deviceID, LoanOpen).Take(&l).Error; err != nil {
		return nil, notFound(err)
	}
	return &l, nil
}

// ReturnInput is the short check done when a device comes back.
type ReturnInput struct {
	DeviceID   int64
	By         int64
	Wiped      bool    // personal data wiped at the desk, for the history
	Damaged    bool    // recorded on the device's history
	DamageNote string  // what is damaged
	Missing    []int64 // bundled accessories that did not come back
	// Status is where the device and the accessories that came back go:
	// Available or Checking, as package devices decides. Left empty, they
	// wait in Checking, which promises nothing.
	Status DeviceStatus
}

// Return closes the device's open loan and those of its accessories that
// came back, and puts them in in.Status.
func (s *Store) Return(ctx context.Context, in ReturnInput) (*Loan, error) {
	note, err := cleanLines("damage", in.DamageNote, 500)
	if err != nil {
		return nil, err
	}
	status := in.Status
	switch status {
	case "":
		status = Checking
	case Available, Checking:
	default:
		return nil, &FieldError{"status", "bad_choice"}
	}
	var loan Loan
	err = s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := s.Now()
		if err := tx.Where("device_id = ? AND status = ?", in.DeviceID, LoanOpen).Take(&loan).Error; err != nil {
			return notFound(err)
		}
		missing := map[int64]bool{}
		for _, id := range in.Missing {
			missing[id] = true
		}
		ids := []int64{in.DeviceID}
		var acc []Loan
		if err := tx.Table("loans").Select("loans.*").Joins("JOIN devices ON devices.id = loans.device_id").
			Where("devices.parent_id = ? AND loans.status = ? AND loans.member_id = ?", in.DeviceID, LoanOpen, loan.MemberID).Find(&acc).Error; err != nil {
			return err
		}
		for _, a := range acc {
			if missing[a.DeviceID] {
				if err := s.event(tx, DeviceEvent{DeviceID: a.DeviceID, LoanID: &a.ID, MemberID: &a.MemberID, UserID: &in.By, Kind: "missing"}); err != nil {
					return err
				}
				continue
			}
			ids = append(ids, a.DeviceID)
		}
		for _, id := range ids {
			res := tx.Model(&Loan{}).Where("device_id = ? AND status = ?", id, LoanOpen).
				Updates(map[string]any{"status": LoanReturned, "returned_at": now, "returned_by": in.By})
			if res.Error != nil {
				return res.Error
			}
			if err := tx.Model(&Device{}).Where("id = ?", id).Update("status", status).Error; err != nil {
				return err
			}
			if err := s.event(tx, DeviceEvent{DeviceID: id, LoanID: &loan.ID, MemberID: &loan.MemberID, UserID: &in.By, Kind: "returned"}); err != nil {
				return err
			}
			if in.Wiped {
				if err := s.event(tx, DeviceEvent{DeviceID: id, UserID: &in.By, Kind: "wiped"}); err != nil {
					return err
				}
			}
		}
		if in.Damaged {
			if err := s.event(tx, DeviceEvent{DeviceID: in.DeviceID, LoanID: &loan.ID, MemberID: &loan.MemberID, UserID: &in.By, Kind: "damaged", Note: note}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &loan, nil
}

// ConfirmWipe makes a returned device available again once its personal
// data is wiped and it is checked. Its accessories that came back with it
// and wait in "being checked" are checked with it and available too.
func (s *Store) ConfirmWipe(ctx context.Context, deviceID, by int64) error {
	return s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&Device{}).Where("id = ? AND status = ?", deviceID, Checking).Update("status", Available)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrNotFound
		}
		if err := s.event(tx, DeviceEvent{DeviceID: deviceID, UserID: &by, Kind: "wiped"}); err != nil {
			return err
		}
		var acc []int64
		if err := tx.Model(&Device{}).Where("parent_id = ? AND status = ?", deviceID, Checking).Order("id").Pluck("id", &acc).Error; err != nil {
			return err
		}
		for _, id := range acc {
			res := tx.Model(&Device{}).Where("id = ? AND status = ?", id, Checking).Update("status", Available)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				continue
			}
			if err := s.event(tx, DeviceEvent{DeviceID: id, UserID: &by, Kind: "wiped"}); err != nil {
				return err
			}
		}
		return nil
	})
}

// SetDeviceStatus moves a device that is not on loan to repair, back to
// available, or out of service (retired); a device on loan changes only
// through its loan.
func (s *Store) SetDeviceStatus(ctx context.Context, deviceID int64, to DeviceStatus, by int64, note string) error {
	if to != Available && to != InRepair && to != Retired && to != Checking {
		return &FieldError{"status", "bad_choice"}
	}
	note, err := cleanLines("note", note, 500)
	if err != nil {
		return err
	}
	return s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&Device{}).Where("id = ? AND status <> ?", deviceID, OnLoan).Update("status", to)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrDeviceUnavailable
		}
		return s.event(tx, DeviceEvent{DeviceID: deviceID, UserID: &by, Kind: "status_" + string(to), Note: note})
	})
}

// ChangeDue moves an open loan's due date, and that of the accessories
// that went with its device: later to extend it, earlier to correct it.
// Package devices checks the date; the history keeps its day as given.
func (s *Store) ChangeDue(ctx context.Context, loanID int64, due time.Time, by int64) error {
	return s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var l Loan
		if err := tx.Where("id = ? AND status = ?", loanID, LoanOpen).Take(&l).Error; err != nil {
			return notFound(err)
		}
		acc := tx.Session(&gorm.Session{NewDB: true}).Model(&Device{}).Select("id").Where("parent_id = ?", l.DeviceID)
		if err := tx.Model(&Loan{}).Where("status = ? AND member_id = ? AND (id = ? OR device_id IN (?))", LoanOpen, l.MemberID, loanID, acc).
			Update("due_at", due.UTC()).Error; err != nil {
			return err
		}
		return s.event(tx, DeviceEvent{DeviceID: l.DeviceID, LoanID: &l.ID, MemberID: &l.MemberID, UserID: &by, Kind: "extended", Note: due.Format(time.DateOnly)})
	})
}

// MarkLost closes a loan as lost (or stolen): the device is lost too.
func (s *Store) MarkLost(ctx context.Context, loanID, by int64, stolen bool) error {
	return s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var l Loan
		if err := tx.Where("id = ? AND status = ?", loanID, LoanOpen).Take(&l).Error; err != nil {
			return notFound(err)
		}
		if err := tx.Model(&Loan{}).Where("id = ?", loanID).Updates(map[string]any{"status": LoanLost, "returned_at": s.Now(), "returned_by": by}).Error; err != nil {
			return err
		}
		if err := tx.Model(&Device{}).Where("id = ?", l.DeviceID).Update("status", Lost).Error; err != nil {
			return err
		}
		kind := "lost"
		if stolen {
			kind = "stolen"
		}
		return s.event(tx, DeviceEvent{DeviceID: l.DeviceID, LoanID: &l.ID, MemberID: &l.MemberID, UserID: &by, Kind: kind})
	})
}

// ReopenLoan undoes a return made by mistake: the loan is open again and
// the device back with the member, if nobody borrowed it since.
func (s *Store) ReopenLoan(ctx context.Context, loanID, by int64) error {
	return s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var l Loan
		if err := tx.Where("id = ? AND status = ?", loanID, LoanReturned).Take(&l).Error; err != nil {
			return notFound(err)
		}
		res := tx.Model(&Device{}).Where("id = ? AND status IN ?", l.DeviceID, []DeviceStatus{Checking, Available}).Update("status", OnLoan)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrDeviceUnavailable
		}
		if err := tx.Model(&Loan{}).Where("id = ?", loanID).Updates(map[string]any{"status": LoanOpen, "returned_at": nil, "returned_by": nil}).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return ErrDeviceUnavailable
			}
			return err
		}
		return s.event(tx, DeviceEvent{DeviceID: l.DeviceID, LoanID: &l.ID, MemberID: &l.MemberID, UserID: &by, Kind: "reopened"})
	})
}

// LoanRow is a loan with its device and member, for lists.
type LoanRow struct {
	Loan
	AssetTag   string
	DeviceType DeviceType
	Make       string
	Model      string
	Nickname   string
	Phone      string
	Email      string
}

func (s *Store) loanRows(ctx context.Context, where string, args ...any) ([]LoanRow, error) {
	var rows []LoanRow
	// Raw: GORM's chain (Table, Select, Joins, Where, Order) built this
	// statement anew on every call, a third of the kiosk's "my bookings".
	err := s.R.WithContext(ctx).Raw(`SELECT loans.*, devices.asset_tag, devices.type AS device_type, devices.make, devices.model,
		members.nickname, members.phone, members.email
		FROM loans JOIN devices ON devices.id = loans.device_id JOIN members ON members.id = loans.member_id
		WHERE `+where+` ORDER BY loans.due_at, devices.asset_tag LIMIT 1000`, args...).Scan(&rows).Error
	return rows, err
}

// MemberOpenLoans lists what a member has borrowed and not returned.
func (s *Store) MemberOpenLoans(ctx context.Context, memberID int64) ([]LoanRow, error) {
	return s.loanRows(ctx, "loans.member_id = ? AND loans.status = ?", memberID, LoanOpen)
}

// MemberOpenLoansAt lists what a member has borrowed at a site and not
// returned.
func (s *Store) MemberOpenLoansAt(ctx context.Context, memberID, siteID int64) ([]LoanRow, error) {
	return s.loanRows(ctx, "loans.member_id = ? AND loans.site_id = ? AND loans.status = ?", memberID, siteID, LoanOpen)
}

// MemberLoanHistory lists all of a member's loans at a site, newest first.
func (s *Store) MemberLoanHistory(ctx context.Context, memberID, siteID int64) ([]LoanRow, error) {
	rows, err := s.loanRows(ctx, "loans.member_id = ? AND loans.site_id = ?", memberID, siteID)
	for i, j := 0, len(rows)-1; i < j; i, j = i+1, j-1 {
		rows[i], rows[j] = rows[j], rows[i]
	}
	return rows, err
}

// OpenLoansDueBefore lists a site's open loans due before t, the earliest
// due first.
func (s *Store) OpenLoansDueBefore(ctx context.Context, siteID int64, t time.Time) ([]LoanRow, error) {
	return s.loanRows(ctx, "loans.site_id = ? AND loans.status = ? AND loans.due_at < ?", siteID, LoanOpen, t.UTC())
}

// CountOpenLoansDueBefore counts a site's open loans due before t (with
// t now: its overdue loans, see devices.Desk.CountOverdue).
func (s *Store) CountOpenLoansDueBefore(ctx context.Context, siteID int64, t time.Time) (int64, error) {
	var n int64
	err := s.R.WithContext(ctx).Model(&Loan{}).Where("site_id = ? AND status = ? AND due_at < ?", siteID, LoanOpen, t.UTC()).Count(&n).Error
	return n, err
}

// EventRow is a history line with who was involved.
type EventRow struct {
	DeviceEvent
	UserEmail string
	Nickname  string
	AssetTag  string
}

// DeviceHistory lists what happened to a device, newest first.
func (s *Store) DeviceHistory(ctx context.Context, deviceID int64) ([]EventRow, error) {
	var rows []EventRow
	err := s.R.WithContext(ctx).Table("device_events").
		Select("device_events.*, users.email AS user_email, members.nickname, devices.asset_tag").
		Joins("LEFT JOIN users ON users.id = device_events.user_id").
		Joins("LEFT JOIN members ON members.id = device_events.member_id").
		Joins("JOIN devices ON devices.id = device_events.device_id").
		Where("device_events.device_id = ?", deviceID).Order("device_events.id DESC").Limit(500).Scan(&rows).Error
	return rows, err
}

// LoanReport is what funders and coordinators ask about lending.
type LoanReport struct {
	PerMonth    []MonthCount // loans started, by month and device type
	Loans       int
	Returned    int
	AvgDays     float64 // average length of returned loans
	LatePercent float64 // share of returned loans that came back late
	NeverLent   []Device
	PerSite     map[string]int
}

// MonthCount is the loans of one device type started in one month.
type MonthCount struct {
	Month string // YYYY-MM in the site's time zone
	Type  DeviceType
	Count int
}

// LoanReportFor summarises the loans started at a site between from and
// to; its devices never lent are the site's too.
func (s *Store) LoanReportFor(ctx context.Context, site *Site, from, to time.Time) (*LoanReport, error) {
	var rows []struct {
		Loan
		Type     DeviceType
		SiteName string
	}
	err := s.R.WithContext(ctx).Table("loans").Select("loans.*, devices.type, sites.name AS site_name").
		Joins("JOIN devices ON devices.id = loans.device_id").Joins("JOIN sites ON sites.id = loans.site_id").
		Where("loans.site_id = ? AND loans.lent_at >= ? AND loans.lent_at < ?", site.ID, from, to).Order("loans.lent_at").Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	r := &LoanReport{PerSite: map[string]int{}}
	index := map[string]int{}
	var days float64
	late := 0
	loc := site.Location()
	for _, l := range rows {
		r.Loans++
		r.PerSite[l.SiteName]++
		key := l.LentAt.In(loc).Format("2006-01") + "|" + string(l.Type)
		i, ok := index[key]
		if !ok {
			i = len(r.PerMonth)
			index[key] = i
			r.PerMonth = append(r.PerMonth, MonthCount{Month: l.LentAt.In(loc).Format("2006-01"), Type: l.Type})
		}
		r.PerMonth[i].Count++
		if l.Status == LoanReturned && l.ReturnedAt != nil {
			r.Returned++
			days += l.ReturnedAt.Sub(l.LentAt).Hours() / 24
			if l.ReturnedAt.After(l.DueAt) {
				late++
			}
		}
	}
	if r.Returned > 0 {
		r.AvgDays = days / float64(r.Returned)
		r.LatePercent = float64(late) * 100 / float64(r.Returned)
	}
	err = s.R.WithContext(ctx).Where("site_id = ? AND status NOT IN ? AND id NOT IN (?)", site.ID, []DeviceStatus{Retired, Lost},
		s.R.Session(&gorm.Session{NewDB: true}).Model(&Loan{}).Select("device_id")).Order("asset_tag").Find(&r.NeverLent).Error
	return r, err
}
