package kiosk

import (
	"context"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/web"
)

// Help: the visitor says what they need help with, by pictogram, and gets
// a ticket with a big number, shown and spoken, and how many wait before
// them. The ticket's screen follows the queue live (web.Stream) and says
// "your number is called" when a helper takes it. The screen shows a
// number and nothing else of anybody, so it may stay until then: the
// visitor's session ends when the ticket is made, and the screen is
// named by the ticket's random token.

// helpSubject is one choice of the subject screen.
type helpSubject struct {
	Key, Icon string
	Say       web.Speech
}

// help asks what the visitor needs help with.
func (k *Kiosk) help(c *fiber.Ctx) error {
	v := k.view(c, nil)
	var subjects []helpSubject
	for _, s := range store.HelpSubjects {
		subjects = append(subjects, helpSubject{Key: s, Icon: store.HelpPictograms[s], Say: v.L.Say("kiosk.help.subject." + s)})
	}
	here, names, err := k.helpersHere(c)
	if err != nil {
		return err
	}
	v.Data = map[string]any{"Subjects": subjects, "Back": k.startPage(c), "Here": here, "Names": names}
	return k.w.Render(c, fiber.StatusOK, "kiosk/help", v)
}

// helpAsk makes the ticket: with the member when they checked in (the
// desk sees their nickname), anonymous otherwise.
func (k *Kiosk) helpAsk(c *fiber.Ctx) error {
	subject := c.FormValue("subject")
	in := store.HelpInput{SiteID: web.SiteOf(c).ID, Subject: subject}
	if lang, ok := c.Locals("lang").(string); ok {
		in.Lang = lang
	}
	if c.Cookies(sessionCookie) != "" {
		if sess, err := k.w.Kiosk.Get(c); err == nil {
			if id, ok := sess.Get("member").(int64); ok {
				in.MemberID = &id
			}
		}
	}
	t, err := k.st.AskForHelp(c.UserContext(), in)
	if _, ok := store.AsFieldError(err); ok {
		return fiber.NewError(fiber.StatusBadRequest, "error.bad_request")
	}
	if err != nil {
		return err
	}
	return k.toTicket(c, t.Token)
}

// toTicket ends the visitor's session and shows their ticket: the screen
// now belongs to nobody but a number. Their language stays until the
// ticket's screen goes back to the start.
func (k *Kiosk) toTicket(c *fiber.Ctx, token string) error {
	if c.Cookies(sessionCookie) != "" {
		if sess, err := k.w.Kiosk.Get(c); err == nil {
			_ = sess.Destroy()
		}
	}
	return c.Redirect("/kiosk/help/t/"+token, fiber.StatusSeeOther)
}

// helpMine shows the ticket that a "yes, help me" after a threshold
// report made (reportAnswer keeps its token in the session).
func (k *Kiosk) helpMine(c *fiber.Ctx) error {
	if c.Cookies(sessionCookie) == "" {
		return c.Redirect("/kiosk", fiber.StatusSeeOther)
	}
	sess, err := k.w.Kiosk.Get(c)
	if err != nil {
		return err
	}
	token, ok := sess.Get("help_ticket").(string)
	if !ok {
		return c.Redirect(k.startPage(c), fiber.StatusSeeOther)
	}
	return k.toTicket(c, token)
}

// ticket loads the ticket the URL names, at this kiosk's site only.
func (k *Kiosk) ticket(c *fiber.Ctx) (*store.HelpTicket, error) {
	t, err := k.st.HelpTicketByToken(c.UserContext(), c.Params("token"))
	if err != nil {
		return nil, err
	}
	if t.SiteID != web.SiteOf(c).ID {
		return nil, fiber.ErrNotFound
	}
	return t, nil
}

// ticketData is the live part of the ticket's screen.
func (k *Kiosk) ticketData(ctx context.Context, t *store.HelpTicket, l *web.Loc) (map[string]any, error) {
	before, err := k.st.HelpBefore(ctx, t)
	if err != nil {
		return nil, err
	}
	// Said as two prompts, "your number" and the number itself, so that
	// the server's voice may say it (a message with a value in it is
	// never made into speech on the server: it might hold a name).
	n := strconv.Itoa(t.Number)
	d := map[string]any{"Ticket": t, "Before": before, "Status": t.Status(),
		"Label":  l.T("kiosk.help.number_is", "N", t.Number),
		"Number": l.SayParts("kiosk.help.your_number", l.T("kiosk.help.your_number"), "number."+n, n)}
	return d, nil
}

func (k *Kiosk) helpTicket(c *fiber.Ctx) error {
	t, err := k.ticket(c)
	if err != nil {
		return err
	}
	v := k.view(c, nil)
	d, err := k.ticketData(c.UserContext(), t, v.L)
	if err != nil {
		return err
	}
	d["Token"] = t.Token
	v.Data = d
	return k.w.Render(c, fiber.StatusOK, "kiosk/help_ticket", v)
}

// helpEvents streams the ticket's live part: its place in the queue,
// then "your number is called".
func (k *Kiosk) helpEvents(c *fiber.Ctx) error {
	t, err := k.ticket(c)
	if err != nil {
		return err
	}
	base := k.view(c, nil)
	changes, stop := k.st.HelpFeed().Subscribe(t.SiteID)
	token := t.Token
	return k.w.Stream(c, changes, stop, func() ([]byte, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		now, err := k.st.HelpTicketByToken(ctx, token)
		if err != nil {
			return nil, err
		}
		d, err := k.ticketData(ctx, now, base.L)
		if err != nil {
			return nil, err
		}
		v := *base
		v.Data = d
		return k.w.Fragment("kiosk/help_ticket", "helpstatus", &v)
	})
}

// helpersHere tells whether a helper is on duty at the site today, and
// the first names of those who chose to show theirs.
func (k *Kiosk) helpersHere(c *fiber.Ctx) (bool, []string, error) {
	hs, err := k.st.OnDuty(c.UserContext(), web.SiteOf(c))
	if err != nil {
		return false, nil, err
	}
	var names []string
	for _, h := range hs {
		if h.ShowName && h.FirstName() != "" {
			names = append(names, h.FirstName())
		}
	}
	return len(hs) > 0, names, nil
}
