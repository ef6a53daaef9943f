package admin_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
	"github.com/drempel/drempel/web"
)

// A member who reads Arabic takes home what Drempel holds about them as
// a PDF in Arabic: the title, the headings and the statuses in the
// catalog's words, their name, their words and their card's check code,
// their request for help waiting, their tandem with its goals and their
// mentor's note on a meeting, and never the card's secret token. Only
// the desk prints it.
func TestMemberDataPDFInTheMembersLanguage(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		x, err := web.NewI18n(nil)
		if err != nil {
			t.Fatal(err)
		}
		ar := x.Loc("ar", "nl")
		site := must(st.EnsureSite(ctx, "Antwerpen", "Europe/Brussels"))(t)
		staffID := userID(t, st, "staff@test.be")
		m := must(st.CreateMember(ctx, store.MemberInput{Nickname: "أمينة الهاشمي", Lang: "ar", Phone: "0470 11 22 33", SiteID: site.ID}))(t)
		id := strconv.FormatInt(m.ID, 10)
		checkIn(t, st, m.ID, site)
		course := must(st.SaveCourse(ctx, 0, site.ID, store.CourseInput{Kind: store.CourseOpen, Pictogram: "laptop",
			Texts: map[string]store.CourseText{"nl": {Name: "Mails sturen"}}}))(t)
		start := time.Now().Add(-72 * time.Hour).Truncate(time.Hour)
		past := must(st.AddSession(ctx, course.ID, store.SessionInput{Start: start, End: start.Add(time.Hour), Seats: 5}))(t)
		if err := st.W.Create(&store.Rating{SessionID: past.ID, MemberID: m.ID, Score: 3, CreatedAt: time.Now()}).Error; err != nil {
			t.Fatal(err)
		}
		must(st.ReportThreshold(ctx, store.ReportInput{SiteID: site.ID, Domain: "bank", Problem: "login", Text: "لا أستطيع فتح حسابي",
			Lang: "ar", MemberID: &m.ID, WantsHelp: true}))(t)
		dev := must(st.AddDevices(ctx, site.ID, store.DeviceInput{Type: store.Laptop, Make: "Lenovo", Model: "T480s"}, 1, staffID))(t)[0]
		loan := store.Loan{DeviceID: dev.ID, MemberID: m.ID, SiteID: site.ID, LentAt: time.Now(), DueAt: time.Now().AddDate(0, 0, 7), Status: store.LoanOpen, TermsAccepted: true}
		if err := st.W.Create(&loan).Error; err != nil {
			t.Fatal(err)
		}

		// A tandem, with the mentor's note on a meeting, and a request for
		// help still waiting.
		mentorID := userID(t, st, "mentor@test.be")
		local := st.Now().In(site.Location())
		tandem := must(st.CreateTandem(ctx, site.ID, store.TandemInput{MentorID: mentorID, MemberID: m.ID, StartsOn: local.AddDate(0, 0, -30).Format(time.DateOnly),
			EndsOn: local.AddDate(0, 0, 90).Format(time.DateOnly), Goals: []string{"housing", "language"}}, 0))(t)
		must(st.LogMeeting(ctx, tandem.ID, store.MeetingInput{Day: local.AddDate(0, 0, -3).Format(time.DateOnly), Minutes: 90, Topics: []string{"housing"},
			Note: "قرأنا عقد الإيجار معًا"}, mentorID))(t)
		if err := st.SetOutcome(ctx, tandem.ID, "housing", local.AddDate(0, 0, -1).Format(time.DateOnly), mentorID); err != nil {
			t.Fatal(err)
		}
		must(st.AskForHelp(ctx, store.HelpInput{SiteID: site.ID, Subject: "online", MemberID: &m.ID}))(t)

		if r := f.signIn(t, store.RoleFacilitator).Get("/admin/members/" + id + "/data.pdf"); r.Status != 403 {
			t.Errorf("a facilitator: %d, want 403", r.Status)
		}
		c := f.signIn(t, store.RoleStaff)
		r := c.Get("/admin/members/" + id + "/data.pdf")
		if r.Status != 200 || r.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(r.Body, "%PDF") {
			t.Fatalf("data.pdf: %d %q, want a PDF (is the route in admin.go?)", r.Status, r.Header.Get("Content-Type"))
		}
		if got := r.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("Cache-Control %q: a member's data must not stay in a browser's cache", got)
		}
		if got := r.Header.Get("Content-Disposition"); !strings.HasPrefix(got, "inline;") || !strings.Contains(got, ".pdf") {
			t.Errorf("Content-Disposition %q, want it inline, with a file name", got)
		}
		if strings.Contains(r.Body, m.Card.Token) {
			t.Fatal("the PDF holds the card's token")
		}
		// The text a PDF reader gives back puts an Arabic vowel mark after
		// the letter that follows it: compared without them.
		text := withoutHarakat(pdfText(t, []byte(r.Body)))
		for _, want := range []string{
			ar.T("receipt.record.title"), ar.T("receipt.record.cards"), ar.T("receipt.record.visits"), ar.T("receipt.record.ratings"),
			ar.T("receipt.record.loans"), ar.T("receipt.record.thresholds"), ar.T("receipt.record.loan.open"),
			ar.T("kiosk.report.domain.bank"), ar.T("kiosk.rate.3"), ar.T("kiosk.loans.type.laptop"),
			ar.T("receipt.record.help"), ar.T("kiosk.help.subject.online"), ar.T("receipt.record.help.waiting"),
			ar.T("receipt.record.mentor_note"), ar.T("receipt.record.goal.housing"), ar.T("receipt.record.goal.language"),
			"mentor@test.be", "قرأنا عقد الإيجار معًا",
			"أمينة الهاشمي", "لا أستطيع فتح حسابي", "Mails sturen", dev.AssetTag, "0470 11 22 33", store.FormatCheckCode(m.Card.CheckCode),
		} {
			if !strings.Contains(text, withoutHarakat(want)) {
				t.Errorf("%q not in the PDF's text", want)
			}
		}
		if strings.Contains(text, m.Card.Token) || strings.Contains(text, "receipt.record.") {
			t.Errorf("the token, or a message id for want of words:\n%s", text)
		}
	})
}

// withoutHarakat drops Arabic's vowel marks (fathatan, shadda…).
func withoutHarakat(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 0x064B && r <= 0x065F || r == 0x0670 {
			return -1
		}
		return r
	}, s)
}
