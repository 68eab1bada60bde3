package scaleout

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"mitidportal/identity"
)

// balancer is the load balancer's part: it sends requests only to instances whose /readyz
// answered 200 when last asked (every 50 ms), round robin.
type balancer struct {
	instances []*instance
	ready     []atomic.Bool
	sawDrain  []atomic.Bool // the instance answered /readyz 503 while its process still ran
	next      atomic.Uint64
}

func (lb *balancer) check(ctx context.Context) {
	probe := &http.Client{Timeout: 500 * time.Millisecond}
	for {
		for i, in := range lb.instances {
			res, err := probe.Get(in.url + "/readyz")
			ok := err == nil && res.StatusCode == http.StatusOK
			if err == nil {
				if res.StatusCode == http.StatusServiceUnavailable {
					lb.sawDrain[i].Store(true)
				}
				res.Body.Close()
			}
			lb.ready[i].Store(ok)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// pick returns the next ready instance, or -1.
func (lb *balancer) pick() int {
	for range lb.instances {
		i := int(lb.next.Add(1) % uint64(len(lb.instances)))
		if lb.ready[i].Load() {
			return i
		}
	}
	return -1
}

// tally counts the outcomes of the load's requests.
type tally struct {
	ok       []atomic.Int64 // 200 responses per instance
	refused  atomic.Int64   // connection refused at connect: never accepted
	mu       sync.Mutex
	failures []string
}

func (l *tally) fail(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.failures) < 20 {
		l.failures = append(l.failures, fmt.Sprintf(format, args...))
	}
}

// get sends one request on the worker's own keep-alive client. A failed request is any answer
// but 200, any error once a connection was had, and a request the transport sent twice (Go's
// transport silently repeats a GET whose reused connection the server closed; the load retries
// nothing, so that counts as a failure too). A refused connection is only counted: the
// balancer may still have sent one connection to an instance that has just closed its
// listener, and a real one would try the next instance.
func (l *tally) get(hc *http.Client, in *instance, i int) {
	conns := 0
	trace := &httptrace.ClientTrace{GotConn: func(httptrace.GotConnInfo) { conns++ }}
	req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace),
		http.MethodGet, in.url+"/", nil)
	res, err := hc.Do(req)
	if err != nil {
		if conns == 0 && errors.Is(err, syscall.ECONNREFUSED) {
			l.refused.Add(1)
			return
		}
		l.fail("GET / on %s: %v (connections: %d)", in.name, err, conns)
		return
	}
	_, err = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	switch {
	case err != nil:
		l.fail("GET / on %s: reading the body: %v", in.name, err)
	case res.StatusCode != http.StatusOK:
		l.fail("GET / on %s: %d", in.name, res.StatusCode)
	case conns > 1:
		l.fail("GET / on %s: sent %d times by the transport", in.name, conns)
	default:
		l.ok[i].Add(1)
	}
}

func (c *cluster) testSIGTERM(t *testing.T) {
	a := c.instances[0]
	// Citizens made (and their creation mails delivered) before the SMTP server slows down.
	var browsers []*client
	for range 20 {
		browsers = append(browsers, c.login(t, c.newCitizen(t)))
	}
	c.waitMailQuiet(t)

	lb := &balancer{instances: c.instances, ready: make([]atomic.Bool, 3), sawDrain: make([]atomic.Bool, 3)}
	for i := range lb.ready {
		lb.ready[i].Store(true)
	}
	counts := &tally{ok: make([]atomic.Int64, 3)}
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { lb.check(ctx) })
	for range 4 {
		wg.Go(func() {
			hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 2}}
			defer hc.CloseIdleConnections()
			for ctx.Err() == nil {
				if i := lb.pick(); i >= 0 {
					counts.get(hc, c.instances[i], i)
				}
				// Steady, not flat out: a few hundred requests a second keep every
				// keep-alive connection busy without taking the machine's CPU.
				time.Sleep(2 * time.Millisecond)
			}
		})
	}
	defer func() { stop(); wg.Wait() }()

	// Mail deliveries in flight on A when it gets SIGTERM: the SMTP server holds every answer
	// for 2 s, and citizens block their MitID on A until A's job queue runs one of the mails.
	c.smtp.SetDelay(2 * time.Second)
	defer c.smtp.SetDelay(0)
	runningOnA := func() []int64 {
		rows, err := c.pool.Query(context.Background(), `SELECT id FROM river_job
			WHERE kind = 'mail_send' AND state = 'running' AND attempted_by[array_upper(attempted_by, 1)] = $1`, a.clientID)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		return ids
	}
	var inFlight []int64
	for _, b := range browsers {
		form := url.Values{"reason": {string(identity.BlockChoices[0])}, "csrf_token": {csrfToken}}
		if st, _, _ := b.do(t, a, http.MethodPost, "/mitid/spaer", form); st != http.StatusOK {
			t.Fatalf("block on A: %d", st)
		}
		deadline := time.Now().Add(300 * time.Millisecond)
		for len(inFlight) == 0 && time.Now().Before(deadline) {
			inFlight = runningOnA()
			time.Sleep(20 * time.Millisecond)
		}
		if len(inFlight) > 0 {
			break
		}
	}
	if len(inFlight) == 0 {
		t.Fatalf("A's job queue ran none of the %d block notifications", len(browsers))
	}

	okBefore := counts.ok[0].Load()
	sent := time.Now()
	if err := a.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-a.done:
	case <-time.After(drainTime + 25*time.Second):
		t.Fatalf("A did not exit within its drain and shutdown timeout")
	}
	took := time.Since(sent)
	// The other two carry the load on after A is gone.
	okOthers := counts.ok[1].Load() + counts.ok[2].Load()
	poll(t, 10*time.Second, "more requests served by B and C", func() bool {
		return counts.ok[1].Load()+counts.ok[2].Load() > okOthers+20
	})
	stop()
	wg.Wait()

	if a.err != nil {
		t.Errorf("A exited with %v after SIGTERM, want 0", a.err)
	}
	log := a.log.String()
	for _, line := range []string{`"msg":"shutting down"`, `"msg":"River client stopped"`, `"msg":"stopped"`} {
		if !strings.Contains(log, line) {
			t.Errorf("A's log has no %s", line)
		}
	}
	// A clean stop: nothing went wrong on the way down.
	_, down, _ := strings.Cut(log, `"msg":"shutting down"`)
	for _, level := range []string{`"level":"WARN"`, `"level":"ERROR"`} {
		if strings.Contains(down, level) {
			t.Errorf("A logged %s while stopping", level)
		}
	}
	if !lb.sawDrain[0].Load() {
		t.Errorf("A's /readyz never answered 503 during its drain")
	}
	t.Logf("A stopped %s after SIGTERM; requests: %d/%d/%d answered 200 by A/B/C (A: %d after SIGTERM), %d refused at connect, %d failed",
		took.Round(time.Millisecond), counts.ok[0].Load(), counts.ok[1].Load(), counts.ok[2].Load(),
		counts.ok[0].Load()-okBefore, counts.refused.Load(), len(counts.failures))
	for _, f := range counts.failures {
		t.Errorf("failed request: %s", f)
	}
	// A finished the deliveries it was running: the jobs completed, none is left running or
	// was cut off to be retried (which would send the mail again).
	for _, id := range inFlight {
		var state string
		if err := c.pool.QueryRow(context.Background(), `SELECT state FROM river_job WHERE id = $1`, id).Scan(&state); err != nil {
			t.Fatal(err)
		}
		if state != "completed" {
			t.Errorf("mail job %d that A was running at SIGTERM is %s, want completed", id, state)
		}
	}
	if n := c.count(t, `SELECT count(*) FROM river_job WHERE state = 'running'
		AND attempted_by[array_upper(attempted_by, 1)] = $1`, a.clientID); n != 0 {
		t.Errorf("%d jobs stuck running on the stopped A", n)
	}
	c.smtp.SetDelay(0)
	c.checkMailOnce(t)
}
