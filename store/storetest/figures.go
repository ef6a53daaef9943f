package storetest

import (
	"context"
	"fmt"
	"math/rand"
	"testing"
	"time"

	"github.com/drempel/drempel/store"
)

// FiguresClock is the now of SeedFigures: the middle of 2026, so that the
// first half of 2026 and the second half of 2025 both hold activity.
var FiguresClock = time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)

// SeedFigures loads the demo (store.SeedDemo) with the clock at
// FiguresClock, then a second site, "Site B", with activity of every kind
// the period figures count, and more of it at the demo site: members
// registered over 2025 and 2026, visits, courses with sessions held and to
// come, attendance, smileys, lab bookings, loans (back in time, late,
// still out, lost), threshold reports and themes. It is random but the
// same at every run. Site B has one course, "Small group", that exactly
// three members attended. Afterwards, from a random source of their own
// (so that the rows above stay as they were): the seeded members get an
// age band, a gender and a language (some never asked), the courses an
// activity each and the first at each site is a series; and the demo
// site gets a series, "Done series", of four sessions in February 2026
// that some attended through (CompletedCourse) and some did not, and a
// one-off course in November 2025. It returns the demo site and site B.
func SeedFigures(tb testing.TB, st *store.Store) (demo, b *store.Site) {
	tb.Helper()
	ctx := context.Background()
	st.SetClock(func() time.Time { return FiguresClock })
	if _, err := st.SeedDemo(ctx); err != nil {
		tb.Fatal(err)
	}
	demo, err := st.DefaultSite(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	b, err = st.CreateSite(ctx, store.SiteInput{Name: "Site B", TimeZone: "Europe/Brussels"})
	if err != nil {
		tb.Fatal(err)
	}
	rnd := rand.New(rand.NewSource(11))
	create := func(v any) {
		tb.Helper()
		if err := st.W.Create(v).Error; err != nil {
			tb.Fatalf("seed %T: %v", v, err)
		}
	}
	start := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	span := FiguresClock.Add(14 * 24 * time.Hour).Sub(start) // a little past now too
	at := func() time.Time { return start.Add(time.Duration(rnd.Int63n(int64(span)))).Truncate(time.Minute) }
	tag := 0
	var seeded []int64
	for si, site := range []*store.Site{demo, b} {
		loc := site.Location()
		var members []int64
		for i := 0; i < 25+15*si; i++ {
			created := at()
			if created.After(FiguresClock) {
				created = FiguresClock.Add(-time.Hour)
			}
			m := &store.Member{Nickname: fmt.Sprintf("F%d-%d", si, i), Lang: "nl", SiteID: site.ID, CreatedAt: created, UpdatedAt: created}
			create(m)
			members = append(members, m.ID)
			seeded = append(seeded, m.ID)
		}
		// Visits: a member comes on some days after registering, at
		// either site now and then.
		seen := map[string]bool{}
		for i := 0; i < 300; i++ {
			m := members[rnd.Intn(len(members))]
			t := at()
			if t.After(FiguresClock) {
				continue
			}
			where := site
			if rnd.Intn(6) == 0 {
				where = []*store.Site{demo, b}[1-si]
			}
			day := t.In(loc).Format(time.DateOnly)
			key := fmt.Sprint(m, where.ID, day)
			if seen[key] {
				continue
			}
			seen[key] = true
			create(&store.Visit{MemberID: m, SiteID: where.ID, Day: day, CheckedInAt: t})
		}
		// Courses.
		for ci := 0; ci < 3; ci++ {
			name := fmt.Sprintf("Course %d-%d", si, ci)
			if si == 1 && ci == 2 {
				name = "Small group"
			}
			c, err := st.SaveCourse(ctx, 0, site.ID, store.CourseInput{Kind: store.CourseOpen, Pictogram: "laptop",
				Texts: map[string]store.CourseText{"nl": {Name: name}, "fr": {Name: name}, "en": {Name: name}}})
			if err != nil {
				tb.Fatal(err)
			}
			for k := 0; k < 12; k++ {
				t := at()
				hours := 1 + rnd.Intn(3)
				sess := &store.CourseSession{CourseID: c.ID, StartsAt: t.Unix(), EndsAt: t.Add(time.Duration(hours) * time.Hour).Unix(), Seats: 6 + rnd.Intn(6)}
				create(sess)
				pool := members
				if name == "Small group" {
					pool = members[:3]
				}
				for _, m := range pool {
					if name != "Small group" && rnd.Intn(3) != 0 {
						continue
					}
					e := &store.Enrolment{SessionID: sess.ID, MemberID: m, Status: store.Enrolled, CreatedAt: t.Add(-48 * time.Hour)}
					if t.Before(FiguresClock) && rnd.Intn(5) != 0 {
						came := t.Add(5 * time.Minute)
						e.AttendedAt = &came
						if rnd.Intn(2) == 0 {
							create(&store.Rating{SessionID: sess.ID, MemberID: m, Score: rnd.Intn(5), CreatedAt: t.Add(3 * time.Hour)})
						}
					}
					create(e)
				}
			}
		}
		// Lab bookings.
		for i := 0; i < 120; i++ {
			t := at().Truncate(time.Hour)
			status := []store.BookingStatus{store.BookingAttended, store.BookingAttended, store.BookingNoShow, store.BookingCancelled, store.BookingBooked}[rnd.Intn(5)]
			if t.Before(FiguresClock) && status == store.BookingBooked {
				status = store.BookingAttended
			}
			if !t.Before(FiguresClock) {
				status = store.BookingBooked
			}
			mins := []int{30, 60, 90}[rnd.Intn(3)]
			create(&store.Booking{SiteID: site.ID, MemberID: members[rnd.Intn(len(members))], StartsAt: t.Unix(),
				EndsAt: t.Add(time.Duration(mins) * time.Minute).Unix(), Status: status, CreatedAt: t.Add(-time.Hour)})
		}
		// Devices and loans; one device type only at site B, rarely.
		types := []store.DeviceType{store.Laptop, store.Tablet, store.Phone, store.Dongle}
		for i := 0; i < 60; i++ {
			typ := types[rnd.Intn(3)]
			if si == 1 && i%20 == 0 {
				typ = store.Dongle
			}
			tag++
			d := &store.Device{SiteID: site.ID, Type: typ, AssetTag: fmt.Sprintf("FIG%04d", tag), Status: store.Available, CreatedAt: start}
			create(d)
			lent := at()
			if lent.After(FiguresClock) {
				lent = FiguresClock.Add(-time.Duration(rnd.Intn(200)) * time.Hour)
			}
			l := &store.Loan{DeviceID: d.ID, MemberID: members[rnd.Intn(len(members))], SiteID: site.ID, LentAt: lent,
				DueAt: lent.Add(14 * 24 * time.Hour), Status: store.LoanOpen, TermsAccepted: true}
			switch rnd.Intn(4) {
			case 0, 1:
				back := lent.Add(time.Duration(rnd.Intn(20*24)) * time.Hour)
				if back.Before(FiguresClock) {
					l.ReturnedAt, l.Status = &back, store.LoanReturned
				}
			case 2:
				l.Status = store.LoanLost
			}
			create(l)
		}
		// Thresholds and themes.
		domains := []string{"bank", "government", "health", "school", "work"}
		problems := []string{"login", "language", "no_device", "too_complex"}
		levels := []string{"", "micro", "meso", "macro"}
		for i := 0; i < 70; i++ {
			t := at()
			if t.After(FiguresClock) {
				continue
			}
			create(&store.Threshold{SiteID: site.ID, Day: t.In(loc).Format(time.DateOnly), Domain: domains[rnd.Intn(len(domains))],
				Problem: problems[rnd.Intn(len(problems))], Level: levels[rnd.Intn(len(levels))], Lang: "nl", Status: "new", Source: "kiosk"})
		}
		for i := 0; i < 14; i++ {
			created := at()
			if created.After(FiguresClock) {
				continue
			}
			updated := created.Add(time.Duration(rnd.Intn(90*24)) * time.Hour)
			if updated.After(FiguresClock) {
				updated = FiguresClock
			}
			create(&store.Theme{SiteID: site.ID, Title: fmt.Sprintf("Theme %d-%d", si, i), Status: store.ThemeStatuses[rnd.Intn(len(store.ThemeStatuses))],
				CreatedAt: created, UpdatedAt: updated})
		}
	}
	seedProfiles(tb, st, demo, b, seeded)
	return demo, b
}

// seedProfiles is the second part of SeedFigures.
func seedProfiles(tb testing.TB, st *store.Store, demo, b *store.Site, members []int64) {
	tb.Helper()
	ctx := context.Background()
	rnd := rand.New(rand.NewSource(12))
	exec := func(q string, args ...any) {
		tb.Helper()
		if err := st.W.Exec(q, args...).Error; err != nil {
			tb.Fatalf("seed: %s: %v", q, err)
		}
	}
	pick := func(values []string) string {
		if i := rnd.Intn(len(values) + 1); i < len(values) {
			return values[i]
		}
		return "" // never asked
	}
	langs := []string{"nl", "nl", "fr", "ar", "uk", "ti"}
	for _, id := range members {
		exec("UPDATE members SET age_band = ?, gender = ?, lang = ? WHERE id = ?", pick(store.AgeBands), pick(store.Genders), langs[rnd.Intn(len(langs))], id)
	}
	var courses []store.Course
	if err := st.R.Where("site_id IN ?", []int64{demo.ID, b.ID}).Order("id").Find(&courses).Error; err != nil {
		tb.Fatal(err)
	}
	first := map[int64]bool{}
	for i, c := range courses {
		kind := c.Kind
		if !first[c.SiteID] {
			first[c.SiteID], kind = true, store.CourseSeries
		}
		exec("UPDATE courses SET activity = ?, kind = ? WHERE id = ?", store.CourseActivities[i%len(store.CourseActivities)], kind, c.ID)
	}

	// At the demo site: a series all of whose four sessions were held in
	// February 2026, and a one-off course in November 2025.
	loc := demo.Location()
	var pool []int64
	if err := st.R.Raw("SELECT id FROM members WHERE site_id = ? ORDER BY id", demo.ID).Scan(&pool).Error; err != nil {
		tb.Fatal(err)
	}
	for _, c := range []struct {
		name     string
		kind     store.CourseKind
		activity store.CourseActivity
		days     []int
		month    time.Month
		year     int
		attended []int // per member of pool: sessions attended, the first ones
	}{
		{"Done series", store.CourseSeries, store.ActivityCivic, []int{3, 10, 17, 24}, time.February, 2026, []int{4, 4, 4, 3, 3, 2, 1, 4, 4, 4}},
		{"One morning", store.CourseOneOff, store.ActivityGuidance, []int{14}, time.November, 2025, []int{1, 1, 1, 1, 1, 1, 0}},
	} {
		course, err := st.SaveCourse(ctx, 0, demo.ID, store.CourseInput{Kind: c.kind, Activity: c.activity, Pictogram: "people",
			Texts: map[string]store.CourseText{"nl": {Name: c.name}, "fr": {Name: c.name}, "en": {Name: c.name}}})
		if err != nil {
			tb.Fatal(err)
		}
		for k, d := range c.days {
			at := time.Date(c.year, c.month, d, 14, 0, 0, 0, loc)
			sess := &store.CourseSession{CourseID: course.ID, StartsAt: at.Unix(), EndsAt: at.Add(90 * time.Minute).Unix(), Seats: 12}
			if err := st.W.Create(sess).Error; err != nil {
				tb.Fatal(err)
			}
			for i, n := range c.attended {
				e := &store.Enrolment{SessionID: sess.ID, MemberID: pool[i], Status: store.Enrolled, CreatedAt: at.Add(-72 * time.Hour)}
				if k < n {
					came := at.Add(2 * time.Minute).UTC()
					e.AttendedAt = &came
					if err := st.W.Create(&store.Rating{SessionID: sess.ID, MemberID: pool[i], Score: 1 + (i+k)%4, CreatedAt: came}).Error; err != nil {
						tb.Fatal(err)
					}
				}
				if err := st.W.Create(e).Error; err != nil {
					tb.Fatal(err)
				}
			}
		}
	}
}
