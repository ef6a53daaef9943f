package devices

import (
	"strconv"
	"strings"

	"github.com/drempel/drempel/store"
)

// ScanKind is what a scanned (or typed) value is.
type ScanKind int

const (
	// ScanUnknown can be nothing the desk knows.
	ScanUnknown ScanKind = iota
	// ScanTag is a device's asset tag, typed or read from a bar code.
	ScanTag
	// ScanLabel is a device label's QR code: a URL, <public-url>/d/TAG.
	ScanLabel
	// ScanCard is a member card's token.
	ScanCard
	// ScanCheckCode is the check code printed on a member card.
	ScanCheckCode
)

// IsDevice reports whether the scan names a device.
func (k ScanKind) IsDevice() bool { return k == ScanTag || k == ScanLabel }

// IsMember reports whether the scan names a member, by card or check code.
func (k ScanKind) IsMember() bool { return k == ScanCard || k == ScanCheckCode }

// Scan is a classified scanned value.
type Scan struct {
	Kind ScanKind
	// Tag is the device's asset tag, normalized, for a device scan.
	Tag string
}

// Classify says what a scanned value is, without looking anything up. A
// device comes first: anything that reads as an asset tag, alone or at
// the end of a label's URL (store.NormalizeTag; the URL's host is not
// checked), is a device. Then a card token (store.NormalizeToken), then a
// check code (store.NormalizeCheckCode); the two never overlap, a token
// being 26 characters with no spaces or dashes and a check code 6.
func Classify(val string) Scan {
	val = strings.TrimSpace(val)
	if tag := store.NormalizeTag(val); tag != "" {
		if strings.Contains(val, "/") {
			return Scan{Kind: ScanLabel, Tag: tag}
		}
		return Scan{Kind: ScanTag, Tag: tag}
	}
	if store.NormalizeToken(val) != "" {
		return Scan{Kind: ScanCard}
	}
	if store.NormalizeCheckCode(val) != "" {
		return Scan{Kind: ScanCheckCode}
	}
	return Scan{Kind: ScanUnknown}
}

// Basket is what the lending desk has scanned so far: a member (0 until
// a card is scanned) and the devices to lend them, in scan order.
type Basket struct {
	MemberID  int64
	DeviceIDs []int64
}

// HasMember reports whether a member's card was scanned.
func (b Basket) HasMember() bool { return b.MemberID != 0 }

// Has reports whether the device is in the basket.
func (b Basket) Has(id int64) bool {
	for _, x := range b.DeviceIDs {
		if x == id {
			return true
		}
	}
	return false
}

// Add puts a device in the basket, once: it reports false, and leaves the
// basket as it was, when the device is in it already.
func (b *Basket) Add(id int64) bool {
	if b.Has(id) {
		return false
	}
	b.DeviceIDs = append(b.DeviceIDs, id)
	return true
}

// Remove takes a device out of the basket.
func (b *Basket) Remove(id int64) {
	var keep []int64
	for _, x := range b.DeviceIDs {
		if x != id {
			keep = append(keep, x)
		}
	}
	b.DeviceIDs = keep
}

// Ready reports whether the basket can be lent: a member and a device.
func (b Basket) Ready() bool { return b.MemberID != 0 && len(b.DeviceIDs) > 0 }

// EncodeDevices is the basket's devices as kept in a session: ids joined
// by commas.
func (b Basket) EncodeDevices() string { return JoinIDs(b.DeviceIDs) }

// DecodeBasket makes the basket back from its session values.
func DecodeBasket(memberID int64, devices string) Basket {
	return Basket{MemberID: memberID, DeviceIDs: ParseIDs(devices)}
}

// ParseIDs reads ids joined by commas, skipping whatever is not one.
func ParseIDs(s string) []int64 {
	var out []int64
	for _, p := range strings.Split(s, ",") {
		if id, err := strconv.ParseInt(p, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}

// JoinIDs writes ids joined by commas, as ParseIDs reads them.
func JoinIDs(list []int64) string {
	parts := make([]string, len(list))
	for i, id := range list {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}
