// Command drempel runs the Drempel kiosk and admin panel on one machine,
// and has subcommands for scripting (user add, member add), for backups
// (backup, restore) and for running it as a service (systemd-unit).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Brussels on machines without a zoneinfo database

	"github.com/drempel/drempel/store"
)

const usage = `Drempel: a kiosk and digital-inclusion lab manager.

Usage:
  drempel [serve] [flags]               run the kiosk and admin panel (default)
  drempel user add --email E --role R   add a staff account (password from the terminal or stdin)
  drempel member add --name N --lang L [--card FILE.pdf]
                                        register a member, print the check code,
                                        optionally write the printable card
  drempel backup [--to DIR]             write a checked backup of the database now
  drempel restore [--yes] FILE          put a backup in place (stop Drempel first)
  drempel systemd-unit [--user U] [--data DIR] [--addr A] [--binary PATH]
                                        print a systemd unit that runs Drempel as a service
  drempel help                          this text

Every subcommand but systemd-unit takes --data and --database-url.
`

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "drempel:", err)
		}
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serveCmd(ctx, args, stdout, stderr)
	case "user":
		if len(args) == 0 || args[0] != "add" {
			return fmt.Errorf("usage: drempel user add --email E --role admin|staff|facilitator|coordinator")
		}
		return userAddCmd(ctx, args[1:], stdin, stdout, stderr)
	case "member":
		if len(args) == 0 || args[0] != "add" {
			return fmt.Errorf("usage: drempel member add --name N --lang L [--card FILE.pdf]")
		}
		return memberAddCmd(ctx, args[1:], stdout, stderr)
	case "backup":
		return backupCmd(ctx, args, stdout, stderr)
	case "restore":
		return restoreCmd(ctx, args, stdout, stderr)
	case "systemd-unit":
		return systemdUnitCmd(args, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		return fmt.Errorf("unknown command %q (try drempel help)", cmd)
	}
}

// dbFlags are the flags every subcommand shares.
type dbFlags struct {
	data, databaseURL string
}

// envDefault gives a flag its environment twin: DREMPEL_ plus the flag's
// name in capitals, - becoming _.
func envDefault(name, def string) string {
	if v, ok := os.LookupEnv(envName(name)); ok {
		return v
	}
	return def
}

// envName is a flag's environment twin: backup-at → DREMPEL_BACKUP_AT.
func envName(flag string) string {
	return "DREMPEL_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

func newFlagSet(name string, stderr io.Writer, head string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, head)
		fmt.Fprintln(stderr, "\nFlags (each has an environment twin, e.g. --data = DREMPEL_DATA):")
		fs.PrintDefaults()
	}
	return fs
}

func (d *dbFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&d.data, "data", envDefault("data", "./drempel-data"), "directory for the SQLite database and other data")
	fs.StringVar(&d.databaseURL, "database-url", envDefault("database-url", ""), "empty for SQLite in --data; postgres://user:pass@host/db for PostgreSQL")
}

func (d *dbFlags) open(ctx context.Context) (*store.Store, error) {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	return store.Open(ctx, store.Config{DataDir: d.data, DatabaseURL: d.databaseURL})
}

func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}
