package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"mitidportal/db/dbtest"
	"mitidportal/identity"
	"mitidportal/staff"
)

// syncBuffer is a bytes.Buffer safe for the server's goroutines and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// TestServeLogsAndShutsDownGracefully runs `portal serve` as main would, makes requests, and
// stops it the way SIGTERM does (the context is cancelled).
func TestServeLogsAndShutsDownGracefully(t *testing.T) {
	t.Parallel()
	_, dbURL := dbtest.NewWithURL(t)
	port := freePort(t)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	env := envOf(map[string]string{
		"DATABASE_URL": dbURL, "PORTAL_ADDR": addr, "PORTAL_DEMO": "true",
		"PORTAL_BASE_URL": "http://localhost:" + strconv.Itoa(port), "SMTP_PASSWORD": "hunter2-secret",
	})
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, env, &stdout, &stderr) }()

	base := "http://" + addr
	deadline := time.Now().Add(15 * time.Second)
	for {
		res, err := http.Get(base + "/healthz")
		if err == nil {
			res.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("portal did not start: %v\n%s", err, stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, p := range []string{"/readyz", "/kontakt?code=123456&lang=en", "/metrics"} {
		res, err := http.Get(base + p)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", p, res.StatusCode)
		}
		if p == "/metrics" && !strings.Contains(string(body), `portal_http_requests_total{method="GET",route="/kontakt",status="200"}`) {
			t.Errorf("/metrics lacks the request counter")
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(25 * time.Second):
		t.Fatal("serve did not stop after cancellation")
	}

	logs := stderr.String()
	if strings.Contains(logs, "hunter2-secret") || strings.Contains(logs, "123456") {
		t.Error("a secret or a query string reached the log")
	}
	found := false
	sc := bufio.NewScanner(strings.NewReader(logs))
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("log line is not JSON: %s", sc.Text())
		}
		if line["msg"] == "request" && line["path"] == "/kontakt" {
			found = true
			if id, _ := line["request_id"].(string); len(id) != 16 {
				t.Errorf("request line without request_id: %s", sc.Text())
			}
		}
	}
	if !found {
		t.Errorf("no request log line for /kontakt in:\n%s", logs)
	}
	if !strings.Contains(logs, `"msg":"stopped"`) {
		t.Error("no clean stop logged")
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"--help"}, {"serve", "--help"}, {"migrate", "--help"}, {"seed", "--help"}, {"staff", "--help"}, {"staff", "create", "--help"}} {
		var out, errOut bytes.Buffer
		if err := run(context.Background(), args, envOf(nil), &out, &errOut); err != nil {
			t.Errorf("%v: %v", args, err)
		}
		if !strings.Contains(out.String(), "Usage: portal") {
			t.Errorf("%v printed no usage: %q", args, out.String())
		}
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"frobnicate"}, envOf(nil), &out, &out); err == nil {
		t.Error("unknown command accepted")
	}
}

func TestConfigErrorsAreClear(t *testing.T) {
	t.Parallel()
	_, _, err := loadConfig(envOf(map[string]string{"SESSION_IDLE": "soon", "SMTP_TLS": "maybe"}))
	if err == nil {
		t.Fatal("bad configuration accepted")
	}
	for _, want := range []string{"DATABASE_URL is required", "SESSION_IDLE", "SMTP_TLS"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}

func TestStaffCreateAndSeed(t *testing.T) {
	t.Parallel()
	_, dbURL := dbtest.NewWithURL(t)
	env := envOf(map[string]string{"DATABASE_URL": dbURL, "PORTAL_DEMO": "false"})
	var out bytes.Buffer
	err := run(context.Background(), []string{"staff", "create", "--role", "admin", "--name", "Ada Admin", "ada@example.dk"}, env, &out, &out)
	if err != nil || !strings.Contains(out.String(), "/medarbejder/tilmeld/") {
		t.Fatalf("staff create: %v\n%s", err, out.String())
	}
	out.Reset()
	err = run(context.Background(), []string{"staff", "create", "--role", "admin", "ADA@example.dk"}, env, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("duplicate staff: %v", err)
	}
	if err := run(context.Background(), []string{"seed"}, env, &out, &out); err == nil {
		t.Error("seed ran outside demo mode")
	}
}

// TestStaffUnlock: `portal staff unlock` ends a lock before its time and writes an audit entry
// in the same transaction; an unknown address is an error.
func TestStaffUnlock(t *testing.T) {
	t.Parallel()
	pool, dbURL := dbtest.NewWithURL(t)
	env := envOf(map[string]string{"DATABASE_URL": dbURL, "PORTAL_DEMO": "false"})
	ctx := context.Background()
	var out bytes.Buffer
	if err := run(ctx, []string{"staff", "create", "--role", "admin", "ada@example.dk"}, env, &out, &out); err != nil {
		t.Fatal(err)
	}
	// Failures beyond the free ones make the address wait (LockedAt is set while it waits).
	store := staff.NewStore(pool, staff.Config{Hasher: identity.NewHasher(identity.HasherConfig{Params: identity.TestArgonParams})})
	for range 25 {
		_, _ = store.CheckPassword(ctx, "ada@example.dk", "wrong wrong wrong")
	}
	if u, err := store.ByEmail(ctx, "ada@example.dk"); err != nil || u.LockedAt == nil {
		t.Fatalf("not locked: %+v, %v", u, err)
	}
	out.Reset()
	if err := run(ctx, []string{"staff", "unlock", "ADA@example.dk"}, env, &out, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Unlocked staff user") {
		t.Errorf("output %q", out.String())
	}
	if u, _ := store.ByEmail(ctx, "ada@example.dk"); u.LockedAt != nil {
		t.Errorf("still locked until %v", u.LockedAt)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action = 'staff_unlocked'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d staff_unlocked audit entries, want 1", n)
	}
	if err := run(ctx, []string{"staff", "unlock", "nobody@example.dk"}, env, &out, &out); err == nil {
		t.Error("unlocking an unknown address is no error")
	}
}

// TestStaffEnrol: `portal staff enrol` prints a new link that replaces the earlier one, keeps
// the keys, or with --replace-keys (before or after EMAIL) removes them and ends the account's
// sessions; each link is audited as the system's; an unknown address is an error.
func TestStaffEnrol(t *testing.T) {
	t.Parallel()
	pool, dbURL := dbtest.NewWithURL(t)
	env := envOf(map[string]string{"DATABASE_URL": dbURL, "PORTAL_DEMO": "false"})
	ctx := context.Background()
	store := staff.NewStore(pool, staff.Config{Hasher: identity.NewHasher(identity.HasherConfig{Params: identity.TestArgonParams})})
	link := regexp.MustCompile(`/medarbejder/tilmeld/(\S+)`)
	enrol := func(t *testing.T, args ...string) (string, string) {
		t.Helper()
		var out bytes.Buffer
		if err := run(ctx, append([]string{"staff"}, args...), env, &out, &out); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out.String())
		}
		m := link.FindStringSubmatch(out.String())
		if m == nil {
			t.Fatalf("%v printed no link: %s", args, out.String())
		}
		return m[1], out.String()
	}
	first, _ := enrol(t, "create", "--role", "admin", "ada@example.dk")
	second, _ := enrol(t, "enrol", "ADA@example.dk")
	if _, err := store.OpenEnrolment(ctx, first); err == nil {
		t.Error("the first link still works after `staff enrol`")
	}
	e, err := store.OpenEnrolment(ctx, second)
	if err != nil {
		t.Fatalf("the printed link: %v", err)
	}
	hash, err := staff.HashNewPassword("Rullende-Kanel-Fyrskib-7", "ada@example.dk")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.CompleteEnrolment(ctx, e.Ref, hash, staff.Credential{CredentialID: []byte("key-1"), PublicKey: []byte("cose")}); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO web_session (id_hash, subject_kind, subject_id, data, expires_at)
		VALUES ('\x01', 'staff', $1, '', now() + interval '1 hour')`, e.User.ID); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"enrol", "ada@example.dk"}, {"enrol", "ada@example.dk", "--replace-keys"}, {"enrol", "--replace-keys", "ada@example.dk"}} {
		token, out := enrol(t, args...)
		if _, err := store.OpenEnrolment(ctx, token); err != nil {
			t.Errorf("%v: the printed link: %v", args, err)
		}
		u, _ := store.ByID(ctx, e.User.ID)
		var sessions int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM web_session WHERE subject_id = $1`, u.ID).Scan(&sessions); err != nil {
			t.Fatal(err)
		}
		replaced := slices.Contains(args, "--replace-keys")
		if replaced != strings.Contains(out, "Security keys and password removed") || replaced != (u.Keys == 0) || replaced != (sessions == 0) {
			t.Errorf("%v: %d keys, %d sessions afterwards; output %q", args, u.Keys, sessions, out)
		}
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action = 'staff_enrolment_issued' AND actor = 'system'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 4 {
		t.Errorf("%d staff_enrolment_issued entries by the system, want 4", n)
	}
	var out bytes.Buffer
	if err := run(ctx, []string{"staff", "enrol", "nobody@example.dk"}, env, &out, &out); err == nil || !strings.Contains(err.Error(), "no staff user") {
		t.Errorf("an unknown address: %v", err)
	}
}
