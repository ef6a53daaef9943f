package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

const systemdUsage = `Usage: drempel systemd-unit [--user U] [--data DIR] [--addr A] [--binary PATH]
                            [--backup-dir DIR] [--backup-copy-to DIR] > drempel.service

Prints a systemd unit that runs Drempel as a service: started at boot,
restarted when it fails, as its own user, and allowed to write only to its
data directory and backup folders. Install it (as root):

  useradd --system --user-group --home-dir /var/lib/drempel --shell /usr/sbin/nologin drempel
  drempel systemd-unit > /etc/systemd/system/drempel.service
  systemctl enable --now drempel

Then journalctl -u drempel shows its log (and the one-time setup link).
Other settings (DREMPEL_PUBLIC_URL=…, DREMPEL_LANG=…) go into
/etc/default/drempel, one per line.
`

// unitConfig is what the printed unit says.
type unitConfig struct {
	user, data, addr, binary string
	backupDir, copyTo        string
}

func systemdUnitCmd(args []string, stdout, stderr io.Writer) error {
	var u unitConfig
	fs := flag.NewFlagSet("systemd-unit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, systemdUsage)
		fmt.Fprintln(stderr, "\nFlags:")
		fs.PrintDefaults()
	}
	fs.StringVar(&u.user, "user", "drempel", "the user (and group) the service runs as: a user of its own, not root")
	fs.StringVar(&u.data, "data", "/var/lib/drempel", "the service's data directory (its --data)")
	fs.StringVar(&u.addr, "addr", ":8080", "the address the service listens on (its --addr)")
	fs.StringVar(&u.binary, "binary", "", "the drempel program the service runs (default: this one)")
	fs.StringVar(&u.backupDir, "backup-dir", "", "the service's --backup-dir, when not backups in --data")
	fs.StringVar(&u.copyTo, "backup-copy-to", "", "the service's --backup-copy-to: a second backup folder on another disk")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("drempel systemd-unit takes flags only, not %q", fs.Arg(0))
	}
	if u.binary == "" {
		exe, err := os.Executable()
		if err != nil {
			return fmt.Errorf("where is this drempel? give --binary: %w", err)
		}
		if p, err := filepath.EvalSymlinks(exe); err == nil {
			exe = p
		}
		u.binary = exe
		if strings.Contains(exe, string(filepath.Separator)+"go-build") {
			fmt.Fprintf(stderr, "drempel: %s is a temporary program made by go run. Build Drempel (go build -o drempel ./cmd/drempel), "+
				"copy it to /usr/local/bin and give --binary /usr/local/bin/drempel\n", exe)
		}
	}
	unit, err := u.unit()
	if err != nil {
		return err
	}
	_, err = io.WriteString(stdout, unit)
	return err
}

var unitUserRe = regexp.MustCompile(`^[a-z_][a-z0-9_-]{0,31}$`)

// unitPath makes a path absolute and fit for a unit file: systemd splits
// its lists on white space and reads quotes and backslashes itself, so a
// path holding them is refused rather than half understood.
func unitPath(what, p string) (string, error) {
	if p == "" {
		return "", fmt.Errorf("%s: give a folder", what)
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", fmt.Errorf("%s: %w", what, err)
	}
	if i := strings.IndexFunc(abs, func(r rune) bool {
		return r <= ' ' || r == 0x7f || r == '"' || r == '\'' || r == '\\' || r == ';'
	}); i >= 0 {
		return "", fmt.Errorf("%s %q: a service's path may not hold spaces, quotes, backslashes or semicolons; choose another folder", what, abs)
	}
	return filepath.Clean(abs), nil
}

// escape keeps systemd from reading % as a specifier and, in a command
// line, $ as a variable.
func escapeUnit(s string, command bool) string {
	s = strings.ReplaceAll(s, "%", "%%")
	if command {
		s = strings.ReplaceAll(s, "$", "$$")
	}
	return s
}

// under says whether p is dir or inside it.
func under(p, dir string) bool {
	return p == dir || strings.HasPrefix(p, dir+string(filepath.Separator))
}

// unit writes the systemd unit.
func (u unitConfig) unit() (string, error) {
	if !unitUserRe.MatchString(u.user) {
		return "", fmt.Errorf("--user %q: want a user name such as drempel", u.user)
	}
	if u.user == "root" {
		return "", errors.New("--user root: Drempel runs as a user of its own, such as drempel")
	}
	if !filepath.IsAbs(u.binary) {
		return "", fmt.Errorf("--binary %q: give the program's full path, such as /usr/local/bin/drempel", u.binary)
	}
	binary, err := unitPath("--binary", u.binary)
	if err != nil {
		return "", err
	}
	data, err := unitPath("--data", u.data)
	if err != nil {
		return "", err
	}
	host, port, err := net.SplitHostPort(u.addr)
	if err != nil {
		return "", fmt.Errorf("--addr %q: want an address such as :8080 or 192.168.1.20:8080", u.addr)
	}
	portN, err := strconv.Atoi(port)
	if err != nil || portN < 1 || portN > 65535 || strings.ContainsFunc(host, func(r rune) bool { return r <= ' ' || r == '"' || r == '\'' || r == '\\' }) {
		return "", fmt.Errorf("--addr %q: want an address such as :8080 or 192.168.1.20:8080", u.addr)
	}

	cmd := []string{binary, "serve", "--data", data, "--addr", u.addr}
	writable := []string{data}
	var optional []string // may be missing when the service starts (an unplugged disk)
	if u.backupDir != "" {
		dir, err := unitPath("--backup-dir", u.backupDir)
		if err != nil {
			return "", err
		}
		cmd = append(cmd, "--backup-dir", dir)
		if !under(dir, data) {
			writable = append(writable, dir)
		}
	}
	if u.copyTo != "" {
		dir, err := unitPath("--backup-copy-to", u.copyTo)
		if err != nil {
			return "", err
		}
		cmd = append(cmd, "--backup-copy-to", dir)
		optional = append(optional, dir)
	}
	rw := make([]string, 0, len(writable)+len(optional))
	for _, p := range writable {
		rw = append(rw, escapeUnit(p, false))
	}
	for _, p := range optional {
		rw = append(rw, "-"+escapeUnit(p, false))
	}
	for i, a := range cmd {
		cmd[i] = escapeUnit(a, true)
	}
	// The home folders are hidden from the service, unless Drempel's own
	// folders are there: then they are read-only but for those.
	protectHome := "yes"
	for _, p := range append(writable, optional...) {
		for _, home := range []string{"/home", "/root", "/run/user"} {
			if under(p, home) {
				protectHome = "read-only"
			}
		}
	}

	var b strings.Builder
	line := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }
	line("# Drempel as a systemd service, written by: drempel systemd-unit")
	line("# Install it as /etc/systemd/system/drempel.service; see \"Running as a")
	line("# service\" in Drempel's README. Its log: journalctl -u drempel")
	line("")
	line("[Unit]")
	line("Description=Drempel kiosk and lab manager")
	line("Documentation=https://github.com/drempel/drempel#running-as-a-service")
	line("After=network-online.target")
	line("Wants=network-online.target")
	line("")
	line("[Service]")
	line("Type=simple")
	line("User=%s", u.user)
	line("Group=%s", u.user)
	line("ExecStart=%s", strings.Join(cmd, " "))
	line("# Other settings, one per line: DREMPEL_PUBLIC_URL=http://192.168.1.20:8080")
	line("EnvironmentFile=-/etc/default/drempel")
	line("Restart=on-failure")
	line("RestartSec=5s")
	line("# Requests in flight finish (up to 20 s), then the database closes.")
	line("TimeoutStopSec=30s")
	line("# Backups hold personal data: files for the service's user only.")
	line("UMask=0077")
	if rest, ok := strings.CutPrefix(data, "/var/lib/"); ok && rest != "" {
		// systemd makes the data directory, owned by the user.
		line("StateDirectory=%s", escapeUnit(rest, false))
		line("StateDirectoryMode=0750")
	}
	line("")
	line("# Drempel writes only to its data directory and backup folders.")
	line("NoNewPrivileges=yes")
	line("PrivateTmp=yes")
	line("ProtectSystem=strict")
	line("ReadWritePaths=%s", strings.Join(rw, " "))
	line("ProtectHome=%s", protectHome)
	line("PrivateDevices=yes")
	line("ProtectKernelTunables=yes")
	line("ProtectKernelModules=yes")
	line("ProtectKernelLogs=yes")
	line("ProtectControlGroups=yes")
	line("ProtectClock=yes")
	line("ProtectHostname=yes")
	line("RestrictSUIDSGID=yes")
	line("RestrictRealtime=yes")
	line("RestrictNamespaces=yes")
	line("LockPersonality=yes")
	line("RemoveIPC=yes")
	line("SystemCallArchitectures=native")
	line("RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK")
	if portN < 1024 {
		// A port below 1024, such as 80, takes this one privilege.
		line("AmbientCapabilities=CAP_NET_BIND_SERVICE")
		line("CapabilityBoundingSet=CAP_NET_BIND_SERVICE")
	} else {
		line("CapabilityBoundingSet=")
	}
	line("")
	line("[Install]")
	line("WantedBy=multi-user.target")
	return b.String(), nil
}
