package store

// SQLite connections run with the query planner stability guarantee
// (SQLITE_DBCONFIG_ENABLE_QPSG): a statement's plan does not depend on
// the values bound to it.
//
// Without it, SQLite's planner looks at a bound value wherever it may
// change the plan (an equality it weighs as 0 or 1, a partial index's
// condition, a LIKE pattern, a LIMIT), and marks the statement to be
// prepared again when that value is bound anew; the driver
// (mattn/go-sqlite3) clears every statement's bindings before each run,
// which counts as such a change. Most of Drempel's statements were thus
// prepared again on every run: CardByToken, which every scan starts
// with, spent 43 of its 50 microseconds there. Drempel's plans do not
// need a bound value's help: each query has the index its equalities
// name.
//
// The driver has no call for sqlite3_db_config, so the setting is made
// on the connection's own handle, found by reflection in the driver's
// connection; TestSQLiteRunsWithStablePlans fails when a new driver keeps
// it elsewhere.

/*
typedef struct sqlite3 sqlite3;
int sqlite3_db_config(sqlite3*, int op, ...);

// SQLITE_DBCONFIG_ENABLE_QPSG is 1007 in sqlite3.h. on < 0 only reads.
static int drempel_qpsg(void *db, int on) {
	int now = -1;
	if (sqlite3_db_config((sqlite3*)db, 1007, on, &now) != 0) return -1;
	return now;
}
*/
import "C"

import (
	"database/sql"
	"errors"
	"reflect"
	"strings"
	"unsafe"

	sqlite3 "github.com/mattn/go-sqlite3"
)

const sqliteDriver = "sqlite3_drempel"

func init() {
	sql.Register(sqliteDriver, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		// Without it, statements are slower, not wrong: the connection
		// is not refused for it.
		qpsg(c, 1) //nolint:errcheck
		return nil
	}})
}

// qpsg sets the guarantee on (1) or off (0) on c, or only reads it (-1),
// and returns what it is now.
func qpsg(c *sqlite3.SQLiteConn, on int) (int, error) {
	f := reflect.ValueOf(c).Elem().FieldByName("db")
	if !f.IsValid() || f.Kind() != reflect.Pointer || !strings.HasSuffix(f.Type().Elem().Name(), "sqlite3") {
		return 0, errors.New("the SQLite driver has no connection handle where Drempel looks for it")
	}
	db := *(*unsafe.Pointer)(unsafe.Pointer(f.UnsafeAddr()))
	n := int(C.drempel_qpsg(db, C.int(on)))
	if n < 0 {
		return 0, errors.New("sqlite3_db_config(SQLITE_DBCONFIG_ENABLE_QPSG) failed")
	}
	return n, nil
}
