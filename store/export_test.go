package store

import "context"

// Migration 14's data step, for the tests of an upgrade.
var GiveStaffEverySite = giveStaffEverySite

// Migration 15's data step.
var OneOperatorForEverySite = oneOperatorForEverySite

// Migration 17's data step, and reading the card key again after it.
var HashCardTokens = hashCardTokens

func (s *Store) LoadCardKey() error { return s.loadCardKey(context.Background()) }
