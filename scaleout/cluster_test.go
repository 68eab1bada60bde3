package scaleout

// The cluster: the portal binary built once per test run, three `portal serve` processes on
// one freshly migrated database, and an in-process portal (app.New, never started) that the
// tests use to put citizens and sessions into the shared database.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"mitidportal/app"
	"mitidportal/audit"
	"mitidportal/db/dbtest"
	"mitidportal/identity"
	"mitidportal/mail"
	"mitidportal/mail/mailtest"
)

// anchorInterval is the audit anchor job's interval in the test (AUDIT_ANCHOR_INTERVAL): short,
// so that a few intervals pass while the other subtests run.
const anchorInterval = time.Second

// drainTime is SHUTDOWN_DRAIN in the test.
const drainTime = time.Second

// baseURL is the one public address of the three instances, as behind a load balancer.
const baseURL = "http://portal.test"

// cluster is three running instances and what they share.
type cluster struct {
	instances []*instance
	pool      *pgxpool.Pool
	smtp      *mailtest.Server
	app       *app.App // in-process wiring for test data; its job queue is never started
	anchors   string   // AUDIT_ANCHOR_FILE
	started   time.Time
}

// instance is one `portal serve` process.
type instance struct {
	name     string
	url      string // http://127.0.0.1:PORT
	clientID string // the River client's id, from its log
	cmd      *exec.Cmd
	log      *lockedBuffer
	done     chan struct{} // closed when the process has exited; then err is its exit
	err      error
}

// lockedBuffer collects a process's log; the process writes while the test reads.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// lines returns the JSON log lines whose msg is msg.
func (b *lockedBuffer) lines(msg string) []map[string]any {
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(b.String()))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil && m["msg"] == msg {
			out = append(out, m)
		}
	}
	return out
}

// buildPortal builds cmd/portal. The binary goes to a fixed place per worktree in the user's
// cache folder, not a temporary one: go build then finds it up to date and skips the link
// (about 5 CPU seconds), and Go's build cache makes compiling unchanged packages free.
func buildPortal(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	sum := sha256.Sum256([]byte(root))
	bin := filepath.Join(cache, "mitidportal-scaleout", hex.EncodeToString(sum[:8]), "portal")
	cmd := exec.Command(goBin, "build", "-o", bin, "./cmd/portal")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/portal: %v\n%s", err, out)
	}
	return bin
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// startCluster starts three instances on one new database and waits until each is ready.
func startCluster(t *testing.T) *cluster {
	t.Helper()
	bin := buildPortal(t)
	pool, dbURL := dbtest.NewWithURL(t)
	c := &cluster{pool: pool, smtp: mailtest.Start(t), anchors: filepath.Join(t.TempDir(), "anchors.jsonl")}
	tokenKey, csrfKey, auditKey := randomHex(32), randomHex(32), "scaleout:"+randomHex(32)
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"DATABASE_URL=" + dbURL,
		// Port 0: each process picks a free port and logs it, so no port can be taken between
		// choosing and listening.
		"PORTAL_ADDR=127.0.0.1:0",
		"PORTAL_BASE_URL=" + baseURL,
		"PORTAL_DEMO=false",
		"SMTP_HOST=127.0.0.1", "SMTP_PORT=" + strconv.Itoa(c.smtp.Port), "SMTP_TLS=none",
		"TOKEN_KEY=" + tokenKey, "CSRF_KEY=" + csrfKey, "AUDIT_KEYS=" + auditKey,
		"AUDIT_ANCHOR_FILE=" + c.anchors,
		"AUDIT_ANCHOR_INTERVAL=" + anchorInterval.String(),
		"SHUTDOWN_DRAIN=" + drainTime.String(),
		"DB_MAX_CONNS=6",
		"PASSWORD_HASH_CONCURRENCY=1",
		"LOG_LEVEL=info",
	}
	c.started = time.Now()
	// Started together, as a deployment does; the first migrates, the others find it done
	// (the database is migrated already, as `portal migrate` would have left it).
	for _, name := range []string{"A", "B", "C"} {
		c.instances = append(c.instances, startInstance(t, bin, name, env))
	}
	// At the end all three stop together (each drains for drainTime); the cleanups of
	// startInstance, which run after this one, wait for each.
	t.Cleanup(func() {
		for _, in := range c.instances {
			in.cmd.Process.Signal(os.Interrupt)
		}
	})
	for _, in := range c.instances {
		in.waitReady(t)
	}
	t.Logf("three instances ready %s after their start", time.Since(c.started).Round(time.Millisecond))
	keys, err := audit.ParseKeys(auditKey)
	if err != nil {
		t.Fatal(err)
	}
	tk, _ := hex.DecodeString(tokenKey)
	ck, _ := hex.DecodeString(csrfKey)
	c.app, err = app.New(context.Background(), app.Config{
		DatabaseURL: dbURL, BaseURL: baseURL, TokenKey: tk, CSRFKey: ck, AuditKeys: keys,
		SMTP:        mail.SMTPConfig{Host: "127.0.0.1", Port: c.smtp.Port, TLS: "none", From: "MitID <noreply@localhost>"},
		SessionIdle: 30 * time.Minute, SessionAbsolute: 8 * time.Hour, MaxConns: 2,
		// Cheap argon2id for the test's own citizens; the instances verify with what is stored.
		Argon: identity.TestArgonParams,
	}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.app.Pool.Close() })
	return c
}

// startInstance starts `portal serve` and stops it (SIGTERM, then kill) when the test ends.
func startInstance(t *testing.T, bin, name string, env []string) *instance {
	t.Helper()
	in := &instance{name: name, log: &lockedBuffer{}, done: make(chan struct{})}
	in.cmd = exec.Command(bin, "serve")
	in.cmd.Env = env
	in.cmd.Stdout, in.cmd.Stderr = io.Discard, in.log
	if err := in.cmd.Start(); err != nil {
		t.Fatalf("start instance %s: %v", name, err)
	}
	go func() {
		in.err = in.cmd.Wait()
		close(in.done)
	}()
	t.Cleanup(func() {
		in.cmd.Process.Signal(os.Interrupt)
		select {
		case <-in.done:
		case <-time.After(30 * time.Second):
			in.cmd.Process.Kill()
			<-in.done
		}
		if t.Failed() || os.Getenv("PORTAL_TEST_LOG") == "1" {
			t.Logf("instance %s log (the last 100 lines):\n%s", name, lastLines(in.log.String(), 100))
		}
	})
	return in
}

// lastLines is the end of a log, so a failure stays readable.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// waitReady waits for the instance's address in its log, then for /readyz to answer 200.
func (in *instance) waitReady(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for in.url == "" || in.clientID == "" {
		if s := in.log.lines("serving"); len(s) > 0 {
			in.url = "http://" + fmt.Sprint(s[0]["addr"])
		}
		if s := in.log.lines("River client started"); len(s) > 0 {
			in.clientID = fmt.Sprint(s[0]["client_id"])
		}
		select {
		case <-in.done:
			t.Fatalf("instance %s exited before serving: %v\n%s", in.name, in.err, in.log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("instance %s: no address and River client in its log within 60 s:\n%s", in.name, in.log.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	for {
		res, err := http.Get(in.url + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("instance %s: /readyz not 200 within 60 s (%v)", in.name, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// count runs a counting query on the shared database.
func (c *cluster) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := c.pool.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// poll calls done every 20 ms until it is true, failing the test after timeout.
func poll(t *testing.T, timeout time.Duration, what string, done func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !done() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
