package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/drempel/drempel/store"
)

// FiguresLoadSites is how many sites SeedFiguresLoad spreads the network
// over.
const FiguresLoadSites = 4

// SeedFiguresLoad fills a store as a network a year's figures are
// counted over: SeedLoad's members and visits (visitsPerMember each, in
// the last ten weeks), spread over FiguresLoadSites sites by member; each
// member with an age band, a gender and a language (some never asked);
// and at each site courses of every activity, series and open, with ten
// weekly sessions held in the past year, their attendance and smileys.
// It returns the sites.
func SeedFiguresLoad(tb testing.TB, st *store.Store, members, visitsPerMember int) []store.Site {
	tb.Helper()
	ctx := context.Background()
	SeedLoad(tb, st, members, visitsPerMember)
	first, err := st.DefaultSite(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	exec := func(q string, args ...any) {
		tb.Helper()
		if err := st.W.Exec(q, args...).Error; err != nil {
			tb.Fatalf("seed: %s: %v", q, err)
		}
	}
	sites := []int64{first.ID}
	for k := 1; k < FiguresLoadSites; k++ {
		site, err := st.CreateSite(ctx, store.SiteInput{Name: fmt.Sprintf("Load test %d", k+1), TimeZone: "Europe/Brussels"})
		if err != nil {
			tb.Fatal(err)
		}
		sites = append(sites, site.ID)
		// A member keeps to their site; one in ten of them goes elsewhere too.
		exec("UPDATE members SET site_id = ? WHERE id % ? = ?", site.ID, FiguresLoadSites, k)
		exec("UPDATE visits SET site_id = ? WHERE member_id % ? = ? AND NOT (member_id % 10 = 0 AND day < ?)",
			site.ID, FiguresLoadSites, k, time.Now().AddDate(0, 0, -30).Format(time.DateOnly))
	}
	band := func(values []string) string {
		var b strings.Builder
		fmt.Fprintf(&b, "CASE (id / 7) %% %d", len(values)+1)
		for i, v := range values {
			fmt.Fprintf(&b, " WHEN %d THEN '%s'", i, v)
		}
		b.WriteString(" ELSE '' END")
		return b.String()
	}
	exec("UPDATE members SET age_band = " + band(store.AgeBands) + ", gender = " + band(store.Genders) +
		", lang = CASE id % 5 WHEN 0 THEN 'fr' WHEN 1 THEN 'ar' WHEN 2 THEN 'uk' ELSE 'nl' END")

	// Courses: ten at each site, every activity, every other one a series.
	now := time.Now()
	var perSite [][]int64
	var ids []int64
	if err := st.R.Raw("SELECT id FROM members ORDER BY id").Scan(&ids).Error; err != nil {
		tb.Fatal(err)
	}
	for k := range sites {
		var mine []int64
		for _, id := range ids {
			if id%FiguresLoadSites == int64(k) {
				mine = append(mine, id)
			}
		}
		perSite = append(perSite, mine)
	}
	var enrolments, ratings [][]any
	for k, siteID := range sites {
		for ci := 0; ci < 10; ci++ {
			kind := store.CourseOpen
			if ci%2 == 0 {
				kind = store.CourseSeries
			}
			c, err := st.SaveCourse(ctx, 0, siteID, store.CourseInput{Kind: kind, Pictogram: "people",
				Activity: store.CourseActivities[ci%len(store.CourseActivities)],
				Texts:    map[string]store.CourseText{"nl": {Name: fmt.Sprintf("Cursus %d-%d", k, ci)}, "fr": {Name: fmt.Sprintf("Cours %d-%d", k, ci)}}})
			if err != nil {
				tb.Fatal(err)
			}
			var first int64
			if err := st.R.Raw("SELECT COALESCE(MAX(id), 0) FROM course_sessions").Scan(&first).Error; err != nil {
				tb.Fatal(err)
			}
			start := now.AddDate(0, 0, -7*(12+ci*3)).Truncate(time.Hour)
			for w := 0; w < 10; w++ {
				at := start.AddDate(0, 0, 7*w)
				id := first + int64(w) + 1
				exec("INSERT INTO course_sessions (id, course_id, starts_at, ends_at, seats) VALUES (?, ?, ?, ?, ?)",
					id, c.ID, at.Unix(), at.Add(2*time.Hour).Unix(), 15)
				for i := 0; i < 12; i++ {
					m := perSite[k][(ci*37+i*11)%len(perSite[k])]
					if (i+w)%5 == 4 { // a missed session now and then
						continue
					}
					came := at.Add(5 * time.Minute).UTC()
					enrolments = append(enrolments, []any{id, m, store.Enrolled, at.AddDate(0, 0, -3).UTC(), came})
					if (i+w)%2 == 0 {
						ratings = append(ratings, []any{id, m, 1 + (i+ci+w)%4, came.Add(2 * time.Hour)})
					}
				}
			}
		}
	}
	insertRows(tb, st, "enrolments", "session_id, member_id, status, created_at, attended_at", enrolments)
	insertRows(tb, st, "ratings", "session_id, member_id, score, created_at", ratings)
	if st.Dialect == "postgres" {
		exec("SELECT setval(pg_get_serial_sequence('course_sessions', 'id'), (SELECT MAX(id) FROM course_sessions))")
		// What autovacuum does after a bulk load: the visibility map lets
		// the index-only scans skip the table.
		exec("VACUUM ANALYZE")
	} else {
		exec("ANALYZE")
	}
	all, err := st.Sites(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	return all
}

// insertRows writes rows with multi-row INSERTs in one transaction.
func insertRows(tb testing.TB, st *store.Store, table, cols string, rows [][]any) {
	tb.Helper()
	per := strings.Count(cols, ",") + 1
	ph := "(" + strings.TrimSuffix(strings.Repeat("?,", per), ",") + ")"
	tx := st.W.Begin()
	for b := 0; b < len(rows); b += 500 {
		end := min(b+500, len(rows))
		args := make([]any, 0, (end-b)*per)
		for _, r := range rows[b:end] {
			args = append(args, r...)
		}
		q := fmt.Sprintf("INSERT INTO %s (%s) VALUES %s", table, cols, strings.TrimSuffix(strings.Repeat(ph+",", end-b), ","))
		if err := tx.Exec(q, args...).Error; err != nil {
			tx.Rollback()
			tb.Fatalf("seed %s: %v", table, err)
		}
	}
	if err := tx.Commit().Error; err != nil {
		tb.Fatal(err)
	}
}
