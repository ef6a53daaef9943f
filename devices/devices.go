// Package devices owns the physical things Drempel hands out and prints.
// Today that is the member card (its QR code and its printable PDF, one
// card or an A4 sheet); lendable laptops, tablets and dongles with their
// labels, loans and returns come next, built on the same printing code.
package devices
