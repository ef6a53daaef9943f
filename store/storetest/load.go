package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/drempel/drempel/store"
)

// SeedLoad fills a store for benchmarks: members with an active card each,
// and visitsPerMember past visits per member on distinct days before today.
// It writes with multi-row INSERTs in large transactions, which is how a
// migration from another system would load it, and returns the card tokens.
func SeedLoad(tb testing.TB, st *store.Store, members, visitsPerMember int) []string {
	tb.Helper()
	ctx := context.Background()
	site, err := st.EnsureSite(ctx, "Load test", "Europe/Brussels")
	if err != nil {
		tb.Fatal(err)
	}
	var first int64
	if err := st.R.Raw("SELECT COALESCE(MAX(id), 0) FROM members").Scan(&first).Error; err != nil {
		tb.Fatal(err)
	}
	now := time.Now().UTC()
	tokens := make([]string, members)
	const batch = 500
	insert := func(table, cols string, n int, row func(i int) []any) {
		tb.Helper()
		per := strings.Count(cols, ",") + 1
		ph := "(" + strings.TrimSuffix(strings.Repeat("?,", per), ",") + ")"
		for start := 0; start < n; start += batch * 20 {
			tx := st.W.Begin()
			for b := start; b < n && b < start+batch*20; b += batch {
				end := min(b+batch, n)
				args := make([]any, 0, (end-b)*per)
				for i := b; i < end; i++ {
					args = append(args, row(i)...)
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
	}
	insert("members", "id, nickname, search, lang, site_id, created_at, updated_at", members, func(i int) []any {
		nick := fmt.Sprintf("Member %d", i)
		return []any{first + int64(i) + 1, nick, store.Fold(nick), "nl", site.ID, now, now}
	})
	insert("cards", "member_id, token_hash, check_code, issued_at", members, func(i int) []any {
		tokens[i] = store.NewToken()
		return []any{first + int64(i) + 1, st.CardTokenHash(tokens[i]), loadCode(int(first) + i), now}
	})
	insert("visits", "member_id, site_id, day, checked_in_at", members*visitsPerMember, func(i int) []any {
		m, d := i/visitsPerMember, i%visitsPerMember
		at := now.AddDate(0, 0, -1-d*7-m%7)
		return []any{first + int64(m) + 1, site.ID, at.Format(time.DateOnly), at}
	})
	if st.Dialect == "postgres" {
		// Identity columns do not see explicit ids; move them past the seed.
		if err := st.W.Exec("SELECT setval(pg_get_serial_sequence('members', 'id'), (SELECT MAX(id) FROM members))").Error; err != nil {
			tb.Fatal(err)
		}
		// What autovacuum would do after the bulk load, done now, so that
		// a benchmark does not share the cores with it.
		st.W.Exec("VACUUM ANALYZE")
	} else {
		st.W.Exec("ANALYZE")
	}
	return tokens
}

// loadCode gives member i a check code no other seeded member has.
func loadCode(i int) string {
	const alphabet = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
	b := make([]byte, store.CheckCodeLen)
	for k := range b {
		b[k] = alphabet[i%len(alphabet)]
		i /= len(alphabet)
	}
	return string(b)
}

// SeedLabAndCourses gives the site a lab open every day (9–12, 13–17, 12
// seats), n past bookings spread over the members and the past year, and
// courses×sessions upcoming course sessions in the next four weeks.
func SeedLabAndCourses(tb testing.TB, st *store.Store, members, bookings, courses, sessions int) {
	tb.Helper()
	ctx := context.Background()
	site, err := st.DefaultSite(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	lab := store.DefaultLab(site.ID)
	lab.Seats = 12
	if err := st.SaveLab(ctx, lab); err != nil {
		tb.Fatal(err)
	}
	var week []store.LabHours
	for d := 0; d < 7; d++ {
		week = append(week, store.LabHours{Weekday: d, Opens: 9 * 60, Closes: 12 * 60}, store.LabHours{Weekday: d, Opens: 13 * 60, Closes: 17 * 60})
	}
	if err := st.SetLabHours(ctx, site.ID, week); err != nil {
		tb.Fatal(err)
	}
	loc := site.Location()
	now := time.Now().In(loc)
	tx := st.W.Begin()
	const batch = 500
	for start := 0; start < bookings; start += batch {
		end := min(start+batch, bookings)
		var q strings.Builder
		q.WriteString("INSERT INTO bookings (site_id, member_id, starts_at, ends_at, status, created_at) VALUES ")
		args := make([]any, 0, (end-start)*6)
		for i := start; i < end; i++ {
			if i > start {
				q.WriteString(",")
			}
			q.WriteString("(?,?,?,?,?,?)")
			day := now.AddDate(0, 0, -1-(i/members)%365)
			at := time.Date(day.Year(), day.Month(), day.Day(), 9+i%3, 0, 0, 0, loc)
			status := store.BookingAttended
			if i%5 == 0 {
				status = store.BookingNoShow
			}
			args = append(args, site.ID, int64(i%members)+1, at.Unix(), at.Add(time.Hour).Unix(), status, at.AddDate(0, 0, -2))
		}
		if err := tx.Exec(q.String(), args...).Error; err != nil {
			tx.Rollback()
			tb.Fatalf("seed bookings: %v", err)
		}
	}
	if err := tx.Commit().Error; err != nil {
		tb.Fatal(err)
	}
	for c := 0; c < courses; c++ {
		course, err := st.SaveCourse(ctx, 0, site.ID, store.CourseInput{Kind: store.CourseOpen, Pictogram: "laptop",
			Texts: map[string]store.CourseText{"nl": {Name: fmt.Sprintf("Vorming %d", c)}, "fr": {Name: fmt.Sprintf("Formation %d", c)}}})
		if err != nil {
			tb.Fatal(err)
		}
		for k := 0; k < sessions; k++ {
			at := time.Date(now.Year(), now.Month(), now.Day()+1+(c+k*5)%28, 9+k%6, 0, 0, 0, loc)
			if _, err := st.AddSession(ctx, course.ID, store.SessionInput{Start: at, End: at.Add(2 * time.Hour), Seats: 12}); err != nil {
				tb.Fatal(err)
			}
		}
	}
	if st.Dialect == "postgres" {
		st.W.Exec("VACUUM ANALYZE") // as SeedLoad
	} else {
		st.W.Exec("ANALYZE")
	}
}
