package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"
)

// MemberInput is what the desk may fill in for a member.
type MemberInput struct {
	Nickname string
	Lang     string
	Phone    string
	Email    string
	Note     string
	AgeBand  string // "" or one of AgeBands
	Gender   string // "" or one of Genders
	SiteID   int64
}

// The optional profile a member may give at registration, in the bands
// integration funders report by. Never nationality or residence status.
const Undisclosed = "undisclosed" // "prefer not to say", an answer of its own

// AgeBands are the age bands, youngest first, then "prefer not to say".
var AgeBands = []string{"under_18", "18_29", "30_54", "55_plus", Undisclosed}

// Genders are the genders one may give, then "prefer not to say".
var Genders = []string{"woman", "man", "non_binary", Undisclosed}

// optionalChoice is v when it is "" or one of allowed.
func optionalChoice(field, v string, allowed []string) (string, error) {
	if v != "" && !oneOf(v, allowed) {
		return "", &FieldError{Field: field, Code: "bad_choice"}
	}
	return v, nil
}

// Limits on member fields, in characters.
const (
	NicknameMax = 60
	NoteMax     = 1000
)

func (in MemberInput) clean() (MemberInput, error) {
	var err error
	if in.Nickname, err = requiredText("nickname", in.Nickname, NicknameMax); err != nil {
		return in, err
	}
	if in.Lang, err = validLang("lang", in.Lang); err != nil {
		return in, err
	}
	if in.Phone, err = cleanText("phone", in.Phone, 40); err != nil {
		return in, err
	}
	if in.Email, err = optionalEmail("email", in.Email); err != nil {
		return in, err
	}
	if in.Note, err = cleanLines("note", in.Note, NoteMax); err != nil {
		return in, err
	}
	if in.AgeBand, err = optionalChoice("age_band", in.AgeBand, AgeBands); err != nil {
		return in, err
	}
	if in.Gender, err = optionalChoice("gender", in.Gender, Genders); err != nil {
		return in, err
	}
	return in, nil
}

// CreateMember registers a member and issues their first card, in one
// transaction: a member without a card is never left behind.
func (s *Store) CreateMember(ctx context.Context, in MemberInput) (*Member, error) {
	in, err := in.clean()
	if err != nil {
		return nil, err
	}
	now := s.Now()
	m := &Member{Nickname: in.Nickname, Search: Fold(in.Nickname), Lang: in.Lang, SiteID: in.SiteID, Phone: in.Phone,
		Email: in.Email, Note: in.Note, AgeBand: in.AgeBand, Gender: in.Gender, CreatedAt: now, UpdatedAt: now}
	err = s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if m.SiteID == 0 {
			site, err := defaultSite(tx)
			if err != nil {
				return err
			}
			m.SiteID = site.ID
		}
		if err := tx.Create(m).Error; err != nil {
			return err
		}
		c, err := s.issueCard(tx, m.ID, now)
		m.Card = c
		return err
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// UpdateMember changes a member's details.
func (s *Store) UpdateMember(ctx context.Context, id int64, in MemberInput) error {
	in, err := in.clean()
	if err != nil {
		return err
	}
	res := s.W.WithContext(ctx).Model(&Member{}).Where("id = ?", id).Updates(map[string]any{
		"nickname": in.Nickname, "search": Fold(in.Nickname), "lang": in.Lang, "phone": in.Phone, "email": in.Email,
		"note": in.Note, "age_band": in.AgeBand, "gender": in.Gender, "updated_at": s.Now(),
	})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}

// issueCard revokes the member's active card, if any, and issues a new one.
// The unique indexes make a clash of token or check code impossible; a
// clash of the 6-character code is retried with a fresh code.
func (s *Store) issueCard(tx *gorm.DB, memberID int64, now time.Time) (*Card, error) {
	if err := tx.Model(&Card{}).Where("member_id = ? AND revoked_at IS NULL", memberID).
		Update("revoked_at", now).Error; err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		code := newCheckCode()
		var taken int64
		if err := tx.Model(&Card{}).Where("check_code = ? AND revoked_at IS NULL", code).Count(&taken).Error; err != nil {
			return nil, err
		}
		if taken > 0 && attempt < 20 {
			continue
		}
		token := NewToken()
		c := &Card{MemberID: memberID, TokenHash: s.CardTokenHash(token), Token: token, CheckCode: code, IssuedAt: now}
		if err := tx.Create(c).Error; err != nil {
			return nil, err
		}
		return c, nil
	}
}

// ReissueCard revokes the member's card and issues a new one; the old QR
// stops working at once.
func (s *Store) ReissueCard(ctx context.Context, memberID int64) (*Card, error) {
	var c *Card
	err := s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// Two desks (or a double click) reissuing at once take turns.
		if err := lockMember(tx, s.Dialect, memberID); err != nil {
			return err
		}
		var err error
		c, err = s.issueCard(tx, memberID, s.Now())
		return err
	})
	return c, err
}

// Member loads a member with their active card.
func (s *Store) Member(ctx context.Context, id int64) (*Member, error) {
	var m Member
	if err := s.R.WithContext(ctx).First(&m, id).Error; err != nil {
		return nil, notFound(err)
	}
	var c Card
	err := s.R.WithContext(ctx).Where("member_id = ? AND revoked_at IS NULL", id).First(&c).Error
	switch {
	case err == nil:
		m.Card = &c
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return nil, err
	}
	return &m, nil
}

// MembersByIDs loads several members with their active cards, in the
// order given; unknown ids, and members not seen at the site, are left
// out.
func (s *Store) MembersByIDs(ctx context.Context, siteID int64, ids []int64) ([]Member, error) {
	var seen []int64
	if err := s.R.WithContext(ctx).Model(&Member{}).Where("id IN ?", ids).Where(memberSeenAt, siteID).Pluck("id", &seen).Error; err != nil {
		return nil, err
	}
	ok := map[int64]bool{}
	for _, id := range seen {
		ok[id] = true
	}
	var out []Member
	for _, id := range ids {
		if !ok[id] {
			continue
		}
		ok[id] = false
		m, err := s.Member(ctx, id)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, *m)
	}
	return out, nil
}

// MemberByCheckCode finds the member whose active card has this code,
// among those seen at the site.
func (s *Store) MemberByCheckCode(ctx context.Context, code string, siteID int64) (*Member, error) {
	code = NormalizeCheckCode(code)
	if code == "" {
		return nil, ErrNotFound
	}
	var c Card
	err := s.R.WithContext(ctx).Joins("JOIN members ON members.id = cards.member_id").
		Where("cards.check_code = ? AND cards.revoked_at IS NULL", code).Where(memberSeenAt, siteID).Take(&c).Error
	if err != nil {
		return nil, notFound(err)
	}
	return s.Member(ctx, c.MemberID)
}

// MemberPage is one page of a member search.
type MemberPage struct {
	Members []Member
	Total   int64
}

// SearchMembers finds the members seen at a site by part of their
// nickname, by their check code or by their phone number, newest first.
func (s *Store) SearchMembers(ctx context.Context, siteID int64, q string, limit, offset int) (MemberPage, error) {
	var page MemberPage
	db := s.R.WithContext(ctx).Model(&Member{}).Where(memberSeenAt, siteID)
	q = searchText(q, 100)
	if q != "" {
		cond := s.R.Where(`search LIKE ? ESCAPE '\'`, likePattern(Fold(q)))
		if code := NormalizeCheckCode(q); code != "" {
			cond = cond.Or("id IN (?)", s.R.Model(&Card{}).Select("member_id").
				Where("check_code = ? AND revoked_at IS NULL", code))
		}
		if digits := PhoneSearchKey(q); digits != "" {
			// Read once, here, rather than by both the count and the page.
			var ids []int64
			if err := s.R.WithContext(ctx).Model(&Member{}).Where(memberSeenAt, siteID).
				Where("members.phone <> '' AND "+phoneDigitsSQL+" LIKE ?", "%"+digits+"%").
				Order("id DESC").Limit(phoneMatchesMax).Pluck("id", &ids).Error; err != nil {
				return page, err
			}
			if len(ids) > 0 {
				cond = cond.Or("id IN ?", ids)
			}
		}
		db = db.Where(cond)
	}
	if err := db.Count(&page.Total).Error; err != nil {
		return page, err
	}
	if err := db.Order("id DESC").Limit(limit).Offset(offset).Find(&page.Members).Error; err != nil {
		return page, err
	}
	if len(page.Members) == 0 {
		return page, nil
	}
	ids := make([]int64, len(page.Members))
	for i, m := range page.Members {
		ids[i] = m.ID
	}
	var cards []Card
	if err := s.R.WithContext(ctx).Where("member_id IN ? AND revoked_at IS NULL", ids).Find(&cards).Error; err != nil {
		return page, err
	}
	byMember := map[int64]*Card{}
	for i := range cards {
		byMember[cards[i].MemberID] = &cards[i]
	}
	for i := range page.Members {
		page.Members[i].Card = byMember[page.Members[i].ID]
	}
	return page, nil
}

// CardHolder is what a scan resolves to: the active card and its member.
type CardHolder struct {
	Card   Card
	Member Member
	// HasCourses tells whether the member was ever enrolled in a course:
	// only then can there be a smiley question, a new place to show or a
	// course attendance to record.
	HasCourses bool
	// HasBooking tells whether the member holds a lab booking to attend.
	HasBooking bool
	// HasOverdue tells whether the member holds a loan past its due date:
	// the kiosk then shows a gentle reminder (and never refuses them).
	HasOverdue bool
}

// CardByToken resolves a token scanned at a site to its active card and
// member, in one query. Unknown, malformed and revoked tokens all give
// ErrNotFound, and so does the card of a member not seen at the site (of
// another organisation that does not share its members).
func (s *Store) CardByToken(ctx context.Context, token string, siteID int64) (*CardHolder, error) {
	token = NormalizeToken(token)
	if token == "" {
		return nil, ErrNotFound
	}
	var row struct {
		CardID     int64
		CheckCode  string
		IssuedAt   time.Time
		HasCourses bool
		HasBooking bool
		HasOverdue bool
		Member
	}
	// Written out (Raw): every scan starts here, and GORM's chain built
	// the statement anew each time, two thirds of the read.
	res := s.R.WithContext(ctx).Raw(`SELECT cards.id AS card_id, cards.check_code, cards.issued_at, members.*,
	EXISTS (SELECT 1 FROM enrolments WHERE enrolments.member_id = members.id) AS has_courses,
	EXISTS (SELECT 1 FROM bookings WHERE bookings.member_id = members.id AND bookings.status = 'booked') AS has_booking,
	EXISTS (SELECT 1 FROM loans WHERE loans.member_id = members.id AND loans.status = 'open' AND loans.due_at < ?) AS has_overdue
FROM cards JOIN members ON members.id = cards.member_id
WHERE cards.token_hash = ? AND cards.revoked_at IS NULL AND `+memberSeenAt+` LIMIT 1`,
		s.Now(), s.CardTokenHash(token), siteID).Scan(&row)
	if res.Error != nil {
		return nil, res.Error
	}
	if res.RowsAffected == 0 {
		return nil, ErrNotFound
	}
	return &CardHolder{
		Card:       Card{ID: row.CardID, MemberID: row.Member.ID, Token: token, CheckCode: row.CheckCode, IssuedAt: row.IssuedAt},
		Member:     row.Member,
		HasCourses: row.HasCourses,
		HasBooking: row.HasBooking,
		HasOverdue: row.HasOverdue,
	}, nil
}

// SiteActivity is what a member did at one site, side by side with the
// other sites on their page.
type SiteActivity struct {
	Site      Site
	Visits    int64
	LastVisit *time.Time
	Bookings  int64 // lab bookings still to come
	Attended  int64 // course sessions attended
	OpenLoans int64
	EverThere bool // anything at all at this site
}

// MemberActivity is a member's activity at each of these sites (the ones
// the staff member may see), in the order given: visits, lab bookings to
// come, course sessions attended and devices on loan. A handful of
// grouped counts, whatever the number of sites.
func (s *Store) MemberActivity(ctx context.Context, memberID int64, sites []Site) ([]SiteActivity, error) {
	ids := make([]int64, len(sites))
	out := make([]SiteActivity, len(sites))
	at := map[int64]*SiteActivity{}
	for i, site := range sites {
		ids[i] = site.ID
		out[i].Site = site
		at[site.ID] = &out[i]
	}
	if len(ids) == 0 {
		return out, nil
	}
	type count struct {
		SiteID int64
		N      int64
	}
	counts := func(dst func(*SiteActivity) *int64, q string, args ...any) error {
		var rows []count
		if err := s.R.WithContext(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			if a := at[r.SiteID]; a != nil {
				*dst(a) = r.N
				a.EverThere = a.EverThere || r.N > 0
			}
		}
		return nil
	}
	now := s.Now()
	if err := counts(func(a *SiteActivity) *int64 { return &a.Visits },
		"SELECT site_id, COUNT(*) AS n FROM visits WHERE member_id = ? AND site_id IN ? GROUP BY site_id", memberID, ids); err != nil {
		return nil, err
	}
	if err := counts(func(a *SiteActivity) *int64 { return &a.Bookings },
		"SELECT site_id, COUNT(*) AS n FROM bookings WHERE member_id = ? AND site_id IN ? AND status = ? AND starts_at >= ? GROUP BY site_id",
		memberID, ids, BookingBooked, now.Unix()); err != nil {
		return nil, err
	}
	if err := counts(func(a *SiteActivity) *int64 { return &a.Attended },
		`SELECT courses.site_id, COUNT(*) AS n FROM enrolments JOIN course_sessions ON course_sessions.id = enrolments.session_id
JOIN courses ON courses.id = course_sessions.course_id
WHERE enrolments.member_id = ? AND courses.site_id IN ? AND enrolments.attended_at IS NOT NULL GROUP BY courses.site_id`, memberID, ids); err != nil {
		return nil, err
	}
	if err := counts(func(a *SiteActivity) *int64 { return &a.OpenLoans },
		"SELECT site_id, COUNT(*) AS n FROM loans WHERE member_id = ? AND site_id IN ? AND status = ? GROUP BY site_id", memberID, ids, LoanOpen); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Visits == 0 {
			continue
		}
		last, err := s.MemberVisits(ctx, memberID, out[i].Site.ID, 1)
		if err != nil {
			return nil, err
		}
		if len(last) > 0 {
			out[i].LastVisit = &last[0].CheckedInAt
		}
	}
	return out, nil
}

// phoneDigitsSQL is a member's phone number with what people write
// between its digits taken out (spaces, no-break spaces, dots, slashes,
// dashes, brackets, the plus): "+32 475/12.34.56" gives "32475123456".
// It is the same on SQLite and PostgreSQL. A search by phone reads it
// for every member seen at the site, as the search by part of a
// nickname does (LIKE '%…%' uses no index either).
const phoneDigitsSQL = "REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(members.phone," +
	"' ', ''), '\u00a0', ''), '.', ''), '/', ''), '-', ''), '(', ''), ')', ''), '+', '')"

// phoneMatchesMax caps the members one phone number finds: more are not
// a search by phone any more (a number shared by a whole family is).
const phoneMatchesMax = 500

// phoneSearchMin is the fewest digits a search must have to be read as
// a phone number: fewer would find half the members.
const phoneSearchMin = 6

// PhoneSearchKey reads a search as a phone number: digits with spaces,
// dots, slashes, dashes or brackets between them, perhaps after a +. It
// gives the digits that every way of writing that number holds, so that
// +32 475 12 34 56, 0032 475 123 456 and 0475/12.34.56 all give
// 475123456: the Belgian country code (after + or 00) and the leading 0
// of a number dialled within Belgium go. Anything else (a name, a check
// code, too few digits) gives "".
func PhoneSearchKey(q string) string {
	q = strings.TrimSpace(q)
	var d strings.Builder
	plus := false
	for i, r := range q {
		switch {
		case r >= '0' && r <= '9':
			d.WriteRune(r)
		case r == '+' && i == 0:
			plus = true
		case r == ' ' || r == '\u00a0' || r == '.' || r == '/' || r == '-' || r == '(' || r == ')':
		default:
			return ""
		}
	}
	digits := d.String()
	if len(digits) < phoneSearchMin {
		return ""
	}
	return nationalDigits(digits, plus)
}

// PhoneKey is the digits of a member's phone number as PhoneSearchKey
// gives them for a search, whatever else was written with it ("0475 12
// 34 56 (mama)" gives 475123456). It is the key an indexed column would
// hold; there is none yet: a search reads every phone number seen at the
// site through phoneDigitsSQL.
func PhoneKey(phone string) string {
	phone = strings.TrimSpace(phone)
	var d strings.Builder
	for _, r := range phone {
		if r >= '0' && r <= '9' {
			d.WriteRune(r)
		}
	}
	if d.Len() == 0 {
		return ""
	}
	return nationalDigits(d.String(), strings.HasPrefix(phone, "+"))
}

// nationalDigits takes the Belgian country code (after + or 00) and the
// leading 0 of a number dialled within Belgium off a number's digits.
func nationalDigits(digits string, plus bool) string {
	switch {
	case plus || strings.HasPrefix(digits, "00"):
		digits = strings.TrimPrefix(digits, "00")
		digits = strings.TrimPrefix(digits, "32")
		// +32 (0)475…: the 0 some write in brackets after the country code.
		if strings.HasPrefix(digits, "0") && len(digits) == 10 {
			digits = digits[1:]
		}
	case strings.HasPrefix(digits, "0"):
		digits = digits[1:]
	case strings.HasPrefix(digits, "32") && len(digits) >= 10:
		digits = digits[2:] // 32 475…, the + left out
	}
	return digits
}
