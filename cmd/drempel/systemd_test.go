package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// parseUnit reads a systemd unit as systemd does: [Section] headers, then
// key=value lines; comments and blank lines between. Any other line fails
// the test. It gives each section's values per key, in order.
func parseUnit(t *testing.T, unit string) map[string]map[string][]string {
	t.Helper()
	known := map[string][]string{
		"Unit": {"Description", "Documentation", "After", "Wants"},
		"Service": {"Type", "User", "Group", "ExecStart", "EnvironmentFile", "Restart", "RestartSec", "TimeoutStopSec", "UMask",
			"StateDirectory", "StateDirectoryMode", "NoNewPrivileges", "PrivateTmp", "ProtectSystem", "ReadWritePaths", "ProtectHome",
			"PrivateDevices", "ProtectKernelTunables", "ProtectKernelModules", "ProtectKernelLogs", "ProtectControlGroups",
			"ProtectClock", "ProtectHostname", "RestrictSUIDSGID", "RestrictRealtime", "RestrictNamespaces", "LockPersonality",
			"RemoveIPC", "SystemCallArchitectures", "RestrictAddressFamilies", "AmbientCapabilities", "CapabilityBoundingSet"},
		"Install": {"WantedBy"},
	}
	secs := map[string]map[string][]string{}
	sec := ""
	for i, line := range strings.Split(strings.TrimSuffix(unit, "\n"), "\n") {
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			sec = line[1 : len(line)-1]
			if _, ok := known[sec]; !ok {
				t.Fatalf("line %d: unknown section %s", i+1, line)
			}
			if secs[sec] != nil {
				t.Fatalf("line %d: section %s twice", i+1, line)
			}
			secs[sec] = map[string][]string{}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || sec == "" || k != strings.TrimSpace(k) || k == "" {
				t.Fatalf("line %d is no key=value in a section: %q", i+1, line)
			}
			if !slices.Contains(known[sec], k) {
				t.Fatalf("line %d: %s is not a key of [%s]", i+1, k, sec)
			}
			secs[sec][k] = append(secs[sec][k], v)
		}
	}
	for _, s := range []string{"Unit", "Service", "Install"} {
		if secs[s] == nil {
			t.Fatalf("no [%s] section", s)
		}
	}
	return secs
}

// one is a key's single value.
func one(t *testing.T, sec map[string][]string, key string) string {
	t.Helper()
	if len(sec[key]) != 1 {
		t.Fatalf("%s: %q, want one value", key, sec[key])
	}
	return sec[key][0]
}

// drempel systemd-unit prints a unit that systemd reads, that runs the
// given drempel on the given data directory as its own user, and that
// may write there and nowhere else.
func TestSystemdUnit(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "drempel")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name     string
		args     []string
		exec     []string // ExecStart, split on spaces
		rw       []string
		home     string
		state    string
		lowPort  bool
		binaryIs string
	}{
		{name: "the defaults", args: nil, binaryIs: self,
			exec: []string{"serve", "--data", "/var/lib/drempel", "--addr", ":8080"}, rw: []string{"/var/lib/drempel"}, home: "yes", state: "drempel"},
		{name: "a data directory with a space", args: []string{"--data", "/srv/lab data", "--binary", bin}},
		{name: "a data directory elsewhere", binaryIs: bin,
			args: []string{"--user", "lab", "--data", "/srv/drempel", "--addr", "192.168.1.20:8080", "--binary", bin, "--backup-copy-to", "/media/backup-disk/drempel"},
			exec: []string{"serve", "--data", "/srv/drempel", "--addr", "192.168.1.20:8080", "--backup-copy-to", "/media/backup-disk/drempel"},
			rw:   []string{"/srv/drempel", "-/media/backup-disk/drempel"}, home: "yes"},
		{name: "in a home folder, on port 80, backups on another disk", binaryIs: bin,
			args: []string{"--data", "/home/lab/drempel-data/", "--addr", ":80", "--binary", bin, "--backup-dir", "/mnt/disk/backups"},
			exec: []string{"serve", "--data", "/home/lab/drempel-data", "--addr", ":80", "--backup-dir", "/mnt/disk/backups"},
			rw:   []string{"/home/lab/drempel-data", "/mnt/disk/backups"}, home: "read-only", lowPort: true},
		{name: "backups inside the data directory need nothing more", binaryIs: bin,
			args: []string{"--data", "/var/lib/drempel", "--binary", bin, "--backup-dir", "/var/lib/drempel/nightly"},
			exec: []string{"serve", "--data", "/var/lib/drempel", "--addr", ":8080", "--backup-dir", "/var/lib/drempel/nightly"},
			rw:   []string{"/var/lib/drempel"}, home: "yes", state: "drempel"},
		{name: "a per cent sign is not a specifier", binaryIs: bin,
			args: []string{"--data", "/srv/100%drempel", "--binary", bin},
			exec: []string{"serve", "--data", "/srv/100%%drempel", "--addr", ":8080"},
			rw:   []string{"/srv/100%%drempel"}, home: "yes"},
		{name: "root", args: []string{"--user", "root"}},
		{name: "a user name systemd would not take", args: []string{"--user", "Lab User"}},
		{name: "a relative binary", args: []string{"--binary", "drempel"}},
		{name: "no address", args: []string{"--addr", "8080"}},
		{name: "a path with a quote", args: []string{"--backup-copy-to", `/media/it's`}},
		{name: "a file name", args: []string{"unit.service"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, _, err := runCmd(t, "", append([]string{"systemd-unit"}, c.args...)...)
			if c.exec == nil {
				if err == nil {
					t.Fatalf("accepted:\n%s", out)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			u := parseUnit(t, out)
			svc := u["Service"]
			user := "drempel"
			if i := slices.Index(c.args, "--user"); i >= 0 {
				user = c.args[i+1]
			}
			if one(t, svc, "User") != user || one(t, svc, "Group") != user {
				t.Errorf("user %q group %q, want %q", svc["User"], svc["Group"], user)
			}
			argv := strings.Fields(one(t, svc, "ExecStart"))
			if argv[0] != c.binaryIs && !(c.binaryIs == self && strings.HasSuffix(argv[0], filepath.Base(self))) {
				t.Errorf("runs %s, want %s", argv[0], c.binaryIs)
			}
			if !slices.Equal(argv[1:], c.exec) {
				t.Errorf("ExecStart %q, want %q", argv[1:], c.exec)
			}
			if got := strings.Fields(one(t, svc, "ReadWritePaths")); !slices.Equal(got, c.rw) {
				t.Errorf("ReadWritePaths %q, want %q", got, c.rw)
			}
			for k, v := range map[string]string{"Restart": "on-failure", "ProtectSystem": "strict", "NoNewPrivileges": "yes",
				"PrivateTmp": "yes", "ProtectHome": c.home} {
				if got := one(t, svc, k); got != v {
					t.Errorf("%s=%s, want %s", k, got, v)
				}
			}
			if got := svc["StateDirectory"]; c.state != "" && (len(got) != 1 || got[0] != c.state) || c.state == "" && got != nil {
				t.Errorf("StateDirectory %q, want %q", got, c.state)
			}
			caps := one(t, svc, "CapabilityBoundingSet")
			if c.lowPort != (caps == "CAP_NET_BIND_SERVICE") || c.lowPort != (svc["AmbientCapabilities"] != nil) || !c.lowPort && caps != "" {
				t.Errorf("port below 1024: %v; capabilities %q, ambient %q", c.lowPort, caps, svc["AmbientCapabilities"])
			}
			if got := one(t, u["Install"], "WantedBy"); got != "multi-user.target" {
				t.Errorf("WantedBy=%s", got)
			}
			// systemd's own reading, where it is installed.
			if analyze, err := exec.LookPath("systemd-analyze"); err == nil && c.binaryIs == bin {
				file := filepath.Join(t.TempDir(), "drempel.service")
				os.WriteFile(file, []byte(out), 0o644)
				if b, err := exec.Command(analyze, "verify", file).CombinedOutput(); err != nil || len(strings.TrimSpace(string(b))) > 0 {
					t.Errorf("systemd-analyze verify: %v\n%s", err, b)
				}
			}
		})
	}
}
