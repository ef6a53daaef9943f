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
	insert("cards", "member_id, token, check_code, issued_at", members, func(i int) []any {
		tokens[i] = store.NewToken()
		return []any{first + int64(i) + 1, tokens[i], loadCode(int(first) + i), now}
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
		st.W.Exec("ANALYZE")
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
