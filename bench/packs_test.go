package bench

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"mitidportal/app/apptest"
	"mitidportal/campaign"
)

// The pack of the ZIP benchmark: 40 incompressible files of 26 MB, 1.04 GB in all. They start
// with an MP4 header, so the store sniffs them as films and the ZIP stores them (as it would
// a pack's campaign films); the rest is random.
const (
	benchFiles    = 40
	benchFileSize = 26 << 20
	// bigFileSize is a film near the largest item (campaign.MaxItemSize) for the single-file
	// comparison, where the portal's fixed cost per request (reading the item's row) matters
	// less than in a 26 MB file that sendfile sends in milliseconds.
	bigFileSize = 180 << 20
)

// packFiles generates the pack's files once into a folder that later runs reuse (the same
// seed gives the same bytes) and returns their paths.
func packFiles(b *testing.B) []string {
	b.Helper()
	dir := filepath.Join(os.TempDir(), "mitidportal-bench-packs")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		b.Fatal(err)
	}
	var paths []string
	for i := range benchFiles {
		p := filepath.Join(dir, "film-"+strconv.Itoa(i)+".mp4")
		paths = append(paths, p)
		if st, err := os.Stat(p); err == nil && st.Size() == benchFileSize {
			continue
		}
		if err := writeFilm(p, uint64(i), benchFileSize); err != nil {
			b.Fatal(err)
		}
	}
	return paths
}

// bigFile generates (once) the large film of the single-file comparison.
func bigFile(b *testing.B) string {
	b.Helper()
	p := filepath.Join(os.TempDir(), "mitidportal-bench-packs", "film-big.mp4")
	if st, err := os.Stat(p); err == nil && st.Size() == bigFileSize {
		return p
	}
	if err := writeFilm(p, 1000, bigFileSize); err != nil {
		b.Fatal(err)
	}
	return p
}

func writeFilm(path string, seed uint64, size int) error {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], seed+1)
	rng := rand.NewChaCha8(key)
	f, err := os.CreateTemp(filepath.Dir(path), "tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	// An "ftyp" box: http.DetectContentType reads video/mp4.
	head := []byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom")
	buf := make([]byte, 1<<20)
	for written := 0; written < size; written += len(buf) {
		_, _ = rng.Read(buf)
		if written == 0 {
			copy(buf, head)
		}
		if _, err := f.Write(buf); err != nil {
			f.Close()
			return err
		}
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// memPeak samples the heap in use and the memory taken from the OS every few milliseconds
// until stop is called, and returns the largest growth over the values at its start.
func memPeak() (stop func() (heap, sys uint64)) {
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	baseHeap, baseSys := ms.HeapInuse, ms.Sys
	var peakHeap, peakSys atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		var m runtime.MemStats
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > baseHeap && m.HeapInuse-baseHeap > peakHeap.Load() {
				peakHeap.Store(m.HeapInuse - baseHeap)
			}
			if m.Sys > baseSys && m.Sys-baseSys > peakSys.Load() {
				peakSys.Store(m.Sys - baseSys)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	return func() (uint64, uint64) {
		close(done)
		wg.Wait()
		return peakHeap.Load(), peakSys.Load()
	}
}

// download GETs url and returns the bytes received and how long it took.
func download(b *testing.B, client *http.Client, url string) (int64, time.Duration) {
	b.Helper()
	start := time.Now()
	res, err := client.Get(url)
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b.Fatalf("%s: status %d", url, res.StatusCode)
	}
	// A large buffer, and no io.Discard.ReadFrom (8 kB reads): the client costs the portal's
	// route and the baselines the same, and as little as it can.
	n, err := io.CopyBuffer(struct{ io.Writer }{io.Discard}, struct{ io.Reader }{res.Body}, make([]byte, 256<<10))
	if err != nil {
		b.Fatal(err)
	}
	return n, time.Since(start)
}

func mbps(n int64, d time.Duration) float64 { return float64(n) / (1 << 20) / d.Seconds() }

// BenchmarkPackDownloads streams a pack of 1 GB as one ZIP through the portal over a real
// HTTP connection and compares its throughput with reading the same files raw from disk in
// this process, printing the peak memory growth while it streams; and compares a single
// file's download with http.ServeContent of the same file without the portal's middleware.
func BenchmarkPackDownloads(b *testing.B) {
	paths := packFiles(b)
	env := apptest.New(b, apptest.Options{})
	ctx := context.Background()
	packs := campaign.NewPacks(env.App.Pool, env.App.Packs.Store(), campaign.PackHooks{
		Audit: func(context.Context, pgx.Tx, campaign.PackEvent) error { return nil }})
	pk, err := packs.CreatePack(ctx, 1, campaign.NewPack{Slug: "film", Audience: campaign.AudiencePrivate,
		TitleDA: "Film", TitleEN: "Films"})
	if err != nil {
		b.Fatal(err)
	}
	var first campaign.Item
	for i, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			b.Fatal(err)
		}
		it, err := packs.CreateItem(ctx, 1, campaign.NewItem{PackID: pk.ID, Kind: campaign.ItemFilmGuide,
			Audience: campaign.ForCitizens, Lang: "da", Title: "Film " + strconv.Itoa(i), Visibility: campaign.VisiblePublic},
			campaign.Upload{Filename: filepath.Base(p), Body: f})
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		if err := packs.Publish(ctx, 1, it.ID, time.Now().Add(-time.Minute)); err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			first = it
		}
	}
	// The large film lives in a pack of its own, so the ZIP stays the 40 files.
	pkBig, err := packs.CreatePack(ctx, 1, campaign.NewPack{Slug: "stor", Audience: campaign.AudiencePrivate,
		TitleDA: "Stor film", TitleEN: "Big film"})
	if err != nil {
		b.Fatal(err)
	}
	big := bigFile(b)
	bf, err := os.Open(big)
	if err != nil {
		b.Fatal(err)
	}
	bigItem, err := packs.CreateItem(ctx, 1, campaign.NewItem{PackID: pkBig.ID, Kind: campaign.ItemFilmGuide,
		Audience: campaign.ForCitizens, Lang: "da", Title: "Stor film", Visibility: campaign.VisiblePublic},
		campaign.Upload{Filename: "stor-film.mp4", Body: bf})
	bf.Close()
	if err != nil {
		b.Fatal(err)
	}
	if err := packs.Publish(ctx, 1, bigItem.ID, time.Now().Add(-time.Minute)); err != nil {
		b.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	buf := make([]byte, 64<<10)
	for range b.N {
		// Warm every path (page cache, connections) once. Then each is measured in turn, a
		// few rounds, and its best round counts: the machine is shared, and the best round is
		// the one least disturbed by others.
		download(b, client, env.URL+"/kommunikation/film/zip")
		plainAll := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// The same files as they are over plain HTTP on the same loopback: the transport's
			// ceiling on this machine, which tells the ZIP's own cost from the connection's.
			for _, p := range paths {
				f, err := os.Open(p)
				if err != nil {
					panic(http.ErrAbortHandler)
				}
				_, err = io.CopyBuffer(struct{ io.Writer }{w}, f, buf)
				f.Close()
				if err != nil {
					panic(http.ErrAbortHandler)
				}
			}
		}))
		const zipRounds = 3
		var raw, zipped, plainN int64
		rawTime, zipTime, plainT := time.Duration(1<<62), time.Duration(1<<62), time.Duration(1<<62)
		var inN int64
		inT := time.Duration(1 << 62)
		var heap, sys uint64
		for range zipRounds {
			rawStart := time.Now()
			raw = 0
			for _, p := range paths {
				f, err := os.Open(p)
				if err != nil {
					b.Fatal(err)
				}
				n, err := io.CopyBuffer(struct{ io.Writer }{io.Discard}, f, buf)
				f.Close()
				if err != nil {
					b.Fatal(err)
				}
				raw += n
			}
			rawTime = min(rawTime, time.Since(rawStart))

			stop := memPeak()
			n, d := download(b, client, env.URL+"/kommunikation/film/zip")
			h, s := stop()
			zipped, zipTime, heap, sys = n, min(zipTime, d), max(heap, h), max(sys, s)

			n, d = download(b, client, plainAll.URL)
			plainN, plainT = n, min(plainT, d)

			// The same ZIP through the portal's whole handler (middleware, route, visibility,
			// ZIP) into a writer that drops it: the ZIP's own cost against the raw read, with
			// no loopback connection on either side.
			w := &discardWriter{header: http.Header{}}
			inStart := time.Now()
			env.App.Handler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/kommunikation/film/zip", nil))
			if w.code != 0 && w.code != http.StatusOK {
				b.Fatalf("in-process ZIP answered %d", w.code)
			}
			inN, inT = w.n, min(inT, time.Since(inStart))
		}
		plainAll.Close()
		if zipped < raw {
			b.Fatalf("ZIP of %d bytes, files of %d", zipped, raw)
		}
		fmt.Printf("pack ZIP: %d files, %.2f GB in %v; raw read of the files: %v (best of %d)\n", len(paths),
			float64(zipped)/(1<<30), zipTime.Round(time.Millisecond), rawTime.Round(time.Millisecond), zipRounds)
		figure("zip_peak_heap_growth", float64(heap)/(1<<20), "MB", "<20MB", heap < 20<<20)
		figure("zip_peak_sys_growth", float64(sys)/(1<<20), "MB", "<20MB", sys < 20<<20)
		figure("zip_throughput", mbps(zipped, zipTime), "MB/s", "-", true)
		figure("raw_read_throughput", mbps(raw, rawTime), "MB/s", "-", true)
		figure("raw_over_plain_http_throughput", mbps(plainN, plainT), "MB/s", "-", true)
		figure("zip_vs_plain_http_ratio", mbps(zipped, zipTime)/mbps(plainN, plainT), "", "-", true)
		// Over the loopback connection, against the raw read: bounded by the connection here
		// (compare raw_over_plain_http_throughput), so printed without a target.
		figure("zip_http_vs_raw_ratio", mbps(zipped, zipTime)/mbps(raw, rawTime), "", "-", true)
		if inN != zipped {
			b.Fatalf("in-process ZIP of %d bytes, over HTTP %d", inN, zipped)
		}
		figure("zip_in_process_throughput", mbps(inN, inT), "MB/s", "-", true)
		ratio := mbps(inN, inT) / mbps(raw, rawTime)
		figure("zip_vs_raw_ratio", ratio, "", ">=0.8", ratio >= 0.8)

		// One file: the portal's route against http.ServeContent of the same file with no
		// middleware, alternately, best of several rounds each; a 26 MB file of the pack and
		// the large film.
		singles := []struct {
			name string
			path string
			id   int64
		}{{"file", paths[0], first.ID}, {"big_file", big, bigItem.ID}}
		for _, sf := range singles {
			plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				f, err := os.Open(sf.path)
				if err != nil {
					http.Error(w, err.Error(), http.StatusInternalServerError)
					return
				}
				defer f.Close()
				http.ServeContent(w, r, "", time.Time{}, f)
			}))
			const rounds = 30 // a 26 MB download takes milliseconds: many rounds, so the best is not luck
			var portalBytes, plainBytes int64
			portalTime, plainTime := time.Duration(1<<62), time.Duration(1<<62)
			fileURL := env.URL + "/kommunikation/fil/" + strconv.FormatInt(sf.id, 10)
			download(b, client, fileURL)
			download(b, client, plain.URL)
			for range rounds {
				n, d := download(b, client, fileURL)
				portalBytes, portalTime = n, min(portalTime, d)
				n, d = download(b, client, plain.URL)
				plainBytes, plainTime = n, min(plainTime, d)
			}
			plain.Close()
			fmt.Printf("%s: %.0f MB, portal %v, http.ServeContent %v (best of %d)\n", sf.name,
				float64(portalBytes)/(1<<20), portalTime.Round(time.Microsecond), plainTime.Round(time.Microsecond), rounds)
			figure(sf.name+"_throughput", mbps(portalBytes, portalTime), "MB/s", "-", true)
			figure(sf.name+"_servecontent_throughput", mbps(plainBytes, plainTime), "MB/s", "-", true)
			fratio := mbps(portalBytes, portalTime) / mbps(plainBytes, plainTime)
			if sf.name == "big_file" {
				figure(sf.name+"_vs_servecontent_ratio", fratio, "", ">=0.8", fratio >= 0.8)
			} else {
				// A 26 MB file goes out in a few milliseconds over loopback, so the portal's fixed
				// cost per request (session, the item's visibility query: about a millisecond) is
				// a fifth of it: printed, the throughput target is the large file's.
				figure(sf.name+"_vs_servecontent_ratio", fratio, "", "-", true)
			}
		}
		b.ReportMetric(mbps(zipped, zipTime), "zip-MB/s")
		b.ReportMetric(float64(heap)/(1<<20), "zip-heap-MB")
	}
}

// discardWriter is an http.ResponseWriter that counts what it is given and keeps none of it.
type discardWriter struct {
	header http.Header
	code   int
	n      int64
}

func (w *discardWriter) Header() http.Header { return w.header }

func (w *discardWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}

func (w *discardWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}
