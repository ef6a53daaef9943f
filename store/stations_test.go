package store_test

import (
	"errors"
	"testing"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
)

// One site needs no pairing. With two, a screen serves nothing until it
// types a station's code; the code works once; the station's token then
// names its site; a revoked station's screen is not paired any more.
func TestKioskStations(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, st *store.Store) {
		a, err := st.EnsureSite(ctx, "Antwerpen", "Europe/Brussels")
		if err != nil {
			t.Fatal(err)
		}
		if site, station, err := st.KioskSite(ctx, ""); err != nil || site.ID != a.ID || station != nil {
			t.Fatalf("one site, no pairing: %v %v %v", site, station, err)
		}
		b, err := st.CreateSite(ctx, store.SiteInput{Name: "Liège", TimeZone: "Europe/Brussels"})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := st.KioskSite(ctx, ""); !errors.Is(err, store.ErrNotPaired) {
			t.Fatalf("two sites, no station: %v", err)
		}
		if _, _, err := st.CreateStation(ctx, 999999, "Nergens"); err == nil {
			t.Fatal("a station for no site")
		}
		station, code, err := st.CreateStation(ctx, b.ID, "Inkom Liège")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := st.PairStation(ctx, "WRONG-CODE"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a wrong code: %v", err)
		}
		token, _, err := st.PairStation(ctx, " "+code[:4]+"-"+code[4:]+" ")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := st.PairStation(ctx, code); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a code works twice: %v", err)
		}
		site, got, err := st.KioskSite(ctx, token)
		if err != nil || site.ID != b.ID || got.ID != station.ID {
			t.Fatalf("paired screen: %v %v %v", site, got, err)
		}
		if _, _, err := st.KioskSite(ctx, store.NewToken()); !errors.Is(err, store.ErrNotPaired) {
			t.Fatalf("a made-up token: %v", err)
		}
		all, err := st.Stations(ctx)
		if err != nil || len(all) != 1 || !all[0].Paired() || all[0].LastSeenAt == nil {
			t.Fatalf("stations: %+v %v", all, err)
		}
		if err := st.RevokeStation(ctx, station.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := st.KioskSite(ctx, token); !errors.Is(err, store.ErrNotPaired) {
			t.Fatalf("a revoked station still works: %v", err)
		}
		if _, err := st.NewPairingCode(ctx, station.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a new code for a revoked station: %v", err)
		}
	})
}
