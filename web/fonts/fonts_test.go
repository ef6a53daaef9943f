package fonts

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

// SOURCES names each font's own checksum: the pages' font URLs, and the
// provenance test against the npm packages, rely on it.
func TestSumsAreTheFilesOwn(t *testing.T) {
	for _, f := range Faces {
		b, err := FS.ReadFile(f.File)
		if err != nil {
			t.Fatal(err)
		}
		got := sha256.Sum256(b)
		want, ok := Sum(f.File)
		if !ok || hex.EncodeToString(got[:]) != want {
			t.Errorf("%s: SOURCES says %q, the file is %x", f.File, want, got)
		}
	}
	if _, ok := Sum("nope.ttf"); ok {
		t.Error("a file SOURCES does not list has a sum")
	}
}
