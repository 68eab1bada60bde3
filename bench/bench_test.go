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
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conc, MaxConnsPerHost: conc}}
	defer client.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var (
		n     atomic.Int64
		mu    sync.Mutex
		lat   []time.Duration
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
			lat = append(lat, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if len(lat) == 0 {
		return 0, 0, 0, fmt.Errorf("no request completed: %v", first)
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return float64(n.Load()) / elapsed.Seconds(), lat[len(lat)/2], lat[len(lat)*99/100], first
}

// BenchmarkPages compares public pages of the portal with a plain net/http handler that writes
// a page of the same size. Run with -benchtime 1x: each measurement runs for a fixed time.
func BenchmarkPages(b *testing.B) {
	env := apptest.New(b, apptest.Options{})
	dur := 3 * time.Second
	if v, err := time.ParseDuration(os.Getenv("BENCH_DURATION")); err == nil {
		dur = v
	}
	const conc = 64
	pages := []struct{ name, path string }{
		{"front page", "/"},
		{"contact", "/kontakt"},
		{"privacy", "/privatliv"},
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "page\tbytes\tbaseline req/s\tportal req/s\tratio\tp50\tp99\theap MiB\t\n")
	for range b.N {
		for _, p := range pages {
			body := fetch(b, env.URL+p.path)
			raw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				_, _ = w.Write(body)
			}))
			baseRPS, _, _, err := load(raw.URL, nil, conc, dur)
			raw.Close()
			if err != nil {
				b.Fatal(err)
			}
			rps, p50, p99, err := load(env.URL+p.path, nil, conc, dur)
			if err != nil {
				b.Fatal(err)
			}
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			fmt.Fprintf(w, "%s\t%d\t%.0f\t%.0f\t%.2f\t%s\t%s\t%.1f\t\n", p.name, len(body), baseRPS, rps, rps/baseRPS,
				p50.Round(10*time.Microsecond), p99.Round(10*time.Microsecond), float64(ms.HeapInuse)/(1<<20))
			b.ReportMetric(rps, strings.ReplaceAll(p.name, " ", "_")+"-req/s")
		}
	}
	w.Flush()
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
// writing the same bytes. No target yet (issue 3 asks for the figure).
func BenchmarkOverview(b *testing.B) {
	env := apptest.New(b, apptest.Options{})
	dur := 3 * time.Second
	if v, err := time.ParseDuration(os.Getenv("BENCH_DURATION")); err == nil {
		dur = v
	}
	const conc = 64
	m := env.NewCitizen(b)
	cookie := env.LoginAs(b, session.Subject{Kind: session.KindCitizen, ID: m.ID, Roles: []string{"citizen"},
		Level: "substantial", AuthenticatedAt: time.Now(), Name: m.Username})
	url := env.URL + "/mitid"
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "page\tbytes\tbaseline req/s\tportal req/s\tratio\tp50\tp99\theap MiB\t\n")
	for range b.N {
		body := fetchWith(b, url, cookie)
		raw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write(body)
		}))
		baseRPS, _, _, err := load(raw.URL, cookie, conc, dur)
		raw.Close()
		if err != nil {
			b.Fatal(err)
		}
		rps, p50, p99, err := load(url, cookie, conc, dur)
		if err != nil {
			b.Fatal(err)
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		fmt.Fprintf(w, "%s\t%d\t%.0f\t%.0f\t%.2f\t%s\t%s\t%.1f\t\n", "overview (logged in)", len(body), baseRPS, rps, rps/baseRPS,
			p50.Round(10*time.Microsecond), p99.Round(10*time.Microsecond), float64(ms.HeapInuse)/(1<<20))
		b.ReportMetric(rps, "overview-req/s")
	}
	w.Flush()
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
