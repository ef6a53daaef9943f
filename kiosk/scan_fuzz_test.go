package kiosk_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
	"github.com/drempel/drempel/web/webtest"
)

// confuse writes a card token as a scanner in another keyboard layout or
// a person typing it might: each character's case and the letters read
// for 0 and 1, chosen by the bytes of mix in turn.
func confuse(token string, mix []byte) string {
	if len(mix) == 0 {
		return token
	}
	b := []byte(token)
	for i, c := range b {
		m := mix[i%len(mix)]
		switch c {
		case '0':
			c = "0Oo"[int(m>>1)%3]
		case '1':
			c = "1IiLl"[int(m>>1)%5]
		}
		if m&1 == 1 && c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[i] = c
	}
	return string(b)
}

var formTokenRe = regexp.MustCompile(`name="_csrf" value="[^"]*"`)

// A scan is whatever bytes a USB scanner (or anyone on the kiosk's
// network) posts as the token, through the real kiosk: it never fails
// with a 500, the refusal page is the same whatever was sent (nothing of
// it is echoed), and only the member's active card counts a visit; a
// revoked card, an erased member's card and anything else count nothing.
//
// SQLite only: the HTTP path under test is the same on both databases,
// the token never reaches SQL (only its keyed hash does), and the fuzzer
// needs the speed of a database in a file; the scan tests run on both.
//
// In the input, {card}, {old} and {erased} stand for those cards' tokens,
// written as mix says, so that the fuzzer also tries real cards.
func FuzzCardScan(f *testing.F) {
	st := storetest.Open(f, "sqlite")
	site, m := seed(f, st, "Jan", "nl")
	old := m.Card.Token
	card, err := st.ReissueCard(ctx, m.ID)
	if err != nil {
		f.Fatal(err)
	}
	gone, err := st.CreateMember(ctx, store.MemberInput{Nickname: "Piet", Lang: "fr", SiteID: site.ID})
	if err != nil {
		f.Fatal(err)
	}
	if err := st.EraseMember(ctx, gone.ID); err != nil {
		f.Fatal(err)
	}
	app := newKiosk(f, st)
	visits := func(t testing.TB) int64 {
		var n int64
		if err := st.W.Raw("SELECT COUNT(*) FROM visits").Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	// The refusal as anyone sees it.
	c := webtest.NewClient(f, app)
	c.Get("/kiosk")
	r := c.Post("/kiosk/scan", webtest.Form("token", "nothing"))
	refusedAt := r.Location
	refused := c.Get(refusedAt)
	if r.Status != 303 || refused.Status != 404 || !strings.Contains(refused.Body, "Deze kaart werkt niet") {
		f.Fatalf("the refusal: %d %q, then %d", r.Status, refusedAt, refused.Status)
	}
	refusedPage := formTokenRe.ReplaceAllString(refused.Body, "")

	for _, s := range []string{"{card}", " {card}\n", "{card}{card}", "{old}", "{erased}", "", "12AB", "<script>alert(1)</script>",
		"\xff\xfe\xfd", "\x00", strings.Repeat("A", 26), strings.Repeat("0", 26), "Jan", "' OR 1=1 --", "%00", "{card}\x00"} {
		f.Add(s, []byte{0})
	}
	f.Add("{card}", []byte{1, 2, 3, 4, 5, 6, 7})
	f.Add("\t{old}\r\n", []byte{9})
	f.Fuzz(func(t *testing.T, token string, mix []byte) {
		token = strings.NewReplacer("{card}", confuse(card.Token, mix), "{old}", confuse(old, mix),
			"{erased}", confuse(gone.Card.Token, mix)).Replace(token)
		isCard := store.NormalizeToken(token) == card.Token
		before := visits(t)
		c := webtest.NewClient(t, app)
		c.Get("/kiosk")
		r := c.Post("/kiosk/scan", webtest.Form("token", token))
		if r.Status != 303 {
			t.Fatalf("scan %q: %d\n%s", token, r.Status, r.Body)
		}
		page := c.Get(r.Location)
		after := visits(t)
		if isCard {
			if r.Location != "/kiosk/home" || page.Status != 200 || !strings.Contains(page.Body, "Jan") || after != before+1 {
				t.Fatalf("the card as %q: %q, %d, %d visits then %d", token, r.Location, page.Status, before, after)
			}
			if strings.Contains(page.Body, card.Token) {
				t.Fatalf("the greeting shows the card's token")
			}
			// The next input starts again from no visit today.
			if err := st.W.Exec("DELETE FROM visits").Error; err != nil {
				t.Fatal(err)
			}
			return
		}
		if after != before {
			t.Fatalf("%q is no card, yet %d visits became %d", token, before, after)
		}
		if r.Location != refusedAt || page.Status != 404 {
			t.Fatalf("%q: %q then %d, want %q then the refusal", token, r.Location, page.Status, refusedAt)
		}
		if got := formTokenRe.ReplaceAllString(page.Body, ""); got != refusedPage {
			t.Fatalf("the refusal of %q differs from any other:\n%s", token, got)
		}
	})
}
