package store_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
)

func staffUser(t *testing.T, s *store.Store) int64 {
	t.Helper()
	u, err := s.CreateUser(ctx, store.UserInput{Email: "desk@test.be", Role: store.RoleStaff, Password: "long enough pw"})
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

func TestInventoryAndTags(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		st := site(t, s)
		by := staffUser(t, s)
		ds, err := s.AddDevices(ctx, st.ID, store.DeviceInput{Type: store.Laptop, Make: "Lenovo", Model: "T480"}, 3, by)
		if err != nil || len(ds) != 3 || ds[0].AssetTag != "LAP-0001" || ds[2].AssetTag != "LAP-0003" {
			t.Fatalf("bulk add: %v %+v", err, ds)
		}
		more, _ := s.AddDevices(ctx, st.ID, store.DeviceInput{Type: store.Laptop}, 1, by)
		if more[0].AssetTag != "LAP-0004" {
			t.Fatalf("next tag: %s", more[0].AssetTag)
		}
		if _, err := s.AddDevices(ctx, st.ID, store.DeviceInput{Type: store.Laptop, Serial: "X1"}, 2, by); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("one serial for two devices: %v", err)
		}
		if _, err := s.AddDevices(ctx, st.ID, store.DeviceInput{Type: "toaster"}, 1, by); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("unknown type: %v", err)
		}
		for _, in := range []string{"lap-0002", " LAP-0002 ", "http://desk.local:8080/d/LAP-0002"} {
			d, err := s.DeviceByTag(ctx, in)
			if err != nil || d.ID != ds[1].ID {
				t.Errorf("tag %q: %v", in, err)
			}
		}
		for _, in := range []string{"", "LAP", "<script>", store.NewToken()} {
			if _, err := s.DeviceByTag(ctx, in); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("tag %q: %v", in, err)
			}
		}
		list, _ := s.Devices(ctx, st.ID, store.DeviceFilter{Q: "t480"})
		if len(list) != 3 {
			t.Fatalf("search: %d", len(list))
		}
	})
}

// dueIn is a loan policy for the store's tests: every device due days
// after it is lent, to the second. Package devices has the real one.
func dueIn(days int) store.DueFunc {
	return func(lent time.Time, _ store.Device, _ *store.Device) time.Time { return lent.AddDate(0, 0, days) }
}

func TestLendReturnWipe(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		st := site(t, s)
		by := staffUser(t, s)
		laptops, _ := s.AddDevices(ctx, st.ID, store.DeviceInput{Type: store.Laptop, Make: "Dell"}, 1, by)
		lap := laptops[0]
		chargers, _ := s.AddDevices(ctx, st.ID, store.DeviceInput{Type: store.Accessory, Model: "charger", ParentID: &lap.ID}, 1, by)
		jan, piet := member(t, s, "Jan"), member(t, s, "Piet")
		if _, err := s.Lend(ctx, store.LendInput{SiteID: st.ID, MemberID: jan.ID, DeviceIDs: []int64{lap.ID}, By: by, Due: dueIn(14)}); !errors.Is(err, store.ErrNoTerms) {
			t.Fatalf("without terms: %v", err)
		}
		// The store asks the policy once per device, naming the device
		// an accessory came along with, and keeps what it says (in UTC).
		brussels, _ := time.LoadLocation("Europe/Brussels")
		asked := map[string]string{}
		var lentAt []time.Time
		due := func(lent time.Time, d store.Device, with *store.Device) time.Time {
			asked[d.AssetTag] = "alone"
			if with != nil {
				asked[d.AssetTag] = with.AssetTag
			}
			lentAt = append(lentAt, lent)
			return time.Date(2031, 3, 4, 23, 59, 59, 0, brussels)
		}
		loans, err := s.Lend(ctx, store.LendInput{SiteID: st.ID, MemberID: jan.ID, DeviceIDs: []int64{lap.ID}, TermsAccepted: true, By: by, Due: due})
		if err != nil || len(loans) != 2 {
			t.Fatalf("lend laptop with charger: %v %d", err, len(loans))
		}
		if asked[lap.AssetTag] != "alone" || asked[chargers[0].AssetTag] != lap.AssetTag || len(asked) != 2 {
			t.Fatalf("the policy was asked: %v", asked)
		}
		for i, l := range loans {
			if !l.LentAt.Equal(lentAt[i]) {
				t.Errorf("the policy was asked for a loan lent at %v, the loan says %v", lentAt[i], l.LentAt)
			}
			back, err := s.Loan(ctx, l.ID)
			if err != nil || !back.DueAt.Equal(time.Date(2031, 3, 4, 22, 59, 59, 0, time.UTC)) || back.Status != store.LoanOpen || !back.TermsAccepted {
				t.Fatalf("loan %d as stored: %v %+v", l.ID, err, back)
			}
		}
		if _, err := s.Loan(ctx, 999999); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("no such loan: %v", err)
		}
		_, err = s.Lend(ctx, store.LendInput{SiteID: st.ID, MemberID: piet.ID, DeviceIDs: []int64{lap.ID}, TermsAccepted: true, By: by})
		var de *store.DeviceError
		if !errors.As(err, &de) || de.Device.AssetTag != lap.AssetTag || !errors.Is(err, store.ErrDeviceUnavailable) {
			t.Fatalf("lent twice: %v", err)
		}
		open, _ := s.MemberOpenLoans(ctx, jan.ID)
		if len(open) != 2 {
			t.Fatalf("Jan's loans: %d", len(open))
		}
		// Back without its charger, not yet wiped.
		if _, err := s.Return(ctx, store.ReturnInput{DeviceID: lap.ID, By: by, Status: store.Lost}); fieldCode(err) != "status.bad_choice" {
			t.Fatalf("back as lost: %s", fieldCode(err))
		}
		if _, err := s.Return(ctx, store.ReturnInput{DeviceID: lap.ID, By: by, Damaged: true, DamageNote: "=cmd|' /C calc'!A0", Missing: []int64{chargers[0].ID}, Status: store.Checking}); err != nil {
			t.Fatal(err)
		}
		d, _ := s.Device(ctx, lap.ID)
		if d.Status != store.Checking {
			t.Fatalf("after return: %s", d.Status)
		}
		if _, err := s.Lend(ctx, store.LendInput{SiteID: st.ID, MemberID: piet.ID, DeviceIDs: []int64{lap.ID}, TermsAccepted: true, By: by}); !errors.Is(err, store.ErrDeviceUnavailable) {
			t.Fatalf("lent before the wipe: %v", err)
		}
		if err := s.ConfirmWipe(ctx, lap.ID, by); err != nil {
			t.Fatal(err)
		}
		if open, _ := s.MemberOpenLoans(ctx, jan.ID); len(open) != 1 || open[0].DeviceID != chargers[0].ID {
			t.Fatalf("the charger is still with Jan: %+v", open)
		}
		hist, _ := s.DeviceHistory(ctx, lap.ID)
		kinds := ""
		for _, h := range hist {
			kinds += h.Kind + "," + h.UserEmail + ";"
		}
		if kinds != "wiped,desk@test.be;damaged,desk@test.be;returned,desk@test.be;lent,desk@test.be;added,desk@test.be;" {
			t.Fatalf("history: %s", kinds)
		}
		// Reopen a return made by mistake, then lose it.
		back, err := s.Return(ctx, store.ReturnInput{DeviceID: chargers[0].ID, By: by, Wiped: true, Status: store.Available})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.ReopenLoan(ctx, back.ID, by); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkLost(ctx, back.ID, by, true); err != nil {
			t.Fatal(err)
		}
		if d, _ := s.Device(ctx, chargers[0].ID); d.Status != store.Lost {
			t.Fatalf("lost charger: %s", d.Status)
		}
		if _, err := s.Lend(ctx, store.LendInput{SiteID: st.ID, MemberID: piet.ID, DeviceIDs: []int64{chargers[0].ID}, TermsAccepted: true, By: by}); !errors.Is(err, store.ErrDeviceUnavailable) {
			t.Fatalf("a lost device is lent: %v", err)
		}
		for _, status := range []store.DeviceStatus{store.InRepair, store.Retired} {
			if err := s.SetDeviceStatus(ctx, lap.ID, status, by, ""); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Lend(ctx, store.LendInput{SiteID: st.ID, MemberID: piet.ID, DeviceIDs: []int64{lap.ID}, TermsAccepted: true, By: by}); !errors.Is(err, store.ErrDeviceUnavailable) {
				t.Fatalf("a %s device is lent: %v", status, err)
			}
		}
	})
}

func TestDueDatesAndPolicies(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		st := site(t, s)
		by := staffUser(t, s)
		ds, _ := s.AddDevices(ctx, st.ID, store.DeviceInput{Type: store.Laptop}, 1, by)
		acc, _ := s.AddDevices(ctx, st.ID, store.DeviceInput{Type: store.Accessory, ParentID: &ds[0].ID}, 1, by)
		m := member(t, s, "Jan")
		loans, err := s.Lend(ctx, store.LendInput{SiteID: st.ID, MemberID: m.ID, DeviceIDs: []int64{ds[0].ID}, TermsAccepted: true, By: by, Due: dueIn(30)})
		if err != nil || len(loans) != 2 {
			t.Fatal(err, len(loans))
		}
		if n, _ := s.CountOpenLoansDueBefore(ctx, st.ID, s.Now()); n != 0 {
			t.Fatal("overdue too soon")
		}
		if rows, _ := s.OpenLoansDueBefore(ctx, st.ID, s.Now()); len(rows) != 0 {
			t.Fatalf("due before now: %+v", rows)
		}
		// Staff move the due date three days back; the charger follows,
		// and the history keeps the day as the site gave it.
		brussels := st.Location()
		back := time.Date(2026, 3, 2, 23, 59, 59, 0, brussels)
		if err := s.ChangeDue(ctx, loans[0].ID, back, by); err != nil {
			t.Fatal(err)
		}
		rows, _ := s.OpenLoansDueBefore(ctx, st.ID, back.Add(time.Second))
		if len(rows) != 2 || rows[0].Nickname != "Jan" || !rows[0].DueAt.Equal(back) || !rows[1].DueAt.Equal(back) {
			t.Fatalf("due before: %+v", rows)
		}
		if rows, _ := s.OpenLoansDueBefore(ctx, st.ID, back); len(rows) != 0 {
			t.Fatalf("due before its own due date: %+v", rows)
		}
		if n, _ := s.CountOpenLoansDueBefore(ctx, st.ID, s.Now()); n != 2 {
			t.Fatalf("overdue: %d", n)
		}
		if hist, _ := s.DeviceHistory(ctx, ds[0].ID); hist[0].Kind != "extended" || hist[0].Note != "2026-03-02" {
			t.Fatalf("history: %+v", hist[0])
		}
		if err := s.ChangeDue(ctx, loans[0].ID, s.Now().AddDate(0, 0, 7), by); err != nil {
			t.Fatal(err)
		}
		if n, _ := s.CountOpenLoansDueBefore(ctx, st.ID, s.Now()); n != 0 {
			t.Fatal("still overdue after extending")
		}
		if _, err := s.Return(ctx, store.ReturnInput{DeviceID: acc[0].ID, By: by}); err != nil {
			t.Fatal(err)
		}
		if err := s.ChangeDue(ctx, loans[1].ID, s.Now(), by); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a returned loan's due date: %v", err)
		}
		if d, _ := s.Device(ctx, acc[0].ID); d.Status != store.Checking {
			t.Fatalf("returned without a status: %s", d.Status)
		}

		if p, err := s.LoanPolicies(ctx, st.ID); err != nil || len(p) != 0 {
			t.Fatalf("policies before any: %v %v", p, err)
		}
		for _, days := range []int{21, 28} { // set, then changed
			if err := s.SetLoanPolicy(ctx, st.ID, store.Laptop, days); err != nil {
				t.Fatal(err)
			}
		}
		other, _ := s.CreateSite(ctx, store.SiteInput{Name: "Elders", TimeZone: "Pacific/Auckland"})
		if err := s.SetLoanPolicy(ctx, other.ID, store.Tablet, 7); err != nil {
			t.Fatal(err)
		}
		if p, _ := s.LoanPolicies(ctx, st.ID); len(p) != 1 || p[store.Laptop] != 28 {
			t.Fatalf("policies: %v", p)
		}
	})
}

// 50 desks scan the same laptop for 50 members at once: one loan.
func TestOneDeviceOneLoanUnderConcurrency(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		st := site(t, s)
		by := staffUser(t, s)
		ds, _ := s.AddDevices(ctx, st.ID, store.DeviceInput{Type: store.Laptop}, 1, by)
		var members []*store.Member
		for i := 0; i < 50; i++ {
			members = append(members, member(t, s, "M"))
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok, refused := 0, 0
		start := make(chan struct{})
		for _, m := range members {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, err := s.Lend(ctx, store.LendInput{SiteID: st.ID, MemberID: m.ID, DeviceIDs: []int64{ds[0].ID}, TermsAccepted: true, By: by, Due: dueIn(14)})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ok++
				case errors.Is(err, store.ErrDeviceUnavailable):
					refused++
				default:
					t.Error(err)
				}
			}()
		}
		close(start)
		wg.Wait()
		if ok != 1 || refused != 49 {
			t.Fatalf("want 1 loan and 49 refusals, got %d and %d", ok, refused)
		}
		var n int64
		s.R.Model(&store.Loan{}).Where("device_id = ? AND status = ?", ds[0].ID, store.LoanOpen).Count(&n)
		if n != 1 {
			t.Fatalf("%d open loans", n)
		}
	})
}

func fieldCode(err error) string {
	if fe, ok := store.AsFieldError(err); ok {
		return fe.Field + "." + fe.Code
	}
	if err == nil {
		return "nil"
	}
	return err.Error()
}

// A device's description is corrected after it is added, by the rules of
// adding, and its history says who changed which fields.
func TestUpdateDevice(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		st := site(t, s)
		by := staffUser(t, s)
		add := func(in store.DeviceInput) store.Device {
			t.Helper()
			ds, err := s.AddDevices(ctx, st.ID, in, 1, by)
			if err != nil {
				t.Fatal(err)
			}
			return ds[0]
		}
		lap1 := add(store.DeviceInput{Type: store.Laptop, Make: "Dell", Model: "E7470", Serial: "SN-1"})
		lap2 := add(store.DeviceInput{Type: store.Laptop, Make: "Dell"})
		charger := add(store.DeviceInput{Type: store.Accessory, Model: "charger", ParentID: &lap1.ID})
		mouse := add(store.DeviceInput{Type: store.Accessory, Model: "mouse"})
		dongle := add(store.DeviceInput{Type: store.Dongle, ParentID: &lap2.ID}) // a laptop's own internet
		other, err := s.CreateSite(ctx, store.SiteInput{Name: "Elsewhere", TimeZone: "Europe/Brussels"})
		if err != nil {
			t.Fatal(err)
		}
		far, err := s.AddDevices(ctx, other.ID, store.DeviceInput{Type: store.Laptop}, 1, by)
		if err != nil {
			t.Fatal(err)
		}

		// Adding already follows the rules an edit follows.
		if _, err := s.AddDevices(ctx, st.ID, store.DeviceInput{Type: store.Laptop, Serial: "sn-1"}, 1, by); fieldCode(err) != "serial.taken" {
			t.Errorf("a second device with serial SN-1: %s", fieldCode(err))
		}
		if _, err := s.AddDevices(ctx, st.ID, store.DeviceInput{Type: store.Accessory, ParentID: &charger.ID}, 1, by); fieldCode(err) != "parent.accessory" {
			t.Errorf("an accessory of an accessory: %s", fieldCode(err))
		}

		for _, c := range []struct {
			name string
			id   int64
			in   store.DeviceInput
			want string
		}{
			{"serial of another device", lap2.ID, store.DeviceInput{Make: "Dell", Serial: " SN-1 "}, "serial.taken"},
			{"goes with itself", charger.ID, store.DeviceInput{Model: "charger", ParentID: &charger.ID}, "parent.self"},
			{"goes with an accessory", charger.ID, store.DeviceInput{Model: "charger", ParentID: &mouse.ID}, "parent.accessory"},
			{"goes with a device of another site", charger.ID, store.DeviceInput{Model: "charger", ParentID: &far[0].ID}, "parent.bad_choice"},
			{"has a charger of its own", lap1.ID, store.DeviceInput{Make: "Dell", Model: "E7470", Serial: "SN-1", ParentID: &lap2.ID}, "parent.has_accessories"},
			{"goes with a device that goes with another", mouse.ID, store.DeviceInput{Model: "mouse", ParentID: &dongle.ID}, "parent.bundled"},
			{"goes with a laptop", mouse.ID, store.DeviceInput{Model: "mouse", ParentID: &lap2.ID}, "nil"},
			{"make too long", lap2.ID, store.DeviceInput{Make: strings.Repeat("x", 61)}, "make.too_long"},
			{"control characters", lap2.ID, store.DeviceInput{Model: "a\x00b"}, "model.bad_text"},
			{"invalid UTF-8", lap2.ID, store.DeviceInput{Serial: "\xff"}, "serial.bad_text"},
		} {
			if err := s.UpdateDevice(ctx, c.id, c.in, by); fieldCode(err) != c.want {
				t.Errorf("%s: %s, want %s", c.name, fieldCode(err), c.want)
			}
		}
		if err := s.UpdateDevice(ctx, 999999, store.DeviceInput{}, by); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("no such device: %v", err)
		}
		// The mouse now goes with lap2; lap2 cannot go with anything.
		if err := s.UpdateDevice(ctx, lap2.ID, store.DeviceInput{Make: "Dell", ParentID: &lap1.ID}, by); fieldCode(err) != "parent.has_accessories" {
			t.Errorf("a laptop with a mouse goes with another: %s", fieldCode(err))
		}

		// The charger moves to lap2 with a new model and a note; its type
		// stays whatever the form says.
		in := store.DeviceInput{Type: store.Laptop, Make: " Lenovo ", Model: "65 W", Notes: "Jan's old one", ParentID: &lap2.ID}
		if err := s.UpdateDevice(ctx, charger.ID, in, by); err != nil {
			t.Fatal(err)
		}
		d, _ := s.Device(ctx, charger.ID)
		if d.Type != store.Accessory || d.AssetTag != charger.AssetTag || d.Make != "Lenovo" || d.Model != "65 W" || d.Notes != "Jan's old one" || d.ParentID == nil || *d.ParentID != lap2.ID {
			t.Fatalf("after the edit: %+v", d)
		}
		// Saving the same again changes nothing and records nothing.
		if err := s.UpdateDevice(ctx, charger.ID, in, by); err != nil {
			t.Fatal(err)
		}
		hist, _ := s.DeviceHistory(ctx, charger.ID)
		if len(hist) != 2 || hist[0].Kind != "edited" || hist[0].UserEmail != "desk@test.be" || hist[0].At.IsZero() {
			t.Fatalf("history: %+v", hist)
		}
		if got := strings.Join(hist[0].Changed(), ","); got != "make,model,notes,parent" {
			t.Errorf("changed: %q", got)
		}
		if strings.Contains(hist[0].Note, "Jan") || strings.Contains(hist[0].Note, "Lenovo") {
			t.Errorf("the history holds what was written: %q", hist[0].Note)
		}
		// A serial may move: lap1 gives it up, lap2 takes it.
		if err := s.UpdateDevice(ctx, lap1.ID, store.DeviceInput{Make: "Dell", Model: "E7470", Serial: ""}, by); err != nil {
			t.Fatal(err)
		}
		if err := s.UpdateDevice(ctx, lap2.ID, store.DeviceInput{Make: "Dell", Serial: "SN-1"}, by); err != nil {
			t.Fatal(err)
		}
		// Out on loan, the charger stays with its laptop until it is back.
		m := member(t, s, "Jan")
		if _, err := s.Lend(ctx, store.LendInput{SiteID: st.ID, MemberID: m.ID, DeviceIDs: []int64{lap2.ID}, TermsAccepted: true, By: by, Due: dueIn(14)}); err != nil {
			t.Fatal(err)
		}
		if err := s.UpdateDevice(ctx, charger.ID, store.DeviceInput{Make: "Lenovo", Model: "65 W"}, by); fieldCode(err) != "parent.on_loan" {
			t.Errorf("unbundled while on loan: %s", fieldCode(err))
		}
		if err := s.UpdateDevice(ctx, charger.ID, store.DeviceInput{Make: "Lenovo", Model: "90 W", ParentID: &lap2.ID}, by); err != nil {
			t.Errorf("a note while on loan: %v", err)
		}
	})
}

// Confirming a laptop's wipe makes the charger that came back with it
// available too.
func TestWipeFreesAccessories(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		st := site(t, s)
		by := staffUser(t, s)
		laps, _ := s.AddDevices(ctx, st.ID, store.DeviceInput{Type: store.Laptop}, 1, by)
		lap := laps[0]
		acc, _ := s.AddDevices(ctx, st.ID, store.DeviceInput{Type: store.Accessory, Model: "charger", ParentID: &lap.ID}, 2, by)
		charger, mouse := acc[0], acc[1]
		m := member(t, s, "Jan")
		if _, err := s.Lend(ctx, store.LendInput{SiteID: st.ID, MemberID: m.ID, DeviceIDs: []int64{lap.ID}, TermsAccepted: true, By: by, Due: dueIn(14)}); err != nil {
			t.Fatal(err)
		}
		// The mouse did not come back.
		if _, err := s.Return(ctx, store.ReturnInput{DeviceID: lap.ID, By: by, Missing: []int64{mouse.ID}, Status: store.Checking}); err != nil {
			t.Fatal(err)
		}
		for _, id := range []int64{lap.ID, charger.ID} {
			if d, _ := s.Device(ctx, id); d.Status != store.Checking {
				t.Fatalf("%s after the return: %s", d.AssetTag, d.Status)
			}
		}
		if err := s.ConfirmWipe(ctx, lap.ID, by); err != nil {
			t.Fatal(err)
		}
		for id, want := range map[int64]store.DeviceStatus{lap.ID: store.Available, charger.ID: store.Available, mouse.ID: store.OnLoan} {
			if d, _ := s.Device(ctx, id); d.Status != want {
				t.Errorf("%s after the wipe: %s, want %s", d.AssetTag, d.Status, want)
			}
		}
		if hist, _ := s.DeviceHistory(ctx, charger.ID); len(hist) == 0 || hist[0].Kind != "wiped" || hist[0].UserEmail != "desk@test.be" {
			t.Errorf("the charger's history: %+v", hist)
		}
		// Laptop and charger go out together again.
		loans, err := s.Lend(ctx, store.LendInput{SiteID: st.ID, MemberID: member(t, s, "Piet").ID, DeviceIDs: []int64{lap.ID}, TermsAccepted: true, By: by, Due: dueIn(14)})
		if err != nil || len(loans) != 2 {
			t.Fatalf("lend again: %v, %d loans", err, len(loans))
		}
	})
}
