package store

import (
	"context"
	"database/sql"
	"testing"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// Every SQLite connection of the store keeps its plans whatever is bound
// (qpsg.go). SQLite only: PostgreSQL has no such setting, and prepares
// its statements once.
func TestSQLiteRunsWithStablePlans(t *testing.T) {
	s, err := Open(context.Background(), Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for name, pool := range map[string]func() (*sql.DB, error){"writer": s.W.DB, "reader": s.R.DB} {
		db, err := pool()
		if err != nil {
			t.Fatal(err)
		}
		conn, err := db.Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		err = conn.Raw(func(dc any) error {
			c, ok := dc.(*sqlite3.SQLiteConn)
			if !ok {
				t.Fatalf("%s: a %T, not the SQLite driver's connection", name, dc)
			}
			on, err := qpsg(c, -1)
			if err != nil {
				return err
			}
			if on != 1 {
				t.Errorf("%s: the query planner stability guarantee is off", name)
			}
			return nil
		})
		conn.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
}
