package store

import (
	"context"
	"database/sql"
	"time"

	"gorm.io/gorm"
)

// Operator is an organisation that runs sites: a CPAS with its antennas,
// a food-aid non-profit with its food points. Several share one server
// and keep their walls up: a member belongs to the operator of the site
// that registered them, and is seen at that operator's sites only, unless
// two operators agreed, both, to share their members (Share).
//
// (Not to be confused with Organisation: the services and institutions
// named in threshold reports.)
type Operator struct {
	ID        int64
	Name      string
	CreatedAt time.Time
}

// operatorShare is one operator's consent to share its members with
// another. Sharing holds only while both consents are there.
type operatorShare struct {
	OperatorID int64 `gorm:"primaryKey;autoIncrement:false"`
	WithID     int64 `gorm:"primaryKey;autoIncrement:false"`
	AgreedBy   *int64
	AgreedAt   time.Time
}

func (operatorShare) TableName() string { return "operator_shares" }

// sitesSeeingSQL is the ids of the sites whose members a site sees: those
// of its own operator, and of every operator that shares with it both
// ways. One parameter: the site's id.
const sitesSeeingSQL = `SELECT seen.id FROM sites here JOIN sites seen ON seen.operator_id = here.operator_id OR seen.operator_id IN (
	SELECT mine.with_id FROM operator_shares mine JOIN operator_shares theirs
	ON theirs.operator_id = mine.with_id AND theirs.with_id = mine.operator_id
	WHERE mine.operator_id = here.operator_id)
WHERE here.id = ?`

// memberSeenAt is the condition that a member (the members table) is
// seen at a site: registered at one of the sites of sitesSeeingSQL, and
// not erased (an erased member is seen nowhere). The
// walls between operators are this one condition, used by every lookup
// of a member from a request (a card scanned, a check code typed, a
// member's page, the search).
const memberSeenAt = "members.erased_at IS NULL AND members.site_id IN (" + sitesSeeingSQL + ")"

// MemberSeenAt reports whether a member is seen at a site: false for a
// member of another operator that does not share, or no member at all.
func (s *Store) MemberSeenAt(ctx context.Context, memberID, siteID int64) (bool, error) {
	var n int64
	err := s.R.WithContext(ctx).Model(&Member{}).Where("id = ?", memberID).Where(memberSeenAt, siteID).Count(&n).Error
	return n > 0, err
}

// Operators are every operator, by name.
func (s *Store) Operators(ctx context.Context) ([]Operator, error) {
	var out []Operator
	err := s.R.WithContext(ctx).Order("name, id").Find(&out).Error
	return out, err
}

// Operator loads one operator.
func (s *Store) Operator(ctx context.Context, id int64) (*Operator, error) {
	var o Operator
	if err := s.R.WithContext(ctx).First(&o, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &o, nil
}

// OperatorOfSite is the operator that runs a site.
func (s *Store) OperatorOfSite(ctx context.Context, siteID int64) (*Operator, error) {
	var o Operator
	err := s.R.WithContext(ctx).Where("id = (SELECT operator_id FROM sites WHERE id = ?)", siteID).Take(&o).Error
	if err != nil {
		return nil, notFound(err)
	}
	return &o, nil
}

// CreateOperator adds an operator; its sites are added with CreateSite.
func (s *Store) CreateOperator(ctx context.Context, name string) (*Operator, error) {
	name, err := requiredText("operator_name", name, 100)
	if err != nil {
		return nil, err
	}
	o := &Operator{Name: name, CreatedAt: s.Now()}
	return o, s.W.WithContext(ctx).Create(o).Error
}

// RenameOperator changes an operator's name (printed on its cards).
func (s *Store) RenameOperator(ctx context.Context, id int64, name string) error {
	name, err := requiredText("operator_name", name, 100)
	if err != nil {
		return err
	}
	res := s.W.WithContext(ctx).Model(&Operator{}).Where("id = ?", id).Update("name", name)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}

// ShareState is where sharing members between two operators stands.
type ShareState struct {
	With      Operator
	WeAgreed  bool // our consent is given
	TheyAgree bool // theirs is
}

// Shared reports whether members are shared: both agreed.
func (s ShareState) Shared() bool { return s.WeAgreed && s.TheyAgree }

// Shares is, for an operator, where sharing stands with every other one.
func (s *Store) Shares(ctx context.Context, operatorID int64) ([]ShareState, error) {
	others, err := s.Operators(ctx)
	if err != nil {
		return nil, err
	}
	var rows []operatorShare
	if err := s.R.WithContext(ctx).Where("operator_id = ? OR with_id = ?", operatorID, operatorID).Find(&rows).Error; err != nil {
		return nil, err
	}
	var out []ShareState
	for _, o := range others {
		if o.ID == operatorID {
			continue
		}
		st := ShareState{With: o}
		for _, r := range rows {
			st.WeAgreed = st.WeAgreed || r.OperatorID == operatorID && r.WithID == o.ID
			st.TheyAgree = st.TheyAgree || r.OperatorID == o.ID && r.WithID == operatorID
		}
		out = append(out, st)
	}
	return out, nil
}

// SetShare gives (agree) or withdraws an operator's consent to share its
// members with another. Members are shared from the moment the second
// consent is given, and no longer from the moment either is withdrawn.
func (s *Store) SetShare(ctx context.Context, operatorID, withID int64, agree bool, by int64) error {
	if operatorID == withID {
		return &FieldError{"with", "bad_choice"}
	}
	return s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&Operator{}).Where("id IN ?", []int64{operatorID, withID}).Count(&n).Error; err != nil {
			return err
		}
		if n != 2 {
			return ErrNotFound
		}
		if !agree {
			return tx.Where("operator_id = ? AND with_id = ?", operatorID, withID).Delete(&operatorShare{}).Error
		}
		var agreedBy *int64 // nobody: a script's doing
		if by != 0 {
			agreedBy = &by
		}
		return tx.Exec(`INSERT INTO operator_shares (operator_id, with_id, agreed_by, agreed_at) VALUES (?, ?, ?, ?)
ON CONFLICT (operator_id, with_id) DO NOTHING`, operatorID, withID, agreedBy, s.Now()).Error
	})
}

// firstOperator is the operator a new first site belongs to: the only
// one there is, made with the site's name when there is none.
func firstOperator(tx *gorm.DB, name string, now time.Time) (int64, error) {
	var o Operator
	err := tx.Order("id").Take(&o).Error
	if err == nil {
		return o.ID, nil
	}
	if err != gorm.ErrRecordNotFound {
		return 0, err
	}
	o = Operator{Name: name, CreatedAt: now}
	return o.ID, tx.Create(&o).Error
}

// oneOperatorForEverySite runs once, when sites start to be grouped by
// operator (migration 15): the sites there are were one organisation's,
// named in the settings (else after the first site), and stay so.
func oneOperatorForEverySite(ctx context.Context, tx *sql.Tx, _ string) error {
	var sites int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM sites").Scan(&sites); err != nil {
		return err
	}
	if sites == 0 {
		return nil
	}
	var name string
	err := tx.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = $1", SettingOrgName).Scan(&name)
	if err != nil && err != sql.ErrNoRows {
		return err
	}
	if name == "" {
		if err := tx.QueryRowContext(ctx, "SELECT name FROM sites ORDER BY id LIMIT 1").Scan(&name); err != nil {
			return err
		}
	}
	var id int64
	if err := tx.QueryRowContext(ctx, "INSERT INTO operators (name, created_at) VALUES ($1, $2) RETURNING id",
		name, time.Now().UTC()).Scan(&id); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, "UPDATE sites SET operator_id = $1", id)
	return err
}
