package store_test

import (
	"testing"

	"github.com/drempel/drempel/store/storetest"
)

// BenchmarkCardByToken is the read every scan starts with.
func BenchmarkCardByToken(b *testing.B) {
	s := storetest.Open(b, "sqlite")
	tokens := storetest.SeedLoad(b, s, 5_000, 10)
	at := here(b, s)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.CardByToken(ctx, tokens[i%len(tokens)], at); err != nil {
			b.Fatal(err)
		}
	}
}
