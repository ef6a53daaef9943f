package printing_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/drempel/drempel/web/printing"
)

// Three laptops' labels, on a sheet and on a roll: every QR decodes back
// to its device's address.
func TestLabelsDecodeToTheirDevice(t *testing.T) {
	var labels []printing.DeviceLabel
	want := map[string]bool{}
	for i := 1; i <= 3; i++ {
		u := fmt.Sprintf("http://desk.local:8080/d/LAP-%04d", i)
		labels = append(labels, printing.DeviceLabel{Tag: fmt.Sprintf("LAP-%04d", i), Caption: "Lenovo <T480>", URL: u})
		want[u] = true
	}
	for _, format := range []printing.LabelFormat{printing.LabelsA4, printing.LabelsRoll62} {
		var buf bytes.Buffer
		if err := printing.WriteLabelsPDF(&buf, labels, format); err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, img := range render(t, buf.Bytes()) {
			for _, s := range decodeAll(t, img) {
				got[s] = true
			}
		}
		if len(got) != 3 {
			t.Fatalf("format %d: decoded %v", format, got)
		}
		for u := range want {
			if !got[u] {
				t.Errorf("format %d: %s not decoded", format, u)
			}
		}
	}
}
