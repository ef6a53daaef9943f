package store_test

import (
	"errors"
	"testing"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/store/storetest"
)

// The optional profile a member may give: kept as given, changed, listed
// in what we hold about them, refused when it is not one of the answers
// offered, and gone with an erase.
func TestMemberProfile(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		a := site(t, s)
		m, err := s.CreateMember(ctx, store.MemberInput{Nickname: "Profiel", Lang: "fr", AgeBand: "30_54", Gender: store.Undisclosed, SiteID: a.ID})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Member(ctx, m.ID)
		if err != nil || got.AgeBand != "30_54" || got.Gender != store.Undisclosed {
			t.Fatalf("registered with a profile: %+v %v", got, err)
		}
		if err := s.UpdateMember(ctx, m.ID, store.MemberInput{Nickname: "Profiel", Lang: "fr", AgeBand: "55_plus", Gender: "woman"}); err != nil {
			t.Fatal(err)
		}
		rec, err := s.MemberData(ctx, m.ID, []int64{a.ID})
		if err != nil || rec.Profile.AgeBand != "55_plus" || rec.Profile.Gender != "woman" {
			t.Fatalf("what we hold after an edit: %+v %v", rec.Profile, err)
		}

		// Nothing chosen is "not answered"; anything else is refused.
		if err := s.UpdateMember(ctx, m.ID, store.MemberInput{Nickname: "Profiel", Lang: "fr"}); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Member(ctx, m.ID); got.AgeBand != "" || got.Gender != "" {
			t.Fatalf("unanswered kept %q %q", got.AgeBand, got.Gender)
		}
		for _, in := range []store.MemberInput{
			{Nickname: "Profiel", Lang: "fr", AgeBand: "42"},
			{Nickname: "Profiel", Lang: "fr", Gender: "Woman"},
			{Nickname: "Profiel", Lang: "fr", AgeBand: "18_29 "},
		} {
			err := s.UpdateMember(ctx, m.ID, in)
			var fe *store.FieldError
			if !errors.As(err, &fe) || fe.Code != "bad_choice" {
				t.Errorf("%+v: want a bad_choice field error, got %v", in, err)
			}
			if _, err := s.CreateMember(ctx, in); !errors.As(err, &fe) || fe.Code != "bad_choice" {
				t.Errorf("register %+v: want a bad_choice field error, got %v", in, err)
			}
		}

		if err := s.UpdateMember(ctx, m.ID, store.MemberInput{Nickname: "Profiel", Lang: "fr", AgeBand: "under_18", Gender: "non_binary"}); err != nil {
			t.Fatal(err)
		}
		if err := s.EraseMember(ctx, m.ID); err != nil {
			t.Fatal(err)
		}
		var left store.Member
		if err := s.R.Take(&left, m.ID).Error; err != nil {
			t.Fatal(err)
		}
		if left.AgeBand != "" || left.Gender != "" || left.ErasedAt == nil {
			t.Errorf("after the erase: age band %q, gender %q, erased %v", left.AgeBand, left.Gender, left.ErasedAt)
		}
	})
}
