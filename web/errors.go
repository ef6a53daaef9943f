package web

import (
	"errors"

	"github.com/drempel/drempel/store"
)

// bookErrors maps why a booking was refused to the message people read,
// at the kiosk and at the desk alike.
var bookErrors = []struct {
	err error
	id  string
}{
	{store.ErrSlotFull, "kiosk.lab.err.full"},
	{store.ErrSlotPast, "kiosk.lab.err.past"},
	{store.ErrBeyondHorizon, "kiosk.lab.err.horizon"},
	{store.ErrNotOpen, "kiosk.lab.err.closed"},
	{store.ErrNotBookable, "kiosk.lab.err.closed"},
	{store.ErrTooManyBookings, "kiosk.lab.err.too_many"},
	{store.ErrAlreadyBooked, "kiosk.lab.err.already"},
	{store.ErrNoActiveCard, "kiosk.lab.err.card"},
}

// BookingError returns the message id for a refused booking, if err is one.
func BookingError(err error) (string, bool) {
	for _, e := range bookErrors {
		if errors.Is(err, e.err) {
			return e.id, true
		}
	}
	return "", false
}

// refusalAnswer is how the error handler answers one of the store's
// refusals: a status and a message.
type refusalAnswer struct {
	err    error
	status int
	id     string
}

// refusals are the store's refusals that a handler passes on as they are:
// each is answered with its status and message, here and nowhere else.
var refusals = []refusalAnswer{
	{store.ErrOpenLoans, 409, "admin.privacy.err.open_loans"},
}

func refusal(err error) (refusalAnswer, bool) {
	for _, r := range refusals {
		if errors.Is(err, r.err) {
			return r, true
		}
	}
	return refusalAnswer{}, false
}
