package store

// Migration 14's data step, for the tests of an upgrade.
var GiveStaffEverySite = giveStaffEverySite

// Migration 15's data step.
var OneOperatorForEverySite = oneOperatorForEverySite
