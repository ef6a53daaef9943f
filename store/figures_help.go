package store

import (
	"context"
	"strconv"
	"time"
)

// The help queue's and the tandems' part of a period's figures (issue
// 12): counted by HelpFigures and TandemFigures, over the network and,
// for the rule between views (NetworkFigures), site by site. Their
// tables are small; a pass per site costs little.

// helpAndTandems counts them for f, and each site's headline counts of
// them into bySite.
func (s *Store) helpAndTandems(ctx context.Context, f *Figures, siteIDs []int64, bySite map[int64]*Headline) error {
	var err error
	if f.Help, err = s.HelpFigures(ctx, siteIDs, f.Period); err != nil {
		return err
	}
	if f.Tandems, err = s.TandemFigures(ctx, siteIDs, f.Period); err != nil {
		return err
	}
	if len(siteIDs) < 2 {
		for _, id := range siteIDs {
			bySite[id].HelpTickets, bySite[id].Tandems, bySite[id].Meetings = f.Help.Tickets, f.Tandems.Active, f.Tandems.Meetings
		}
		return nil
	}
	for _, id := range siteIDs {
		h, err := s.HelpFigures(ctx, []int64{id}, f.Period)
		if err != nil {
			return err
		}
		t, err := s.TandemFigures(ctx, []int64{id}, f.Period)
		if err != nil {
			return err
		}
		bySite[id].HelpTickets, bySite[id].Tandems, bySite[id].Meetings = h.Tickets, t.Active, t.Meetings
	}
	return nil
}

// MaskedHelp are the help queue's figures as they may be shown.
type MaskedHelp struct {
	Tickets, Days, WaitMedian, WaitP90 string
	// Outcomes: keys HelpOutcomes and "open", adding up to Tickets.
	Outcomes MaskedBreakdown
}

// MaskedTandems are the tandems' figures as they may be shown.
type MaskedTandems struct {
	Active, New, Meetings, Hours string
	// Outcomes: tandems with each of OutcomeKinds in the period.
	Outcomes []MaskedLine
}

func maskHelp(h HelpFigures) MaskedHelp {
	parts := []Part{{Key: "open", N: h.Open}}
	for _, o := range HelpOutcomes {
		parts = append(parts, Part{Key: o, N: h.Outcomes[o]})
	}
	m := MaskedHelp{Days: strconv.Itoa(len(h.ByDay)),
		WaitMedian: hideIf(minutes(h.WaitMedian), h.Waited), WaitP90: hideIf(minutes(h.WaitP90), h.Waited)}
	var split []MaskedBreakdown
	m.Tickets, split = MaskCounts(h.Tickets, []Breakdown{{Parts: parts}})
	m.Outcomes = split[0]
	return m
}

func minutes(d time.Duration) string { return strconv.Itoa(int(d.Round(time.Minute).Minutes())) }

func maskTandems(t TandemFigures) MaskedTandems {
	m := MaskedTandems{Active: Masked(t.Active), New: Masked(t.New), Meetings: Masked(t.Meetings),
		Hours: hideIf(oneDecimal(t.Hours()), t.Meetings)}
	for _, k := range OutcomeKinds {
		m.Outcomes = append(m.Outcomes, MaskedLine{Key: k, Count: Masked(t.Outcomes[k])})
	}
	return m
}
