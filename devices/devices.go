// Package devices owns device lending: the rules of the lending desk,
// kept apart from HTTP and from the database. It says what a scanned value
// is (a device's tag or label, a member's card or check code), keeps the
// desk's basket (the member and the devices scanned so far, without
// duplicates) and encodes it for the staff member's session.
//
// The loans themselves, loan policies and due dates, accessories going
// with their device, returns with their wipe check, and overdue loans are
// kept by store; admin and kiosk serve them over HTTP. What is handed out
// on paper (cards, labels, receipts, reminders, dossiers) is printed by
// package web/printing.
//
// It imports store and nothing else of Drempel's own.
package devices
