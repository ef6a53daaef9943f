package store

import (
	"context"
	"testing"
)

// A reader that read the mark before a write may put the cache back to
// the older mark and fill it; a reader at the newer mark must not be
// answered with what was kept at the older one.
func TestKeptReadOnlyAtItsOwnMark(t *testing.T) {
	c := &markCache{mark: coursesMark, at: 1, kept: map[any]any{courseKey(7): "before the write"}}
	got, err := keptRead(c, 2, courseKey(7), nil, func() (string, error) { return "after the write", nil })
	if err != nil || got != "after the write" {
		t.Fatalf("a reader at mark 2 got %q (%v), kept at mark 1", got, err)
	}
	loads := 0
	again, _ := keptRead(c, 1, courseKey(7), nil, func() (string, error) { loads++; return "loaded", nil })
	if again != "before the write" || loads != 0 {
		t.Fatalf("a reader at the cache's own mark: %q after %d loads", again, loads)
	}
}

// Without its row, a mark would never move: the read fails instead.
func TestMissingChangeMarkIsAnError(t *testing.T) {
	s, err := Open(context.Background(), Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.W.Exec("DELETE FROM change_marks WHERE name = 'lab'").Error; err != nil {
		t.Fatal(err)
	}
	if _, err := s.Lab(context.Background(), 1); err == nil {
		t.Fatal("the lab read without its change mark")
	}
}
