package resilience_test

import (
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"mitidportal/app/apptest"
)

// result is one request of the load and what it got.
type result struct {
	What       string // "GET /mitid", "POST reply", ...
	Lang       string
	Start, End time.Time
	Status     int    // 0: no answer at all
	Err        string // the transport error when Status is 0
	RetryAfter string
	Body       string // kept for answers of 500 and more
}

// ok is an answer of success: a page or the redirect that acknowledges a form.
func (r result) ok() bool { return r.Status >= 200 && r.Status < 400 }

// load is a few visitors of the portal at once: an anonymous one on public pages, a logged-in
// citizen reading her pages, the same citizen writing replies on her case (each a write the
// portal acknowledges with 303), and a load balancer asking /readyz.
type load struct {
	base   string
	client *http.Client
	ref    string // the citizen's case

	mu      sync.Mutex
	results []result
	acked   []string // the bodies of replies answered with 303
	next    int

	stop     chan struct{}
	stopOnce sync.Once
	done     sync.WaitGroup
}

// startLoad starts the visitors; Stop ends them.
func startLoad(t *testing.T, env *apptest.Env, cookie *http.Cookie, ref string) *load {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(env.URL)
	jar.SetCookies(u, []*http.Cookie{cookie})
	l := &load{base: env.URL, ref: ref, stop: make(chan struct{}), client: &http.Client{
		Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	anonymous := &http.Client{Timeout: 20 * time.Second}
	l.visitor(func(i int) result { return l.get(anonymous, "/", lang(i)) })
	l.visitor(func(i int) result { return l.get(anonymous, "/kontakt", lang(i)) })
	l.visitor(func(i int) result {
		if i%2 == 0 {
			return l.get(l.client, "/mitid", lang(i))
		}
		return l.get(l.client, "/mitid/sager/"+ref, lang(i))
	})
	l.visitor(func(i int) result { return l.reply(lang(i)) })
	l.visitor(func(i int) result { return l.get(anonymous, "/readyz", "") })
	return l
}

func lang(i int) string { return [2]string{"da", "en"}[i%2] }

// pace is the pause between one visitor's requests: enough load to keep every part busy
// across the fault, little enough for a machine shared with other tests.
const pace = 10 * time.Millisecond

func (l *load) visitor(request func(i int) result) {
	l.done.Add(1)
	go func() {
		defer l.done.Done()
		tick := time.NewTicker(pace)
		defer tick.Stop()
		for i := 0; ; i++ {
			r := request(i)
			l.mu.Lock()
			l.results = append(l.results, r)
			l.mu.Unlock()
			select {
			case <-l.stop:
				return
			case <-tick.C:
			}
		}
	}()
}

// Stop ends the visitors and waits for their last requests.
func (l *load) Stop() {
	l.stopOnce.Do(func() { close(l.stop) })
	l.done.Wait()
}

func (l *load) get(client *http.Client, path, lang string) result {
	req, _ := http.NewRequest(http.MethodGet, l.base+path, nil)
	return l.do(client, req, "GET "+path, lang)
}

// reply posts a reply with a text of its own, so the database shows afterwards which of the
// acknowledged ones it holds.
func (l *load) reply(lang string) result {
	l.mu.Lock()
	l.next++
	body := fmt.Sprintf("Svar nummer %d under belastning", l.next)
	l.mu.Unlock()
	form := url.Values{"message": {body}, "csrf_token": {apptest.CSRFToken}}
	req, _ := http.NewRequest(http.MethodPost, l.base+"/mitid/sager/"+l.ref+"/svar", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r := l.do(l.client, req, "POST reply", lang)
	if r.Status == http.StatusSeeOther {
		l.mu.Lock()
		l.acked = append(l.acked, body)
		l.mu.Unlock()
	}
	return r
}

func (l *load) do(client *http.Client, req *http.Request, what, lang string) result {
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	r := result{What: what, Lang: lang, Start: time.Now()}
	res, err := client.Do(req)
	if err != nil {
		r.End, r.Err = time.Now(), err.Error()
		return r
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	r.End, r.Status, r.RetryAfter = time.Now(), res.StatusCode, res.Header.Get("Retry-After")
	if r.Status >= 500 {
		r.Body = html.UnescapeString(string(b))
	}
	return r
}

// Results is every request so far.
func (l *load) Results() []result {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]result(nil), l.results...)
}

// Acked is the text of every reply acknowledged so far.
func (l *load) Acked() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.acked...)
}

// waitUntil polls the results until cond holds for them, failing the test after timeout.
func (l *load) waitUntil(t *testing.T, what string, timeout time.Duration, cond func([]result) bool) time.Time {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond(l.Results()) {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s\n%s", timeout, what, summary(l.Results()))
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Now()
}

// summary counts the results by request and status, for a failure message and the log.
func summary(rs []result) string {
	counts := map[string]int{}
	var keys []string
	for _, r := range rs {
		k := r.What + " " + strconv.Itoa(r.Status)
		if counts[k] == 0 {
			keys = append(keys, k)
		}
		counts[k]++
	}
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "  %s: %d\n", k, counts[k])
	}
	return b.String()
}
