package store

import (
	"context"
	"strconv"
)

// Figures for a network, next to each site's own. Whoever sees the
// network's figures may see each site's too, and subtract: a network
// count minus one site's is the rest of the network, and that must not
// be a count from 1 to 4 either. Masking one view alone cannot know it;
// Mask does it for figures over several sites, with each site's headline
// counts (Figures.BySite) counted in the same passes.

// Headline are the counts of a period that a network's figures are
// checked against, site by site (Figures.BySite).
type Headline struct {
	Participants, NewParticipants, Visits                int
	Sessions, CourseParticipants, SupportParticipants    int
	Bookings, Loans, Reports, ThemesOpened, ThemesSolved int
	Helped, Completed                                    int
	HelpTickets, Tandems, Meetings                       int
}

// Returning are the participants registered before the period.
func (h Headline) Returning() int { return h.Participants - h.NewParticipants }

// Headline are the figures' own headline counts.
func (f *Figures) Headline() Headline {
	return Headline{Participants: f.Participants, NewParticipants: f.NewParticipants, Visits: f.Visits,
		Sessions: f.CourseTotals.Sessions, CourseParticipants: f.CourseTotals.Participants, SupportParticipants: f.Support.Participants,
		Bookings: f.Bookings, Loans: f.LoanTotals.Loans, Reports: f.Reports, ThemesOpened: f.ThemesOpened, ThemesSolved: f.ThemesSolved,
		Helped: f.Support.Helped, Completed: f.Support.Completed,
		HelpTickets: f.Help.Tickets, Tandems: f.Tandems.Active, Meetings: f.Tandems.Meetings}
}

// NetworkFigures counts a period's figures over the sites of a network
// and masks them for a reader who also sees each site's own figures. The
// per-site counts come from the same passes (PeriodFigures).
//
// The rule, beyond one view's: a headline count (participants, new,
// returning, visits, sessions, course and support participants,
// bookings, loans, reports, themes, helped, completed, help tickets,
// tandems and their meetings) is shown only
// when, for every site s of the network, the network's count minus s's
// is 0 or at least 5 (the count itself being 0 or at least 5, as in any
// view); otherwise it shows as MaskedLarge, and what adds up to it is
// hidden too: its breakdowns are withheld (participants by profile,
// support participants by activity and profile, reports by domain,
// problem and level), the months' visits and the loans by type show at
// most as MaskedLarge; new and returning participants, which add up to
// all of them, are hidden together. The counts per month are not checked
// against the sites' own months, and a course's line needs nothing: a
// course belongs to one site.
func (s *Store) NetworkFigures(ctx context.Context, siteIDs []int64, p Period) (*Figures, *MaskedFigures, error) {
	f, err := s.PeriodFigures(ctx, siteIDs, p)
	if err != nil {
		return nil, nil, err
	}
	return f, f.Mask(), nil
}

// maskNetwork is maskView, then the rule between views of
// NetworkFigures.
func (f *Figures) maskNetwork() *MaskedFigures {
	m := f.maskView()
	net := f.Headline()
	// leaks says whether network − site is from 1 to 4 for some site.
	leaks := func(count func(Headline) int) bool {
		n := count(net)
		for _, id := range f.SiteIDs {
			if d := n - count(f.BySite[id]); d > 0 && d < MaskBelow {
				return true
			}
		}
		return false
	}
	// hide shows a count of at least 5 as MaskedLarge; 0 and "< 5" give
	// nothing away already.
	hide := func(shown *string, n int) {
		if n >= MaskBelow {
			*shown = MaskedLarge
		}
	}
	withhold := func(bs ...*MaskedBreakdown) {
		for _, b := range bs {
			*b = MaskedBreakdown{Withheld: true}
		}
	}

	if leaks(func(h Headline) int { return h.Participants }) {
		hide(&m.Participants, f.Participants)
		withhold(&m.ByAgeBand, &m.ByGender, &m.ByLang)
		hide(&m.NewParticipants, f.NewParticipants)
		hide(&m.Returning, f.Returning())
	}
	if leaks(func(h Headline) int { return h.NewParticipants }) || leaks(Headline.Returning) {
		hide(&m.NewParticipants, f.NewParticipants)
		hide(&m.Returning, f.Returning())
	}
	if leaks(func(h Headline) int { return h.Visits }) {
		hide(&m.Visits, f.Visits)
		for i := range m.Months {
			hideShown(&m.Months[i].Visits)
		}
	}
	if leaks(func(h Headline) int { return h.Sessions }) {
		hide(&m.CourseTotals.Sessions, f.CourseTotals.Sessions)
	}
	if leaks(func(h Headline) int { return h.CourseParticipants }) || leaks(func(h Headline) int { return h.SupportParticipants }) {
		hide(&m.CourseTotals.Participants, f.CourseTotals.Participants)
		hide(&m.Support.Participants, f.Support.Participants)
		withhold(&m.Support.ByActivity, &m.Support.ByAgeBand, &m.Support.ByGender)
	}
	if leaks(func(h Headline) int { return h.Bookings }) {
		hide(&m.Bookings, f.Bookings)
	}
	if leaks(func(h Headline) int { return h.Loans }) {
		hide(&m.LoanTotals.Loans, f.LoanTotals.Loans)
		for i := range m.Loans {
			if hideShown(&m.Loans[i].Loans) {
				m.Loans[i].Days, m.Loans[i].Overdue = HiddenValue, HiddenValue
			}
		}
	}
	if leaks(func(h Headline) int { return h.Reports }) {
		hide(&m.Reports, f.Reports)
		withhold(&m.ByDomain, &m.ByProblem, &m.ByLevel)
	}
	if leaks(func(h Headline) int { return h.HelpTickets }) {
		hide(&m.Help.Tickets, f.Help.Tickets)
		withhold(&m.Help.Outcomes)
	}
	for _, x := range []struct {
		count func(Headline) int
		shown *string
		n     int
	}{
		{func(h Headline) int { return h.Tandems }, &m.Tandems.Active, f.Tandems.Active},
		{func(h Headline) int { return h.Meetings }, &m.Tandems.Meetings, f.Tandems.Meetings},
		{func(h Headline) int { return h.ThemesOpened }, &m.ThemesOpened, f.ThemesOpened},
		{func(h Headline) int { return h.ThemesSolved }, &m.ThemesSolved, f.ThemesSolved},
		{func(h Headline) int { return h.Helped }, &m.Support.Helped, f.Support.Helped},
		{func(h Headline) int { return h.Completed }, &m.Support.Completed, f.Support.Completed},
	} {
		if leaks(x.count) {
			hide(x.shown, x.n)
		}
	}
	return m
}

// hideShown turns a count shown as it is (5 or more) into MaskedLarge,
// and says whether it did.
func hideShown(shown *string) bool {
	if n, err := strconv.Atoi(*shown); err == nil && n >= MaskBelow {
		*shown = MaskedLarge
		return true
	}
	return false
}
