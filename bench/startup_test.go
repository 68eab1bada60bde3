package bench

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"mitidportal/db/dbtest"
)

// Start-up and memory targets of issue 13 (item 7).
const (
	readyTarget     = time.Second
	idleRSSTargetMB = 50
	rssGrowthMax    = 1.10 // the last load round's RSS against the second's
	loadRounds      = 5
)

// BenchmarkStartup builds bin/portal, starts it as its own process against a fresh migrated
// database (dbtest's template clone, so no migration runs), and measures the time from start
// until /readyz answers 200, the idle RSS after a short settle, and the RSS after each of
// several load rounds: it must not grow once the first rounds have warmed the caches.
func BenchmarkStartup(b *testing.B) {
	bin, err := filepath.Abs("../bin/portal")
	if err != nil {
		b.Fatal(err)
	}
	build := exec.Command("go", "build", "-o", bin, "mitidportal/cmd/portal")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	_, dbURL := dbtest.NewWithURL(b)
	port := freePort(b)
	base := "http://localhost:" + strconv.Itoa(port)

	cmd := exec.Command(bin, "serve")
	var stderr bytes.Buffer
	cmd.Stderr, cmd.Stdout = &stderr, &stderr
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL, "PORTAL_ADDR=127.0.0.1:"+strconv.Itoa(port),
		"PORTAL_BASE_URL="+base, "PORTAL_DEMO=true", "LOG_LEVEL=warn")
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(25 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	ready, err := waitReady(base+"/readyz", 30*time.Second)
	if err != nil {
		b.Fatalf("%v; the portal said:\n%s", err, stderr.String())
	}
	startup := ready.Sub(start)
	// The CPU the process used until ready, beside the wall time: on a loaded machine the
	// wall time mostly measures waiting for a core.
	startCPU, _ := cpuTime(cmd.Process.Pid)

	time.Sleep(2 * time.Second) // the start-up jobs run and the first GC cycles settle
	idle, err := rssMB(cmd.Process.Pid)
	if err != nil {
		b.Fatal(err)
	}
	// What the idle RSS is made of, for reading the figure: anonymous memory (Go's heap,
	// stacks, runtime) against pages of the binary mapped from the file, which are clean and
	// vary with the page cache; and the Go heap in use by /metrics (demo mode serves it).
	anon, file, _ := rssSplitMB(cmd.Process.Pid)
	heap := metricMB(base+"/metrics", "go_memstats_heap_inuse_bytes")

	dur := 2 * time.Second
	if v, err := time.ParseDuration(os.Getenv("BENCH_DURATION")); err == nil {
		dur = v
	}
	rss := make([]float64, loadRounds)
	for i := range rss {
		for _, path := range []string{"/", "/kontakt", "/privatliv"} {
			if _, _, _, err := load(base+path, nil, 16, dur/3); err != nil {
				b.Fatalf("load round %d on %s: %v", i+1, path, err)
			}
		}
		time.Sleep(time.Second)
		if rss[i], err = rssMB(cmd.Process.Pid); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()

	fmt.Printf("\nstart-up and memory of bin/portal (pid %d): ready after %v, idle RSS %.1f MB\n",
		cmd.Process.Pid, startup.Round(time.Millisecond), idle)
	fmt.Printf("  CPU (user+sys) until ready: %v\n", startCPU)
	fmt.Printf("  idle RSS: %.1f MB anonymous, %.1f MB file-backed (the binary); Go heap in use %.1f MB\n",
		anon, file, heap)
	for i, v := range rss {
		fmt.Printf("  RSS after load round %d: %.1f MB\n", i+1, v)
	}
	figure("startup_to_ready", float64(startup.Milliseconds()), "ms",
		"<="+strconv.Itoa(int(readyTarget.Milliseconds()))+"ms", startup <= readyTarget)
	figure("idle_rss", round1(idle), "MB", "<="+strconv.Itoa(idleRSSTargetMB)+"MB", idle <= idleRSSTargetMB)
	atMost("rss_growth_round2_to_last", round1(rss[len(rss)-1]), round1(rss[1]), "MB", rssGrowthMax)
}

func round1(f float64) float64 { return float64(int(f*10+0.5)) / 10 }

// freePort is a loopback port nobody listens on now.
func freePort(b *testing.B) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// waitReady polls url until it answers 200 and returns when it did.
func waitReady(url string, limit time.Duration) (time.Time, error) {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		res, err := client.Get(url)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return time.Now(), nil
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	return time.Time{}, fmt.Errorf("%s did not answer 200 within %v", url, limit)
}

// rssMB is the process's resident set size (VmRSS) in MB.
func rssMB(pid int) (float64, error) { return statusMB(pid, "VmRSS") }

// rssSplitMB is the resident set's anonymous and file-backed parts in MB (RssAnon, RssFile).
func rssSplitMB(pid int) (anon, file float64, err error) {
	if anon, err = statusMB(pid, "RssAnon"); err != nil {
		return 0, 0, err
	}
	file, err = statusMB(pid, "RssFile")
	return anon, file, err
}

// cpuTime is the user and system CPU time the process has used (/proc/PID/stat, in clock
// ticks of 10 ms: the USER_HZ of Linux on every architecture Go supports but alpha and ia64).
func cpuTime(pid int) (time.Duration, error) {
	_, cpu, err := procStat(pid)
	return cpu, err
}

// procStat reads /proc/PID/stat: the parent's pid and the user and system time so far.
func procStat(pid int) (ppid int, cpu time.Duration, err error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, err
	}
	// The command name in parentheses may hold spaces; the fields after it are numbers.
	_, rest, _ := strings.Cut(string(raw), ") ")
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0, 0, fmt.Errorf("/proc/%d/stat: %q", pid, raw)
	}
	ppid, err0 := strconv.Atoi(f[1])
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err0, err1, err2); err != nil {
		return 0, 0, err
	}
	return ppid, time.Duration(utime+stime) * 10 * time.Millisecond, nil
}

// statusMB is one kB field of /proc/PID/status in MB.
func statusMB(pid int, field string) (float64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			if err != nil {
				return 0, fmt.Errorf("%s %q: %w", field, rest, err)
			}
			return kb / 1024, nil
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}

// metricMB is a gauge of the portal's /metrics in MB, or -1 when it cannot be read: it only
// explains the figures, so a missing one does not stop the benchmark.
func metricMB(url, name string) float64 {
	res, err := http.Get(url)
	if err != nil {
		return -1
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			if v, err := strconv.ParseFloat(rest, 64); err == nil {
				return v / (1 << 20)
			}
		}
	}
	return -1
}
