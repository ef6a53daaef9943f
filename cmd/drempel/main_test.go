package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

func runCmd(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), err
}

func TestHelpExplainsEveryFlag(t *testing.T) {
	out, _, err := runCmd(t, "", "help")
	if err != nil || !strings.Contains(out, "member add") {
		t.Fatalf("help: %v %s", err, out)
	}
	_, stderr, _ := runCmd(t, "", "--help")
	for _, flag := range []string{"-addr", "-data", "-database-url", "-demo", "-kiosk-idle", "-lang", "DREMPEL_DATA"} {
		if !strings.Contains(stderr, flag) {
			t.Errorf("--help does not mention %s", flag)
		}
	}
	if _, _, err := runCmd(t, "", "frobnicate"); err == nil {
		t.Error("an unknown command should fail")
	}
	if _, _, err := runCmd(t, "", "serve", "--lang", "xx"); err == nil {
		t.Error("an unknown language should fail")
	}
}

func TestScriptingCommands(t *testing.T) {
	dir := t.TempDir()
	card := filepath.Join(dir, "card.pdf")
	out, _, err := runCmd(t, "", "member", "add", "--data", dir, "--name", "Olena", "--lang", "uk", "--card", card)
	if err != nil || !regexp.MustCompile(`check code [A-Z2-9]{3} [A-Z2-9]{3}`).MatchString(out) {
		t.Fatalf("member add: %v %q", err, out)
	}
	if b, err := os.ReadFile(card); err != nil || !bytes.HasPrefix(b, []byte("%PDF")) {
		t.Fatalf("card file: %v", err)
	}
	if _, _, err := runCmd(t, "", "member", "add", "--data", dir, "--name", "", "--lang", "nl"); err == nil || !strings.Contains(err.Error(), "nickname") {
		t.Fatalf("empty name: %v", err)
	}
	if _, _, err := runCmd(t, "", "member", "add", "--data", dir, "--name", "X", "--lang", "klingon"); err == nil {
		t.Fatal("unknown language accepted")
	}
	out, _, err = runCmd(t, "a long enough password\n", "user", "add", "--data", dir, "--email", "desk@ocmw.be", "--role", "staff")
	if err != nil || !strings.Contains(out, "added desk@ocmw.be (staff)") {
		t.Fatalf("user add: %v %q", err, out)
	}
	if _, _, err := runCmd(t, "short\n", "user", "add", "--data", dir, "--email", "b@ocmw.be"); err == nil {
		t.Fatal("short password accepted")
	}
	if _, _, err := runCmd(t, "a long enough password\n", "user", "add", "--data", dir, "--email", "c@ocmw.be", "--role", "king"); err == nil {
		t.Fatal("unknown role accepted")
	}
}

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// The first start prints a one-time setup link, serves /healthz, and stops
// cleanly when asked.
func TestServeFirstStartAndGracefulStop(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuf{}
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, []string{"--data", dir, "--addr", "127.0.0.1:0"}, strings.NewReader(""), out, io.Discard)
	}()
	re := regexp.MustCompile(`kiosk (http://\S+)/kiosk`)
	var base string
	for deadline := time.Now().Add(20 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
		}
	}
	if base == "" {
		t.Fatalf("server did not start: %s", out.String())
	}
	setup := regexp.MustCompile(`(http://\S+/setup/[0-9A-Z]+)`).FindStringSubmatch(out.String())
	if setup == nil {
		t.Fatalf("no setup link printed:\n%s", out.String())
	}
	for path, want := range map[string]int{"/healthz": 200, "/kiosk": 200, "/admin/login": 200, "/nope": 404} {
		res, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("%s: %d, want %d", path, res.StatusCode, want)
		}
	}
	res, err := http.Get(setup[1])
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("setup link: %v %d", err, res.StatusCode)
	}
	res.Body.Close()
	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("shutdown: %v", err)
		}
	case <-time.After(25 * time.Second):
		t.Fatal("the server did not stop")
	}
}
