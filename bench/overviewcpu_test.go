package bench

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"mitidportal/app/apptest"
	"mitidportal/session"
)

// pgCPU sums the CPU time of the devdb postmaster and its children (scripts/devdb.sh), or is
// 0 when the database is another one (DATABASE_URL set by hand).
func pgCPU() time.Duration {
	raw, err := os.ReadFile(filepath.Join("..", ".pgdata", "data", "postmaster.pid"))
	if err != nil {
		return 0
	}
	pm, err := strconv.Atoi(strings.SplitN(string(raw), "\n", 2)[0])
	if err != nil {
		return 0
	}
	ents, _ := os.ReadDir("/proc")
	var sum time.Duration
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if ppid, cpu, err := procStat(pid); err == nil && (pid == pm || ppid == pm) {
			sum += cpu
		}
	}
	return sum
}

func cpuNow() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkOverviewCPU serves /mitid in one goroutine through App.Handler() and prints the
// portal's and PostgreSQL's CPU per request (min and median over chunks of 1,000) and the
// portal's allocations per request: figures that hold better than a throughput ratio on a
// shared machine (docs/performance.md, "Overview, second pass"). CPU_CHUNKS sets the chunks.
func BenchmarkOverviewCPU(b *testing.B) {
	env := apptest.New(b, apptest.Options{})
	m := env.NewCitizen(b)
	cookie := env.LoginAs(b, session.Subject{Kind: session.KindCitizen, ID: m.ID, Roles: []string{"citizen"},
		Level: "substantial", AuthenticatedAt: time.Now(), Name: m.Username})
	h := env.App.Handler()
	serve := func() {
		r := httptest.NewRequest(http.MethodGet, "/mitid", nil)
		r.AddCookie(cookie)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d", w.Code)
		}
	}
	for range 500 {
		serve()
	}
	chunks, _ := strconv.Atoi(os.Getenv("CPU_CHUNKS"))
	if chunks == 0 {
		chunks = 10
	}
	const per = 1000
	var portal, pg []float64
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	b.ResetTimer()
	for range chunks {
		c0, p0 := cpuNow(), pgCPU()
		for range per {
			serve()
		}
		portal = append(portal, float64((cpuNow()-c0).Microseconds())/per)
		pg = append(pg, float64((pgCPU()-p0).Microseconds())/per)
	}
	runtime.ReadMemStats(&m1)
	b.ReportMetric(float64(m1.Mallocs-m0.Mallocs)/float64(chunks*per), "allocs/req")
	sort.Float64s(portal)
	sort.Float64s(pg)
	b.Logf("portal µs/req min %.0f median %.0f; postgres µs/req min %.0f median %.0f",
		portal[0], portal[len(portal)/2], pg[0], pg[len(pg)/2])
}
