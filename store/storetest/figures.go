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
// three members attended. It returns the demo site and site B.
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
	return demo, b
}
