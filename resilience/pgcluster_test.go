package resilience_test

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// cluster is a private PostgreSQL server for one test, which the test may stop and start: the
// shared test server (DATABASE_URL) serves other packages meanwhile and must stay up.
type cluster struct {
	t    *testing.T
	bin  string // the folder of initdb and pg_ctl
	dir  string // owned by the server's user: data/, the socket and the log
	port int
	// URL reaches the cluster's postgres database.
	URL string
}

// startCluster initialises a cluster in a temporary folder and starts it on a free port. As
// root it runs as the postgres user, as scripts/devdb.sh does, because initdb refuses root.
// It is stopped when the test ends.
func startCluster(t *testing.T) *cluster {
	t.Helper()
	c := &cluster{t: t, bin: postgresBin(t)}
	root := t.TempDir()
	// t.TempDir's folders are closed to other users; the server's user needs to pass through.
	for _, d := range []string{filepath.Dir(root), root} {
		if err := os.Chmod(d, 0o711); err != nil {
			t.Fatal(err)
		}
	}
	c.dir = filepath.Join(root, "pg")
	if err := os.Mkdir(c.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root needs the postgres user (scripts/devdb.sh makes it): %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(c.dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	c.run("initdb", "-D", c.data(), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
	c.port = freePort(t)
	c.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
	c.Start()
	t.Cleanup(func() { _ = c.pgctl("-m", "immediate", "stop") })
	return c
}

func (c *cluster) data() string { return filepath.Join(c.dir, "data") }

// Start starts the server on its port and waits until it takes connections (pg_ctl -w).
// fsync is off, as on the shared test server; synchronous_commit stays on, so a commit the
// portal has acknowledged is in the server's WAL and survives a crash of the server, which is
// what "no acknowledged write is lost" needs.
func (c *cluster) Start() {
	c.t.Helper()
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=50",
		c.port, c.dir)
	if err := c.pgctl("-l", filepath.Join(c.dir, "server.log"), "-w", "-t", "60", "-o", opts, "start"); err != nil {
		c.t.Fatalf("start PostgreSQL: %v\n%s", err, c.log())
	}
}

// Crash stops the server at once, as a crash or a killed container would: connections break in
// the middle of their statements and the next start replays the WAL.
func (c *cluster) Crash() {
	c.t.Helper()
	if err := c.pgctl("-m", "immediate", "-w", "stop"); err != nil {
		c.t.Fatalf("stop PostgreSQL: %v\n%s", err, c.log())
	}
}

func (c *cluster) pgctl(args ...string) error {
	out, err := c.command("pg_ctl", append([]string{"-D", c.data()}, args...)...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("pg_ctl %s: %w: %s", strings.Join(args, " "), err, out)
	}
	return nil
}

func (c *cluster) run(name string, args ...string) {
	c.t.Helper()
	if out, err := c.command(name, args...).CombinedOutput(); err != nil {
		c.t.Fatalf("%s: %v\n%s", name, err, out)
	}
}

// command runs a server program, as the postgres user when we are root.
func (c *cluster) command(name string, args ...string) *exec.Cmd {
	prog := filepath.Join(c.bin, name)
	if os.Geteuid() == 0 {
		return exec.Command("runuser", append([]string{"-u", "postgres", "--", prog}, args...)...)
	}
	return exec.Command(prog, args...)
}

// log is the server's log, for a failure message.
func (c *cluster) log() string {
	b, _ := os.ReadFile(filepath.Join(c.dir, "server.log"))
	return string(b)
}

// postgresBin is the newest PostgreSQL 15+ binary folder, as scripts/devdb.sh finds it.
func postgresBin(t *testing.T) string {
	t.Helper()
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	var found []int
	for _, d := range dirs {
		v, err := strconv.Atoi(filepath.Base(filepath.Dir(d)))
		if _, serr := os.Stat(filepath.Join(d, "pg_ctl")); err == nil && serr == nil && v >= 15 {
			found = append(found, v)
		}
	}
	if len(found) == 0 {
		t.Fatal("no PostgreSQL 15+ binaries in /usr/lib/postgresql (scripts/devdb.sh installs them)")
	}
	sort.Ints(found)
	return fmt.Sprintf("/usr/lib/postgresql/%d/bin", found[len(found)-1])
}

// freePort is a loopback port nothing listened on a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
