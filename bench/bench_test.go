// Package bench measures the portal's throughput against a raw net/http baseline served in the
// same process, over real loopback HTTP, and prints figures and ratios. Run it with `make bench`;
// it is a benchmark, never a timed unit test.
package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"text/tabwriter"
	"time"

	"mitidportal/app/apptest"
	"mitidportal/session"
)

// load sends GETs to url from conc goroutines for d and returns requests per second and the
// 50th and 99th percentile latency.
func load(url string, cookie *http.Cookie, conc int, d time.Duration) (rps float64, p50, p99 time.Duration, err error) {
	var r run
	if err := r.add(url, cookie, conc, d); err != nil && r.n == 0 {
		return 0, 0, 0, err
	}
	return r.rps(), r.pct(50), r.pct(99), err
}

// run accumulates the requests of one side of a comparison over several slices of time.
type run struct {
	n       int64
	elapsed time.Duration
	lat     []time.Duration
	sorted  bool
}

func (r *run) rps() float64 { return float64(r.n) / r.elapsed.Seconds() }

// pct is the p-th percentile latency.
func (r *run) pct(p int) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	if !r.sorted {
		sort.Slice(r.lat, func(i, j int) bool { return r.lat[i] < r.lat[j] })
		r.sorted = true
	}
	return r.lat[len(r.lat)*p/100]
}

// add sends GETs to url from conc goroutines for d and adds what completed to r.
func (r *run) add(url string, cookie *http.Cookie, conc int, d time.Duration) error {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conc, MaxConnsPerHost: conc}}
	defer client.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var (
		n     atomic.Int64
		mu    sync.Mutex
		first error
		wg    sync.WaitGroup
	)
	start := time.Now()
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, 4096)
			for ctx.Err() == nil {
				req, _ := http.NewRequest(http.MethodGet, url, nil)
				if cookie != nil {
					req.AddCookie(cookie)
				}
				t0 := time.Now()
				res, err := client.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						mu.Lock()
						first = err
						mu.Unlock()
					}
					break
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					mu.Lock()
					first = fmt.Errorf("%s: status %d", url, res.StatusCode)
					mu.Unlock()
					break
				}
				local = append(local, time.Since(t0))
				n.Add(1)
			}
			mu.Lock()
			r.lat = append(r.lat, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	r.elapsed += time.Since(start)
	r.n += n.Load()
	r.sorted = false
	if r.n == 0 {
		return fmt.Errorf("no request completed: %v", first)
	}
	return first
}

// turns is how many turns the portal and its raw baseline take in a comparison: the machine's
// load drifts during a run (other work shares the cores), and alternating short turns puts both
// sides under the same drift, so their ratio holds where one long turn each would not.
const turns = 6

// compare loads the raw baseline and the portal in alternating turns for d in total each, after
// a short warm-up of the portal (its pool's connections, the page's caches, the heap's size).
func compare(b *testing.B, rawURL, url string, cookie *http.Cookie, conc int, d time.Duration) (raw, portal run) {
	if _, _, _, err := load(url, cookie, conc, d/turns); err != nil {
		b.Fatal(err)
	}
	for range turns {
		if err := raw.add(rawURL, cookie, conc, d/turns); err != nil {
			b.Fatal(err)
		}
		if err := portal.add(url, cookie, conc, d/turns); err != nil {
			b.Fatal(err)
		}
	}
	return raw, portal
}

// rawServer serves body the plainest way net/http can: the baseline every page is held to.
func rawServer(body []byte) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(body)
	}))
}

func benchDuration() time.Duration {
	if v, err := time.ParseDuration(os.Getenv("BENCH_DURATION")); err == nil {
		return v
	}
	return 3 * time.Second
}

// BenchmarkPages compares public pages of the portal with a plain net/http handler that writes
// a page of the same size, in alternating turns (compare), and prints the page figures of issue
// 13's table: the front page and the contact page at 0.6x raw or better, and the front page's
// p99 latency at 64 connections at most 3x raw. Run with -benchtime 1x: each measurement runs
// for a fixed time (BENCH_DURATION, 3s by default).
func BenchmarkPages(b *testing.B) {
	env := apptest.New(b, apptest.Options{})
	dur := benchDuration()
	const conc = 64
	pages := []struct {
		name, path, figure string
		min                float64
	}{
		{"front page", "/", "front_page_rps", 0.6},
		{"contact", "/kontakt", "contact_rps", 0.6},
		{"privacy", "/privatliv", "", 0},
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "page\tbytes\tbaseline req/s\tportal req/s\tratio\tp50\tp99\tbaseline p99\theap MiB\t\n")
	type summary struct {
		name                 string
		value, baseline, min float64
		latency              bool
	}
	var figures []summary
	for range b.N {
		for _, p := range pages {
			body := fetch(b, env.URL+p.path)
			raw := rawServer(body)
			base, port := compare(b, raw.URL, env.URL+p.path, nil, conc, dur)
			raw.Close()
			var mem runtime.MemStats
			runtime.ReadMemStats(&mem)
			fmt.Fprintf(w, "%s\t%d\t%.0f\t%.0f\t%.2f\t%s\t%s\t%s\t%.1f\t\n", p.name, len(body), base.rps(), port.rps(),
				port.rps()/base.rps(), port.pct(50).Round(10*time.Microsecond), port.pct(99).Round(10*time.Microsecond),
				base.pct(99).Round(10*time.Microsecond), float64(mem.HeapInuse)/(1<<20))
			b.ReportMetric(port.rps(), strings.ReplaceAll(p.name, " ", "_")+"-req/s")
			if p.figure != "" {
				figures = append(figures, summary{name: p.figure, value: port.rps(), baseline: base.rps(), min: p.min})
			}
			if p.path == "/" {
				figures = append(figures, summary{name: "public_page_p99", value: ms(port.pct(99)), baseline: ms(base.pct(99)),
					min: 3, latency: true})
			}
		}
	}
	w.Flush()
	for _, f := range figures {
		if f.latency {
			atMost(f.name, f.value, f.baseline, "ms", f.min)
		} else {
			atLeast(f.name, f.value, f.baseline, "req/s", f.min)
		}
	}
}

func fetch(b *testing.B, url string) []byte {
	res, err := http.Get(url)
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	var buf bytes.Buffer
	_, _ = io.Copy(&buf, res.Body)
	return buf.Bytes()
}

// BenchmarkOverview measures the logged-in self-service overview (/mitid): session load,
// the MitID, its means and the letter box from PostgreSQL, and the page, against a raw handler
// writing the same bytes, in alternating turns; the target is 0.3x raw.
func BenchmarkOverview(b *testing.B) {
	env := apptest.New(b, apptest.Options{})
	dur := benchDuration()
	const conc = 64
	m := env.NewCitizen(b)
	cookie := env.LoginAs(b, session.Subject{Kind: session.KindCitizen, ID: m.ID, Roles: []string{"citizen"},
		Level: "substantial", AuthenticatedAt: time.Now(), Name: m.Username})
	url := env.URL + "/mitid"
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "page\tbytes\tbaseline req/s\tportal req/s\tratio\tp50\tp99\tbaseline p99\theap MiB\t\n")
	var base, port run
	for range b.N {
		body := fetchWith(b, url, cookie)
		raw := rawServer(body)
		base, port = compare(b, raw.URL, url, cookie, conc, dur)
		raw.Close()
		var mem runtime.MemStats
		runtime.ReadMemStats(&mem)
		fmt.Fprintf(w, "%s\t%d\t%.0f\t%.0f\t%.2f\t%s\t%s\t%s\t%.1f\t\n", "overview (logged in)", len(body), base.rps(), port.rps(),
			port.rps()/base.rps(), port.pct(50).Round(10*time.Microsecond), port.pct(99).Round(10*time.Microsecond),
			base.pct(99).Round(10*time.Microsecond), float64(mem.HeapInuse)/(1<<20))
		b.ReportMetric(port.rps(), "overview-req/s")
	}
	w.Flush()
	atLeast("overview_rps", port.rps(), base.rps(), "req/s", 0.3)
}

func fetchWith(b *testing.B, url string, cookie *http.Cookie) []byte {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.AddCookie(cookie)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b.Fatalf("%s: status %d", url, res.StatusCode)
	}
	var buf bytes.Buffer
	_, _ = io.Copy(&buf, res.Body)
	return buf.Bytes()
}
