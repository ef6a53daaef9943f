// Package devices owns the physical things Drempel hands out and what it
// prints: member cards, lendable devices' QR labels, loan receipts and
// reminders, and partner dossiers. Loans themselves are kept by store;
// this package turns them into paper.
package devices
