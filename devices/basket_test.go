package devices_test

import (
	"slices"
	"testing"

	"github.com/drempel/drempel/devices"
)

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		in   string
		kind devices.ScanKind
		tag  string
	}{
		{"LAP-0042", devices.ScanTag, "LAP-0042"},
		{"  lap-0042\n", devices.ScanTag, "LAP-0042"},
		{"https://drempel.example/d/LAP-0042", devices.ScanLabel, "LAP-0042"},
		{"https://drempel.example/d/tab-7", devices.ScanLabel, "TAB-7"},
		{"http://elsewhere/x/DON-12", devices.ScanLabel, "DON-12"}, // the host is not checked, as before
		{"https://drempel.example/d/", devices.ScanUnknown, ""},
		{"LAP0042", devices.ScanUnknown, ""},
		{"LA-0042", devices.ScanUnknown, ""},
		{"LAP-0042-TOO-LONG", devices.ScanUnknown, ""},
		{"0123456789ABCDEFGHJKMNPQRS", devices.ScanCard, ""},
		{" 0123456789abcdefghjkmnpqrs ", devices.ScanCard, ""},
		{"O123456789ABCDEFGHJKMNPQRS", devices.ScanCard, ""}, // O read as 0
		{"0123456789ABCDEFGHJKMNPQR", devices.ScanUnknown, ""},
		{"0123456789ABCDEFGHJKMNPQRU", devices.ScanUnknown, ""},
		{"ABC234", devices.ScanCheckCode, ""},
		{"abc 234", devices.ScanCheckCode, ""},
		{"AB-C234", devices.ScanCheckCode, ""},
		{"ABC-234", devices.ScanTag, "ABC-234"}, // shaped like a tag: a device comes first, as before
		{"ABC230", devices.ScanUnknown, ""},     // 0 is not in a check code
		{"ABC23", devices.ScanUnknown, ""},
		{"", devices.ScanUnknown, ""},
		{"   ", devices.ScanUnknown, ""},
	} {
		got := devices.Classify(tc.in)
		if got.Kind != tc.kind || got.Tag != tc.tag {
			t.Errorf("Classify(%q) = %+v, want kind %d tag %q", tc.in, got, tc.kind, tc.tag)
		}
		if got.Kind.IsDevice() != (tc.kind == devices.ScanTag || tc.kind == devices.ScanLabel) {
			t.Errorf("Classify(%q).Kind.IsDevice() = %v", tc.in, got.Kind.IsDevice())
		}
		if got.Kind.IsMember() != (tc.kind == devices.ScanCard || tc.kind == devices.ScanCheckCode) {
			t.Errorf("Classify(%q).Kind.IsMember() = %v", tc.in, got.Kind.IsMember())
		}
	}
}

func TestBasketOps(t *testing.T) {
	type op struct {
		add, remove int64
		wantAdded   bool
	}
	for _, tc := range []struct {
		name   string
		start  devices.Basket
		ops    []op
		want   []int64
		ready  bool
		encode string
	}{
		{"empty", devices.Basket{}, nil, nil, false, ""},
		{"devices without member", devices.Basket{}, []op{{add: 3, wantAdded: true}, {add: 1, wantAdded: true}}, []int64{3, 1}, false, "3,1"},
		{"member without devices", devices.Basket{MemberID: 9}, nil, nil, false, ""},
		{"no duplicates", devices.Basket{MemberID: 9}, []op{{add: 5, wantAdded: true}, {add: 5}, {add: 6, wantAdded: true}, {add: 5}}, []int64{5, 6}, true, "5,6"},
		{"remove", devices.Basket{MemberID: 9, DeviceIDs: []int64{1, 2, 3}}, []op{{remove: 2}}, []int64{1, 3}, true, "1,3"},
		{"remove absent", devices.Basket{MemberID: 9, DeviceIDs: []int64{1}}, []op{{remove: 7}}, []int64{1}, true, "1"},
		{"remove last", devices.Basket{MemberID: 9, DeviceIDs: []int64{4}}, []op{{remove: 4}}, nil, false, ""},
		{"remove then add again", devices.Basket{MemberID: 9, DeviceIDs: []int64{4}}, []op{{remove: 4}, {add: 4, wantAdded: true}}, []int64{4}, true, "4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.start
			b.DeviceIDs = slices.Clone(b.DeviceIDs)
			for _, o := range tc.ops {
				if o.add != 0 {
					if got := b.Add(o.add); got != o.wantAdded {
						t.Errorf("Add(%d) = %v, want %v", o.add, got, o.wantAdded)
					}
				} else {
					b.Remove(o.remove)
				}
			}
			if !slices.Equal(b.DeviceIDs, tc.want) {
				t.Errorf("devices = %v, want %v", b.DeviceIDs, tc.want)
			}
			if b.Ready() != tc.ready {
				t.Errorf("Ready() = %v, want %v", b.Ready(), tc.ready)
			}
			if got := b.EncodeDevices(); got != tc.encode {
				t.Errorf("EncodeDevices() = %q, want %q", got, tc.encode)
			}
			back := devices.DecodeBasket(b.MemberID, b.EncodeDevices())
			if back.MemberID != b.MemberID || !slices.Equal(back.DeviceIDs, b.DeviceIDs) || back.HasMember() != (b.MemberID != 0) {
				t.Errorf("DecodeBasket(EncodeDevices()) = %+v, want %+v", back, b)
			}
		})
	}
}

func TestParseIDs(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []int64
	}{
		{"", nil},
		{"1", []int64{1}},
		{"1,2,3", []int64{1, 2, 3}},
		{"1,,x,2", []int64{1, 2}},
		{"2,2", []int64{2, 2}}, // decoding keeps what was written
		{" 1,2", []int64{2}},
	} {
		if got := devices.ParseIDs(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("ParseIDs(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
	if got := devices.JoinIDs(nil); got != "" {
		t.Errorf("JoinIDs(nil) = %q", got)
	}
	if got := devices.JoinIDs([]int64{10, 20}); got != "10,20" {
		t.Errorf("JoinIDs = %q", got)
	}
}
