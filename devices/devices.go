// Package devices owns device lending, kept apart from HTTP: the rules of
// the lending desk and the Desk that applies them.
//
// The rules are plain functions, tested without a database: what a
// scanned value is (a device's tag or label, a member's card or check
// code); the desk's basket (the member and the devices scanned so far,
// without duplicates, encoded for the staff member's session); loan
// policies (days per device type, their defaults and their limits); due
// dates (the end of the due day in the site's time zone, an accessory due
// with its device); where a returned device goes (available once wiped,
// else "being checked"); what is overdue and how many of the site's days
// late.
//
// Desk (NewDesk) is the one way the admin panel lends, takes back,
// confirms a wipe, changes a due date, marks a loan lost or reopens it,
// sets loan policies and lists overdue loans. It hands store explicit
// values (a due date per device, a status); store keeps the tables, the
// transactions and the invariants (a device taken by a conditional
// update, one open loan per device, the history of every device).
//
// admin and kiosk serve lending over HTTP; what is handed out on paper
// (labels, receipts, reminders) is printed by package web/printing. It
// imports store and nothing else of Drempel's own.
package devices
