package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// The people of a period in one pass. A participant is a member with a
// visit, or an attended course session, at one of the sites in the
// period; the figures want them counted in total, as new, per calendar
// month, per site (for NetworkFigures) and by profile. One GROUP BY
// member_id gathers, for each member, the set of months and the set of
// sites they took part in as bits of integer columns; the outer query
// joins the members once and counts, per age band × gender × language,
// how many have each bit. Go only adds up those few rows.

// bitset writes the SQL that gathers small indexes (a month of the
// period, a site) into integer columns per member, one bit per index, 62
// to a column, and counts the members with each. The OR of a member's
// bits is bit_or on PostgreSQL; SQLite has none, and there it is the sum
// of the distinct bits.
type bitset struct {
	pg   bool
	name string // column prefix
	n    int    // indexes 0 … n-1
	per  int    // indexes per column
}

func newBitset(pg bool, name string, n int) bitset { return bitset{pg: pg, name: name, n: n, per: 62} }

// sums are the outer query's count of members with each index, from
// table t.
func (b bitset) sums(t string) []string {
	var out []string
	for i := range b.n {
		out = append(out, fmt.Sprintf("SUM((%s.%s%d >> %d) & 1)", t, b.name, i/b.per, i%b.per))
	}
	return out
}

func (b bitset) columns() int { return max(1, (b.n+b.per-1)/b.per) }

// aggs are the aggregate columns of the index a row falls in, found by
// a tree of tests (below(i): the row's index is below i) whose leaves are
// constants: a handful of comparisons a row, no arithmetic.
func (b bitset) aggs(below func(i int) string) string {
	var out []string
	for c := range b.columns() {
		lo, hi := c*b.per, min((c+1)*b.per, b.n)
		var tree func(l, h int) string
		tree = func(l, h int) string {
			switch {
			case h <= lo || l >= hi:
				return "0"
			case h-l == 1:
				return b.bit(l - lo)
			}
			mid := (l + h) / 2
			left, right := tree(l, mid), tree(mid, h)
			if left == right {
				return left
			}
			return "CASE WHEN " + below(mid) + " THEN " + left + " ELSE " + right + " END"
		}
		out = append(out, fmt.Sprintf("%s AS %s%d", b.or(tree(0, b.n)), b.name, c))
	}
	return strings.Join(out, ", ")
}

// aggsOf are the aggregate columns of the index of a row's value of col
// in keys.
func (b bitset) aggsOf(col string, keys []int64) string {
	var out []string
	for c := range b.columns() {
		lo, hi := c*b.per, min((c+1)*b.per, b.n)
		var when strings.Builder
		for i := lo; i < hi; i++ {
			fmt.Fprintf(&when, " WHEN %d THEN %s", keys[i], b.bit(i-lo))
		}
		out = append(out, fmt.Sprintf("%s AS %s%d", b.or("CASE "+col+when.String()+" ELSE 0 END"), b.name, c))
	}
	return strings.Join(out, ", ")
}

// or is the aggregate OR of the bits x.
func (b bitset) or(x string) string {
	if b.pg {
		return "bit_or(" + x + ")"
	}
	return "SUM(DISTINCT " + x + ")"
}

// bit is the constant of the i-th index of a column.
func (b bitset) bit(i int) string {
	if b.pg {
		return fmt.Sprintf("CAST(%d AS BIGINT)", int64(1)<<i)
	}
	return fmt.Sprint(int64(1) << i)
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// periodMonths are the first days of the calendar months p touches.
func periodMonths(p Period) []time.Time {
	loc := p.From.Location()
	var ms []time.Time
	for m := time.Date(p.From.Year(), p.From.Month(), 1, 0, 0, 0, 0, loc); m.Before(p.To); m = m.AddDate(0, 1, 0) {
		ms = append(ms, m)
	}
	return ms
}

// peopleChunks is how many member-id ranges the visitors are counted in,
// side by side.
const peopleChunks = 2

// peopleFigures counts the participants: in total, new, per month, per
// site and by profile. The visitors are counted in one GROUP BY member_id
// over the visits (in peopleChunks ranges of member ids, side by side);
// then the course participants who did not visit (at all, in that
// month, at that site) are added from the attendance, which is small.
func (s *Store) peopleFigures(ctx context.Context, f *Figures, siteIDs []int64, held int64) (map[int64]*Headline, error) {
	p := f.Period
	pg := s.Dialect == "postgres"
	db := s.R.WithContext(ctx)
	fromDay, toDay := p.Days()
	from, to := p.From.UTC(), p.To.UTC()
	months := periodMonths(p)
	if len(months) == 0 {
		return nil, fmt.Errorf("the period %s to %s is empty", fromDay, toDay)
	}

	// The rows: the months each member visited each site (visit_months,
	// kept by triggers on visits): under a third of the rows of the
	// visits in the load benchmark. A month the period covers only in
	// part counts when the member visited that site that month on one of
	// the period's days, which the index of the visits answers for each
	// such row.
	var edges []string
	if !strings.HasSuffix(fromDay, "-01") {
		edges = append(edges, months[0].Format("2006-01"))
	}
	if last := months[len(months)-1].Format("2006-01"); !strings.HasSuffix(toDay, "-01") && (len(edges) == 0 || edges[0] != last) {
		edges = append(edges, last)
	}
	inPeriod := ""
	if len(edges) > 0 {
		inPeriod = ` AND (v.month NOT IN ('` + strings.Join(edges, "', '") + `') OR EXISTS (SELECT 1 FROM visits x
			WHERE x.member_id = v.member_id AND x.site_id = v.site_id AND x.day > v.month AND x.day < v.month || '-32'
			AND x.day >= '` + fromDay + `' AND x.day < '` + toDay + `'))`
	}
	// Indexes: a row's month, a site's by its place in siteIDs.
	dayBelow := func(i int) string { return fmt.Sprintf("v.month < '%s'", months[i].Format("2006-01")) }
	var span struct{ Lo, Hi int64 }
	if err := db.Raw(`SELECT COALESCE(MIN(id), 0) AS lo, COALESCE(MAX(id), 0) AS hi FROM members`).Scan(&span).Error; err != nil {
		return nil, err
	}
	vm := newBitset(pg, "vm", len(months))
	vs := newBitset(pg, "vs", len(siteIDs))

	// On SQLite the rows are read in member order from their unique index,
	// which needs no sort to group them, when the period covers a good
	// part of the days with visits; for a short period of a long history,
	// or a period before any visit, the planner's own choice
	// (visit_months_month, then a sort) reads far fewer.
	indexed := ""
	if !pg {
		var first string
		if err := db.Raw(`SELECT COALESCE(MIN(day), '') FROM visits WHERE site_id IN ?`, siteIDs).Scan(&first).Error; err != nil {
			return nil, err
		}
		if t, err := time.ParseInLocation(time.DateOnly, first, p.From.Location()); err == nil {
			now := s.Now()
			span := now.Sub(t)
			end := p.To
			if now.Before(end) {
				end = now
			}
			covered := end.Sub(maxTime(p.From, t))
			if span > 0 && covered*3 >= span {
				indexed = " INDEXED BY visit_months_once"
			}
		}
	}
	isNew := "CASE WHEN m.created_at >= ? AND m.created_at < ? THEN 1 ELSE 0 END"
	sets := vm.aggs(dayBelow)
	if len(siteIDs) > 1 {
		sets += ", " + vs.aggsOf("v.site_id", siteIDs)
	} else {
		vs.n = 0 // one site's participants are all of them
	}
	perMember := `SELECT v.member_id, ` + sets + `
		FROM visit_months v` + indexed + ` WHERE v.site_id IN ? AND v.month >= ? AND v.month <= ? AND v.member_id >= ? AND v.member_id < ?` + inPeriod + `
		GROUP BY v.member_id`
	sel := []string{"m.age_band", "m.gender", "m.lang", isNew}
	sel = append(append(sel, vm.sums("p")...), vs.sums("p")...)
	visitors := `SELECT ` + strings.Join(sel, ", ") + `, COUNT(*) AS n FROM (` + perMember + `) p
		JOIN members m ON m.id = p.member_id AND m.id >= ? AND m.id < ? GROUP BY 1, 2, 3, 4`

	type row struct {
		AgeBand, Gender, Lang string
		IsNew, N              int
		Months, Sites         []int
	}
	chunks := make([][]row, peopleChunks)
	// The course participants: those who never visited, by profile; per
	// month and per site, those who did not visit then or there.
	var only []struct {
		AgeBand, Gender, Lang string
		IsNew, N              int
	}
	var byMonth []struct{ K, N int }
	var bySite []struct {
		SiteID   int64
		IsNew, N int
	}
	attended := `FROM enrolments e JOIN course_sessions cs ON cs.id = e.session_id JOIN courses c ON c.id = cs.course_id
		WHERE e.attended_at IS NOT NULL AND c.site_id IN ? AND cs.starts_at >= ? AND cs.starts_at < ?`
	var monthOf, dayFrom, dayTo strings.Builder
	monthOf.WriteString("(CASE")
	dayFrom.WriteString("(CASE x.k")
	dayTo.WriteString("(CASE x.k")
	for i := len(months) - 1; i > 0; i-- {
		fmt.Fprintf(&monthOf, " WHEN cs.starts_at >= %d THEN %d", months[i].Unix(), i)
	}
	for i, m := range months {
		lo, hi := max(m.Format(time.DateOnly), fromDay), min(m.AddDate(0, 1, 0).Format(time.DateOnly), toDay)
		fmt.Fprintf(&dayFrom, " WHEN %d THEN '%s'", i, lo)
		fmt.Fprintf(&dayTo, " WHEN %d THEN '%s'", i, hi)
	}
	monthOf.WriteString(" ELSE 0 END)")
	if len(months) == 1 {
		monthOf.Reset()
		monthOf.WriteString("0")
	}
	dayFrom.WriteString(" END)")
	dayTo.WriteString(" END)")

	step := (span.Hi-span.Lo)/peopleChunks + 1
	var passes []func() error
	for c := range peopleChunks {
		first := span.Lo + int64(c)*step
		passes = append(passes, func() error {
			rows, err := db.Raw(visitors, from, to, siteIDs, months[0].Format("2006-01"), months[len(months)-1].Format("2006-01"), first, first+step, first, first+step).Rows()
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				r := row{Months: make([]int, len(months)), Sites: make([]int, vs.n)}
				dest := []any{&r.AgeBand, &r.Gender, &r.Lang, &r.IsNew}
				for i := range r.Months {
					dest = append(dest, &r.Months[i])
				}
				for i := range r.Sites {
					dest = append(dest, &r.Sites[i])
				}
				if err := rows.Scan(append(dest, &r.N)...); err != nil {
					return err
				}
				chunks[c] = append(chunks[c], r)
			}
			return rows.Err()
		})
	}
	passes = append(passes, func() error {
		err := db.Raw(`SELECT m.age_band AS age_band, m.gender AS gender, m.lang AS lang, `+isNew+` AS is_new, COUNT(*) AS n FROM members m
			WHERE m.id IN (SELECT e.member_id `+attended+`)
			AND NOT EXISTS (SELECT 1 FROM visits v WHERE v.member_id = m.id AND v.site_id IN ? AND v.day >= ? AND v.day < ?)
			GROUP BY 1, 2, 3, 4`, from, to, siteIDs, from.Unix(), held, siteIDs, fromDay, toDay).Scan(&only).Error
		if err != nil {
			return err
		}
		err = db.Raw(`SELECT x.k AS k, COUNT(*) AS n FROM (SELECT DISTINCT e.member_id AS member_id, `+monthOf.String()+` AS k `+attended+`) x
			WHERE NOT EXISTS (SELECT 1 FROM visits v WHERE v.member_id = x.member_id AND v.site_id IN ? AND v.day >= `+dayFrom.String()+` AND v.day < `+dayTo.String()+`)
			GROUP BY x.k`, siteIDs, from.Unix(), held, siteIDs).Scan(&byMonth).Error
		if err != nil {
			return err
		}
		return db.Raw(`SELECT x.site_id AS site_id, `+isNew+` AS is_new, COUNT(*) AS n
			FROM (SELECT DISTINCT e.member_id AS member_id, c.site_id AS site_id `+attended+`) x JOIN members m ON m.id = x.member_id
			WHERE NOT EXISTS (SELECT 1 FROM visits v WHERE v.member_id = x.member_id AND v.site_id = x.site_id AND v.day >= ? AND v.day < ?)
			GROUP BY 1, 2`, from, to, siteIDs, from.Unix(), held, fromDay, toDay).Scan(&bySite).Error
	})
	if err := parallel(passes...); err != nil {
		return nil, err
	}

	f.Months = make([]MonthFigures, len(months))
	for i, m := range months {
		f.Months[i].Month = m
	}
	heads := map[int64]*Headline{}
	for _, id := range siteIDs {
		heads[id] = &Headline{}
	}
	age, gender, lang := map[string]int{}, map[string]int{}, map[string]int{}
	add := func(r row) {
		f.Participants += r.N
		f.NewParticipants += r.N * r.IsNew
		age[r.AgeBand] += r.N
		gender[r.Gender] += r.N
		lang[r.Lang] += r.N
		for i, n := range r.Months {
			f.Months[i].Participants += n
		}
		for i, n := range r.Sites {
			heads[siteIDs[i]].Participants += n
			heads[siteIDs[i]].NewParticipants += n * r.IsNew
		}
	}
	for _, rows := range chunks {
		for _, r := range rows {
			add(r)
		}
	}
	for _, r := range only {
		add(row{AgeBand: r.AgeBand, Gender: r.Gender, Lang: r.Lang, IsNew: r.IsNew, N: r.N})
	}
	for _, m := range byMonth {
		f.Months[m.K].Participants += m.N
	}
	if len(siteIDs) == 1 {
		heads[siteIDs[0]].Participants, heads[siteIDs[0]].NewParticipants = f.Participants, f.NewParticipants
	} else {
		for _, r := range bySite {
			heads[r.SiteID].Participants += r.N
			heads[r.SiteID].NewParticipants += r.N * r.IsNew
		}
	}
	f.ByAgeBand, f.ByGender, f.ByLang = profileParts(age, AgeBands), profileParts(gender, Genders), profileParts(lang, nil)
	return heads, nil
}

// profileParts are the counts of a profile in the order of keys, then
// "" (never asked), then any other key in key order; zeros left out.
func profileParts(n map[string]int, keys []string) []Part {
	var parts []Part
	seen := map[string]bool{}
	for _, k := range append(append([]string(nil), keys...), "") {
		seen[k] = true
		if n[k] > 0 {
			parts = append(parts, Part{Key: k, N: n[k]})
		}
	}
	var rest []Part
	for k, v := range n {
		if !seen[k] && v > 0 {
			rest = append(rest, Part{Key: k, N: v})
		}
	}
	sort.Slice(rest, func(i, j int) bool { return rest[i].Key < rest[j].Key })
	return append(parts, rest...)
}
