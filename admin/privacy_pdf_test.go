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
// and never the card's secret token. Only the desk prints it.
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
		text := pdfText(t, []byte(r.Body))
		for _, want := range []string{
			ar.T("receipt.record.title"), ar.T("receipt.record.cards"), ar.T("receipt.record.visits"), ar.T("receipt.record.ratings"),
			ar.T("receipt.record.loans"), ar.T("receipt.record.thresholds"), ar.T("receipt.record.loan.open"),
			ar.T("kiosk.report.domain.bank"), ar.T("kiosk.rate.3"), ar.T("kiosk.loans.type.laptop"),
			"أمينة الهاشمي", "لا أستطيع فتح حسابي", "Mails sturen", dev.AssetTag, "0470 11 22 33", store.FormatCheckCode(m.Card.CheckCode),
		} {
			if !strings.Contains(text, want) {
				t.Errorf("%q not in the PDF's text", want)
			}
		}
		if strings.Contains(text, m.Card.Token) || strings.Contains(text, "receipt.record.") {
			t.Errorf("the token, or a message id for want of words:\n%s", text)
		}
	})
}
