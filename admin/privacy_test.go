package admin_test

import (
	"encoding/json"
	"html"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
	"github.com/drempel/drempel/web/webtest"
)

// A member asks what Drempel holds about them, takes it as a file, and
// asks to be erased: an open loan stops the erase; after the erase the
// member is gone by every road, their card is dead and nothing of it is
// left, the next one on the waiting list has their seat, and the day's
// figures are what they were.
func TestMemberDataAndErase(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		nl := nlLoc(t)
		site := must(st.EnsureSite(ctx, "Antwerpen", "Europe/Brussels"))(t)
		staffID := userID(t, st, "staff@test.be")
		m := must(st.CreateMember(ctx, store.MemberInput{Nickname: "Wis-Mij", Lang: "ar", Phone: "0470 11 22 33", Note: "Vraagt naar Mo", SiteID: site.ID}))(t)
		other := must(st.CreateMember(ctx, store.MemberInput{Nickname: "Wachtende", Lang: "nl", SiteID: site.ID}))(t)
		id := strconv.FormatInt(m.ID, 10)
		day := st.Now().In(site.Location()).Format(time.DateOnly)
		checkIn(t, st, m.ID, site)
		checkIn(t, st, other.ID, site)

		// A course session to come with one seat: the member has it, the
		// other waits. A past session they attended, with a smiley.
		course := must(st.SaveCourse(ctx, 0, site.ID, store.CourseInput{Kind: store.CourseOpen, Pictogram: "laptop",
			Texts: map[string]store.CourseText{"nl": {Name: "Mails sturen"}}}))(t)
		start := time.Now().Add(72 * time.Hour).Truncate(time.Hour)
		soon := must(st.AddSession(ctx, course.ID, store.SessionInput{Start: start, End: start.Add(time.Hour), Seats: 1}))(t)
		if s, err := st.Enrol(ctx, store.EnrolInput{SessionID: soon.ID, MemberID: m.ID}); err != nil || s != store.Enrolled {
			t.Fatalf("enrol: %v %v", s, err)
		}
		if s, err := st.Enrol(ctx, store.EnrolInput{SessionID: soon.ID, MemberID: other.ID, Wait: true}); err != nil || s != store.Waiting {
			t.Fatalf("wait: %v %v", s, err)
		}
		past := must(st.AddSession(ctx, course.ID, store.SessionInput{Start: start.AddDate(0, 0, -10), End: start.AddDate(0, 0, -10).Add(time.Hour), Seats: 5}))(t)
		if err := st.W.Create(&store.Rating{SessionID: past.ID, MemberID: m.ID, Score: 4, CreatedAt: time.Now()}).Error; err != nil {
			t.Fatal(err)
		}
		// A lab seat booked for a day to come.
		openLab(t, st, site.ID)
		slots := must(st.BookableSlots(ctx, site))(t)
		if len(slots) < 3 {
			t.Fatalf("the lab offers %d slots", len(slots))
		}
		booking := must(st.BookLab(ctx, store.BookInput{Site: site, MemberID: m.ID, Start: slots[2].Start}))(t)
		// A report asking for help, with a voice note.
		th := must(st.ReportThreshold(ctx, store.ReportInput{SiteID: site.ID, Domain: "bank", Problem: "login", Text: "Itsme lukt niet",
			Lang: "nl", MemberID: &m.ID, WantsHelp: true, Voice: []byte("STEM"), VoiceType: "audio/webm"}))(t)
		// A laptop still with the member.
		dev := must(st.AddDevices(ctx, site.ID, store.DeviceInput{Type: store.Laptop, Make: "M", Model: "X"}, 1, staffID))(t)[0]
		loan := store.Loan{DeviceID: dev.ID, MemberID: m.ID, SiteID: site.ID, LentAt: time.Now(), DueAt: time.Now().AddDate(0, 0, 7), Status: store.LoanOpen, TermsAccepted: true}
		if err := st.W.Create(&loan).Error; err != nil {
			t.Fatal(err)
		}

		// A tandem with a mentor, whose note on a meeting is about the
		// member; a request for help still waiting.
		mentorID := userID(t, st, "mentor@test.be")
		local := st.Now().In(site.Location())
		tandem := must(st.CreateTandem(ctx, site.ID, store.TandemInput{MentorID: mentorID, MemberID: m.ID, StartsOn: local.AddDate(0, 0, -30).Format(time.DateOnly),
			EndsOn: local.AddDate(0, 0, 90).Format(time.DateOnly), Goals: []string{"housing"}}, 0))(t)
		meetingNote := "Samen het huurcontract overlopen"
		must(st.LogMeeting(ctx, tandem.ID, store.MeetingInput{Day: local.AddDate(0, 0, -3).Format(time.DateOnly), Minutes: 60, Topics: []string{"housing"}, Note: meetingNote}, mentorID))(t)
		if err := st.SetOutcome(ctx, tandem.ID, "housing", local.AddDate(0, 0, -1).Format(time.DateOnly), mentorID); err != nil {
			t.Fatal(err)
		}
		ticket := must(st.AskForHelp(ctx, store.HelpInput{SiteID: site.ID, Subject: "online", MemberID: &m.ID}))(t)

		c := f.signIn(t, store.RoleStaff)
		page := c.Get("/admin/members/" + id + "/data")
		if page.Status != 200 || !strings.Contains(page.Body, "Vraagt naar Mo") || !strings.Contains(page.Body, "Itsme lukt niet") ||
			!strings.Contains(page.Body, store.FormatCheckCode(m.Card.CheckCode)) || strings.Contains(page.Body, m.Card.Token) {
			t.Fatalf("what we hold: %d, want the note, the words and the check code and never the token\n%s", page.Status, page.Body)
		}
		for _, want := range []string{meetingNote, nl.T("admin.tandems.outcome.housing"), nl.T("kiosk.help.subject.online"), nl.T("admin.privacy.help.waiting")} {
			if !strings.Contains(page.Body, html.EscapeString(want)) {
				t.Errorf("what we hold lacks %q", want)
			}
		}
		for kind, n := range map[string]int{"cards": 1, "visits": 1, "bookings": 1, "enrolments": 1, "ratings": 1, "loans": 1, "thresholds": 1,
			"help": 1, "tandems": 1, "meetings": 1} {
			if !strings.Contains(page.Body, `data-kind="`+kind+`">`+strconv.Itoa(n)+`<`) {
				t.Errorf("what we hold: want %d %s", n, kind)
			}
		}
		file := c.Get("/admin/members/" + id + "/data.json")
		var got map[string]json.RawMessage
		if file.Status != 200 || json.Unmarshal([]byte(file.Body), &got) != nil || strings.Contains(file.Body, m.Card.Token) {
			t.Fatalf("the file: %d, want JSON without the token\n%s", file.Status, file.Body)
		}
		for _, k := range []string{"member", "cards", "visits", "bookings", "enrolments", "smileys", "loans", "device_log", "thresholds", "help", "tandems"} {
			if _, ok := got[k]; !ok {
				t.Errorf("the file has no %q", k)
			}
		}
		var tandems []store.TandemRecord
		if json.Unmarshal(got["tandems"], &tandems) != nil || len(tandems) != 1 || len(tandems[0].Meetings) != 1 ||
			tandems[0].Meetings[0].Note != meetingNote || len(tandems[0].Outcomes) != 1 || tandems[0].Mentor == "" {
			t.Errorf("the file's tandems: %s", got["tandems"])
		}
		var help []store.HelpRecord
		if json.Unmarshal(got["help"], &help) != nil || len(help) != 1 || help[0].Number != ticket.Number || help[0].Subject != "online" {
			t.Errorf("the file's help: %s", got["help"])
		}
		var profile store.MemberProfile
		if json.Unmarshal(got["member"], &profile) != nil || profile.Phone != "0470 11 22 33" || profile.Nickname != "Wis-Mij" {
			t.Errorf("the file's member: %s", got["member"])
		}

		// The confirmation names what goes; an open loan refuses the erase.
		if r := c.Get("/admin/members/" + id + "/erase"); r.Status != 200 || !strings.Contains(r.Body, html.EscapeString(nl.T("admin.privacy.goes.cards"))) ||
			!strings.Contains(r.Body, html.EscapeString(nl.T("admin.privacy.goes.tandems"))) || !strings.Contains(r.Body, html.EscapeString(nl.T("admin.privacy.goes.help"))) ||
			!strings.Contains(r.Body, html.EscapeString(nl.T("admin.privacy.kind.meetings"))) {
			t.Fatalf("erase confirmation: %d", r.Status)
		}
		if r := c.Post("/admin/members/"+id+"/erase", webtest.Form("confirm", "yes")); r.Status != 409 ||
			!strings.Contains(r.Body, html.EscapeString(nl.T("admin.privacy.err.open_loans"))) {
			t.Fatalf("erase with a laptop out: %d", r.Status)
		}
		if got := must(st.Member(ctx, m.ID))(t); got.Nickname != "Wis-Mij" || got.ErasedAt != nil {
			t.Fatal("a refused erase changed the member")
		}
		if err := st.W.Model(&store.Loan{}).Where("id = ?", loan.ID).Updates(map[string]any{"status": store.LoanReturned, "returned_at": time.Now()}).Error; err != nil {
			t.Fatal(err)
		}
		c.Get("/admin/members/" + id + "/erase")
		if r := c.Post("/admin/members/"+id+"/erase", nil); r.Status != 422 {
			t.Fatalf("erase without the tick: %d", r.Status)
		}
		c.Get("/admin/members/" + id + "/erase")
		if r := c.Post("/admin/members/"+id+"/erase", webtest.Form("confirm", "yes")); r.Status != 303 {
			t.Fatalf("erase: %d", r.Status)
		}

		// Gone by every road.
		for _, path := range []string{"/admin/members/" + id, "/admin/members/" + id + "/data", "/admin/members/" + id + "/data.json"} {
			if r := c.Get(path); r.Status != 404 {
				t.Errorf("after the erase, %s: %d", path, r.Status)
			}
		}
		if r := c.Get("/admin/members?q=Wis"); strings.Contains(r.Body, "Wis-Mij") {
			t.Error("the search still finds the erased member")
		}
		if _, err := st.CardByToken(ctx, m.Card.Token, site.ID); err == nil {
			t.Error("the erased member's card still works")
		}
		var left int64
		st.W.Model(&store.Card{}).Where("token = ? OR check_code = ?", m.Card.Token, m.Card.CheckCode).Count(&left)
		var words int64
		st.W.Model(&store.Member{}).Where("nickname = ? OR phone <> '' AND id = ? OR note <> '' AND id = ?", "Wis-Mij", m.ID, m.ID).Count(&words)
		if left != 0 || words != 0 {
			t.Errorf("after the erase: %d cards still carry the old codes, %d members still carry the words", left, words)
		}
		var voices, linked int64
		st.W.Table("threshold_voices").Where("threshold_id = ?", th.ID).Count(&voices)
		st.W.Table("thresholds").Where("member_id = ? OR text = ?", m.ID, "Itsme lukt niet").Count(&linked)
		if voices != 0 || linked != 0 {
			t.Errorf("after the erase: %d voice notes, %d linked reports or their words", voices, linked)
		}
		// The mentor's note goes, the meeting stays; the tandem ends today;
		// the ticket waits on, for nobody by name.
		if ms := must(st.TandemMeetings(ctx, tandem.ID))(t); len(ms) != 1 || ms[0].Note != "" || ms[0].Minutes != 60 {
			t.Errorf("the meeting after the erase: %+v", ms)
		}
		if row := must(st.Tandem(ctx, tandem.ID))(t); row.EndsOn != st.Now().In(site.Location()).Format(time.DateOnly) {
			t.Errorf("the tandem after the erase ends %s, want today", row.EndsOn)
		}
		if tk := must(st.HelpTicketByToken(ctx, ticket.Token))(t); tk.MemberID != nil || tk.Status() != "waiting" {
			t.Errorf("the ticket after the erase: %+v", tk)
		}
		// The seat went to the one waiting; the day still counts two visits.
		enrols := must(st.SessionEnrolments(ctx, soon.ID))(t)
		promoted := false
		for _, e := range enrols {
			promoted = promoted || e.MemberID == other.ID && e.Status == store.Enrolled
		}
		if !promoted {
			t.Errorf("the waiting member did not get the seat: %+v", enrols)
		}
		if b := must(st.Booking(ctx, booking.ID))(t); b.Status != store.BookingCancelled {
			t.Errorf("the erased member's booking to come is %q, want cancelled (its seat free)", b.Status)
		}
		if vs := must(st.VisitsOn(ctx, site.ID, day))(t); len(vs) != 2 {
			t.Errorf("the day's visits after the erase: %d, want 2", len(vs))
		}
		if r := c.Post("/admin/members/"+id+"/card.pdf", nil); r.Status != 404 {
			t.Errorf("after the erase, printing a card: %d", r.Status)
		}
		// Erasing twice finds nobody.
		if r := c.Post("/admin/members/"+id+"/erase", webtest.Form("confirm", "yes")); r.Status != 404 {
			t.Errorf("a second erase: %d", r.Status)
		}

		// Who looked: every read, export and the erase, by whom; for
		// admins only, and naming the member by number once erased.
		if r := c.Get("/admin/audit?member=" + id); r.Status != 403 {
			t.Errorf("staff open the audit log: %d", r.Status)
		}
		log := f.signIn(t, store.RoleAdmin).Get("/admin/audit?member=" + id)
		for _, action := range []store.AuditAction{store.AuditData, store.AuditExport, store.AuditErase} {
			if !strings.Contains(log.Body, `data-action="`+string(action)+`">`+html.EscapeString(nl.T("admin.audit.action."+string(action)))) {
				t.Errorf("the audit log lacks %q", action)
			}
		}
		if log.Status != 200 || strings.Contains(log.Body, "Wis-Mij") || !strings.Contains(log.Body, "staff@test.be") {
			t.Errorf("the audit log: %d, want the staff member and never the erased nickname", log.Status)
		}
	})
}
