package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"sort"
	"sync"
	"time"

	"gorm.io/gorm"
)

// The help queue: a visitor asks for help at the kiosk (or says "yes,
// help me" after a threshold report) and gets a ticket with a short
// number, per site and per day. A helper takes it, once, and ends it,
// once: helped, referred elsewhere, or the visitor did not come.

// HelpSubjects are what a visitor may ask help with, in the kiosk's order.
var HelpSubjects = []string{"computer", "paper", "phone", "online", "other"}

// HelpPictograms is the pictogram of each subject.
var HelpPictograms = map[string]string{
	"computer": "laptop", "paper": "document", "phone": "phone", "online": "p-upload_form", "other": "d-other",
}

// HelpOutcomes are how a ticket ends.
var HelpOutcomes = []string{"helped", "referred", "no_show"}

// Refusals of the queue's writes.
var (
	// ErrHelpTaken: someone else took the ticket first, or it has ended.
	ErrHelpTaken = errors.New("help ticket already taken")
	// ErrHelpEnded: the ticket has ended already.
	ErrHelpEnded = errors.New("help ticket already ended")
)

// HelpTicket is one request for help.
type HelpTicket struct {
	ID      int64
	SiteID  int64
	Day     string // YYYY-MM-DD in the site's time zone
	Number  int    // from 1 each day at each site
	Subject string
	// Token names the ticket on the kiosk's screen, which shows it
	// without any session: a number anybody could type would do too,
	// but a random one shows nothing to a curious visitor.
	Token    string `json:"-"`
	Lang     string
	MemberID *int64 // only when the visitor checked in; cleared when the ticket ends
	// ThresholdID is the threshold report whose "yes, help me" made it.
	ThresholdID *int64
	CreatedAt   time.Time
	TakenAt     *time.Time
	TakenBy     *int64
	EndedAt     *time.Time
	EndedBy     *int64
	Outcome     *string
	// ThemeID is the threshold theme a peer linked the ended ticket to.
	ThemeID *int64
}

// Status is waiting, taken or ended.
func (t HelpTicket) Status() string {
	switch {
	case t.EndedAt != nil:
		return "ended"
	case t.TakenAt != nil:
		return "taken"
	}
	return "waiting"
}

// Result is how the ticket ended (one of HelpOutcomes), "" while open.
func (t HelpTicket) Result() string {
	if t.Outcome == nil {
		return ""
	}
	return *t.Outcome
}

// Pictogram is the subject's pictogram.
func (t HelpTicket) Pictogram() string { return HelpPictograms[t.Subject] }

// HelpInput is a request for help.
type HelpInput struct {
	SiteID      int64
	Subject     string
	Lang        string
	MemberID    *int64
	ThresholdID *int64
}

// bumpHelp raises a site's version of the queue, inside the write's
// transaction. On PostgreSQL the row lock it takes also serialises the
// site's new tickets, so that two never draw the same number.
func bumpHelp(tx *gorm.DB, siteID int64) error {
	return tx.Exec(`INSERT INTO help_sites (site_id, version) VALUES (?, 1)
ON CONFLICT (site_id) DO UPDATE SET version = help_sites.version + 1`, siteID).Error
}

// AskForHelp puts a new ticket at the end of the site's queue of today.
func (s *Store) AskForHelp(ctx context.Context, in HelpInput) (*HelpTicket, error) {
	if !oneOf(in.Subject, HelpSubjects) {
		return nil, &FieldError{"subject", "bad_choice"}
	}
	site, err := s.Site(ctx, in.SiteID)
	if err != nil {
		return nil, err
	}
	tok := make([]byte, 16)
	if _, err := rand.Read(tok); err != nil {
		return nil, err
	}
	now := s.Now()
	t := &HelpTicket{SiteID: site.ID, Day: now.In(site.Location()).Format(time.DateOnly), Subject: in.Subject,
		Token: hex.EncodeToString(tok), Lang: in.Lang, MemberID: in.MemberID, ThresholdID: in.ThresholdID, CreatedAt: now}
	err = s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := bumpHelp(tx, site.ID); err != nil {
			return err
		}
		var last int
		if err := tx.Model(&HelpTicket{}).Select("COALESCE(MAX(number), 0)").
			Where("site_id = ? AND day = ?", site.ID, t.Day).Scan(&last).Error; err != nil {
			return err
		}
		t.Number = last + 1
		return tx.Create(t).Error
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) && in.ThresholdID != nil {
		// The report is in the queue already (a second tap on "yes").
		var old HelpTicket
		if err := s.W.WithContext(ctx).Take(&old, "threshold_id = ?", *in.ThresholdID).Error; err != nil {
			return nil, notFound(err)
		}
		return &old, nil
	}
	if err != nil {
		return nil, err
	}
	return t, nil
}

// HelpTicketByToken finds the ticket a kiosk screen shows.
func (s *Store) HelpTicketByToken(ctx context.Context, token string) (*HelpTicket, error) {
	if len(token) != 32 {
		return nil, ErrNotFound
	}
	var t HelpTicket
	if err := s.R.WithContext(ctx).Take(&t, "token = ?", token).Error; err != nil {
		return nil, notFound(err)
	}
	return &t, nil
}

// HelpBefore counts the tickets still waiting before t in its queue.
func (s *Store) HelpBefore(ctx context.Context, t *HelpTicket) (int, error) {
	var n int64
	err := s.R.WithContext(ctx).Model(&HelpTicket{}).
		Where("site_id = ? AND day = ? AND number < ? AND taken_at IS NULL AND ended_at IS NULL", t.SiteID, t.Day, t.Number).
		Count(&n).Error
	return int(n), err
}

// HelpRow is a ticket as the queue shows it: the nickname only when the
// visitor checked in, and for a threshold report its domain and problem,
// never its words.
type HelpRow struct {
	HelpTicket
	Nickname  string
	Domain    string
	Problem   string
	TakerName string
	ThemeName string
}

// HelpQueue is today's queue at a site: the open tickets by number, then
// the ended ones, latest first (at most ended of them).
func (s *Store) HelpQueue(ctx context.Context, site *Site, ended int) (open, done []HelpRow, err error) {
	day := s.Now().In(site.Location()).Format(time.DateOnly)
	q := func() *gorm.DB {
		return s.R.WithContext(ctx).Table("help_tickets").
			Select(`help_tickets.*, COALESCE(members.nickname, '') AS nickname, COALESCE(thresholds.domain, '') AS domain,
COALESCE(thresholds.problem, '') AS problem, COALESCE(NULLIF(users.name, ''), users.email, '') AS taker_name, COALESCE(themes.title, '') AS theme_name`).
			Joins("LEFT JOIN members ON members.id = help_tickets.member_id AND members.erased_at IS NULL").
			Joins("LEFT JOIN thresholds ON thresholds.id = help_tickets.threshold_id").
			Joins("LEFT JOIN users ON users.id = help_tickets.taken_by").
			Joins("LEFT JOIN themes ON themes.id = help_tickets.theme_id").
			Where("help_tickets.site_id = ?", site.ID)
	}
	// Tickets left open on an earlier day stay in view until someone ends them.
	if err = q().Where("help_tickets.ended_at IS NULL").Order("help_tickets.day, help_tickets.number").Scan(&open).Error; err != nil {
		return nil, nil, err
	}
	if ended > 0 {
		err = q().Where("help_tickets.ended_at IS NOT NULL AND help_tickets.day = ?", day).
			Order("help_tickets.ended_at DESC, help_tickets.id DESC").Limit(ended).Scan(&done).Error
	}
	return open, done, err
}

// TakeHelp gives a waiting ticket of the site to a helper. Only one
// helper ever takes it: the second gets ErrHelpTaken.
func (s *Store) TakeHelp(ctx context.Context, siteID, id, userID int64) error {
	return s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&HelpTicket{}).Where("id = ? AND site_id = ? AND taken_at IS NULL AND ended_at IS NULL", id, siteID).
			Updates(map[string]any{"taken_at": s.Now(), "taken_by": userID})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return s.whyNot(tx, siteID, id, ErrHelpTaken)
		}
		return bumpHelp(tx, siteID)
	})
}

// whyNot tells a ticket that is not there (ErrNotFound) from one that is
// no longer in the state asked for (refusal).
func (s *Store) whyNot(tx *gorm.DB, siteID, id int64, refusal error) error {
	var n int64
	if err := tx.Model(&HelpTicket{}).Where("id = ? AND site_id = ?", id, siteID).Count(&n).Error; err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return refusal
}

// EndHelp ends a ticket of the site, once. A ticket that nobody took
// (the visitor did not come when called) counts as taken by whoever ends
// it. The visitor's member id goes: an ended ticket is anonymous. When
// the ticket came from a threshold report and the visitor was helped,
// the report's follow-up is done as well (MarkHelped), in the same
// transaction.
func (s *Store) EndHelp(ctx context.Context, siteID, id, userID int64, outcome string) error {
	if !oneOf(outcome, HelpOutcomes) {
		return &FieldError{"outcome", "bad_choice"}
	}
	return s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var t HelpTicket
		if err := tx.Take(&t, "id = ? AND site_id = ?", id, siteID).Error; err != nil {
			return notFound(err)
		}
		now := s.Now()
		res := tx.Model(&HelpTicket{}).Where("id = ? AND ended_at IS NULL", id).Updates(map[string]any{
			"taken_at": gorm.Expr("COALESCE(taken_at, ?)", now), "taken_by": gorm.Expr("COALESCE(taken_by, ?)", userID),
			"ended_at": now, "ended_by": userID, "outcome": outcome, "member_id": nil})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrHelpEnded
		}
		if t.ThresholdID != nil && outcome != "no_show" {
			if err := tx.Model(&Threshold{}).Where("id = ? AND wants_help = ? AND helped_at IS NULL", *t.ThresholdID, true).
				Updates(map[string]any{"helped_at": now, "member_id": nil}).Error; err != nil {
				return err
			}
		}
		return bumpHelp(tx, siteID)
	})
}

// SetHelpTheme links an ended ticket of the site to a threshold theme of
// the same site (nil unlinks it): the thresholds peers meet.
func (s *Store) SetHelpTheme(ctx context.Context, siteID, id int64, themeID *int64) error {
	return s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if themeID != nil {
			var n int64
			if err := tx.Model(&Theme{}).Where("id = ? AND site_id = ?", *themeID, siteID).Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return &FieldError{"theme", "bad_choice"}
			}
		}
		res := tx.Model(&HelpTicket{}).Where("id = ? AND site_id = ? AND ended_at IS NOT NULL", id, siteID).Update("theme_id", themeID)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrNotFound
		}
		return bumpHelp(tx, siteID)
	})
}

// HelpTheme is a theme and how many tickets peers linked to it.
type HelpTheme struct {
	ThemeID  int64
	Title    string
	CourseID *int64
	Tickets  int
}

// HelpThemes lists the themes the site's tickets were linked to, the most
// met first.
func (s *Store) HelpThemes(ctx context.Context, siteID int64) ([]HelpTheme, error) {
	var out []HelpTheme
	err := s.R.WithContext(ctx).Table("help_tickets").
		Select("themes.id AS theme_id, themes.title, themes.course_id, COUNT(*) AS tickets").
		Joins("JOIN themes ON themes.id = help_tickets.theme_id").
		Where("help_tickets.site_id = ?", siteID).
		Group("themes.id, themes.title, themes.course_id").Order("tickets DESC, themes.title").Scan(&out).Error
	return out, err
}

// HelpVersions is every site's version of its queue: one cheap query,
// which each server's HelpFeed runs twice a second while somebody
// watches.
func (s *Store) HelpVersions(ctx context.Context) (map[int64]int64, error) {
	var rows []struct{ SiteID, Version int64 }
	if err := s.R.WithContext(ctx).Table("help_sites").Select("site_id, version").Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[int64]int64, len(rows))
	for _, r := range rows {
		out[r.SiteID] = r.Version
	}
	return out, nil
}

// Helper is a peer on duty at a site today.
type Helper struct {
	UserID   int64
	Name     string
	ShowName bool
}

// FirstName is the first word of the helper's name, for the kiosk.
func (h Helper) FirstName() string {
	for i, r := range h.Name {
		if r == ' ' {
			return h.Name[:i]
		}
	}
	return h.Name
}

// SetOnDuty marks a user on duty at a site today, or not; showName lets
// the kiosk show their first name.
func (s *Store) SetOnDuty(ctx context.Context, site *Site, userID int64, on, showName bool) error {
	day := s.Now().In(site.Location()).Format(time.DateOnly)
	defer s.duty.forget(site.ID)
	return s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if on {
			err = tx.Exec(`INSERT INTO help_duty (site_id, user_id, day, show_name) VALUES (?, ?, ?, ?)
ON CONFLICT (site_id, user_id, day) DO UPDATE SET show_name = excluded.show_name`, site.ID, userID, day, showName).Error
		} else {
			err = tx.Exec("DELETE FROM help_duty WHERE site_id = ? AND user_id = ? AND day = ?", site.ID, userID, day).Error
		}
		if err != nil {
			return err
		}
		return bumpHelp(tx, site.ID)
	})
}

// OnDuty lists the helpers on duty at a site today, by name.
func (s *Store) OnDuty(ctx context.Context, site *Site) ([]Helper, error) {
	day := s.Now().In(site.Location()).Format(time.DateOnly)
	if hs, ok := s.duty.get(site.ID, day); ok {
		return hs, nil
	}
	var out []Helper
	err := s.R.WithContext(ctx).Table("help_duty").
		Select("users.id AS user_id, users.name, help_duty.show_name").
		Joins("JOIN users ON users.id = help_duty.user_id AND users.disabled_at IS NULL").
		Where("help_duty.site_id = ? AND help_duty.day = ?", site.ID, day).Order("users.name, users.id").Scan(&out).Error
	if err == nil {
		s.duty.put(site.ID, day, out)
	}
	return out, err
}

// dutyFresh is how long OnDuty's answer is kept: the kiosk's idle screen
// asks on every load, a fifth of its time at saturation. SetOnDuty on
// this server forgets it at once; another server of a network sees a
// change within dutyFresh.
const dutyFresh = 5 * time.Second

type dutyCache struct {
	mu sync.Mutex
	m  map[int64]dutyEntry // by site
}

type dutyEntry struct {
	day     string
	helpers []Helper
	at      time.Time
}

func (c *dutyCache) get(siteID int64, day string) ([]Helper, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[siteID]
	if !ok || e.day != day || time.Since(e.at) > dutyFresh {
		return nil, false
	}
	return append([]Helper(nil), e.helpers...), true
}

func (c *dutyCache) put(siteID int64, day string, hs []Helper) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[int64]dutyEntry{}
	}
	c.m[siteID] = dutyEntry{day: day, helpers: append([]Helper(nil), hs...), at: time.Now()}
}

func (c *dutyCache) forgetAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.m)
}

func (c *dutyCache) forget(siteID int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, siteID)
}

// HelpFigures are the queue's figures for a period.
type HelpFigures struct {
	Tickets int
	// ByDay counts the tickets of each day (YYYY-MM-DD) that had any.
	ByDay map[string]int
	// Waited is how many tickets were taken, whose waits the median and
	// p90 are of (from the ticket to its taking).
	Waited     int
	WaitMedian time.Duration
	WaitP90    time.Duration
	// Outcomes counts the ended tickets by HelpOutcomes; Open the rest.
	Outcomes map[string]int
	Open     int
}

// HelpFigures counts the tickets of the sites in the period (its days
// in each ticket's site's time zone).
func (s *Store) HelpFigures(ctx context.Context, siteIDs []int64, p Period) (HelpFigures, error) {
	f := HelpFigures{ByDay: map[string]int{}, Outcomes: map[string]int{}}
	for _, o := range HelpOutcomes {
		f.Outcomes[o] = 0
	}
	if len(siteIDs) == 0 {
		return f, nil
	}
	from, to := p.Days()
	var rows []struct {
		Day       string
		CreatedAt time.Time
		TakenAt   *time.Time
		Outcome   *string
	}
	if err := s.R.WithContext(ctx).Table("help_tickets").Select("day, created_at, taken_at, outcome").
		Where("site_id IN ? AND day >= ? AND day < ?", siteIDs, from, to).Scan(&rows).Error; err != nil {
		return f, err
	}
	var waits []time.Duration
	for _, r := range rows {
		f.Tickets++
		f.ByDay[r.Day]++
		if r.Outcome != nil {
			f.Outcomes[*r.Outcome]++
		} else {
			f.Open++
		}
		if r.TakenAt != nil {
			w := r.TakenAt.Sub(r.CreatedAt)
			if w < 0 {
				w = 0
			}
			waits = append(waits, w)
		}
	}
	f.Waited = len(waits)
	f.WaitMedian, f.WaitP90 = percentile(waits, 50), percentile(waits, 90)
	return f, nil
}

// percentile is the nearest-rank percentile of ds (0 for none).
func percentile(ds []time.Duration, pct int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sorted := append([]time.Duration(nil), ds...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	rank := (pct*len(sorted) + 99) / 100 // ceil(pct/100 × n)
	if rank < 1 {
		rank = 1
	}
	return sorted[rank-1]
}

// HelpFeed tells this server's live pages when a site's queue changed,
// whichever server of the network changed it: it polls HelpVersions
// every Every while anybody listens, and not at all otherwise.
type HelpFeed struct {
	st    *Store
	every time.Duration
	mu    sync.Mutex
	subs  map[int64]map[chan struct{}]struct{}
	run   bool
}

// HelpFeedEvery is how often a feed looks at the database.
const HelpFeedEvery = 500 * time.Millisecond

var helpFeeds sync.Map // *Store → *HelpFeed

// HelpFeed is the store's one feed of queue changes.
func (s *Store) HelpFeed() *HelpFeed {
	f, _ := helpFeeds.LoadOrStore(s, &HelpFeed{st: s, every: HelpFeedEvery, subs: map[int64]map[chan struct{}]struct{}{}})
	return f.(*HelpFeed)
}

// Subscribe returns a channel that receives (without piling up) after
// each change to the site's queue, and the function that ends it.
func (f *HelpFeed) Subscribe(siteID int64) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	f.mu.Lock()
	if f.subs[siteID] == nil {
		f.subs[siteID] = map[chan struct{}]struct{}{}
	}
	f.subs[siteID][ch] = struct{}{}
	if !f.run {
		f.run = true
		go f.poll()
	}
	f.mu.Unlock()
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			f.mu.Lock()
			delete(f.subs[siteID], ch)
			if len(f.subs[siteID]) == 0 {
				delete(f.subs, siteID)
			}
			f.mu.Unlock()
		})
	}
}

func (f *HelpFeed) poll() {
	ctx := context.Background()
	last, _ := f.st.HelpVersions(ctx)
	t := time.NewTicker(f.every)
	defer t.Stop()
	for range t.C {
		f.mu.Lock()
		if len(f.subs) == 0 {
			f.run = false
			f.mu.Unlock()
			return
		}
		f.mu.Unlock()
		now, err := f.st.HelpVersions(ctx)
		if err != nil {
			continue // the database is away for a moment: try again
		}
		f.mu.Lock()
		for site, chans := range f.subs {
			if now[site] == last[site] {
				continue
			}
			for ch := range chans {
				select {
				case ch <- struct{}{}:
				default:
				}
			}
		}
		f.mu.Unlock()
		last = now
	}
}

// LinkThemeCourse sets the training course of a theme of the site (the
// theme's own course link, which the theme page sets too); nil unlinks
// it. The course must be of the same site.
func (s *Store) LinkThemeCourse(ctx context.Context, siteID, themeID int64, courseID *int64) error {
	return s.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if courseID != nil {
			var n int64
			if err := tx.Model(&Course{}).Where("id = ? AND site_id = ?", *courseID, siteID).Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return &FieldError{"course", "bad_choice"}
			}
		}
		res := tx.Model(&Theme{}).Where("id = ? AND site_id = ?", themeID, siteID).
			Updates(map[string]any{"course_id": courseID, "updated_at": s.Now()})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrNotFound
		}
		return nil
	})
}
