package main

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"mitidportal/db/dbtest"
)

// TestServeMetricsOnSeparateAddress: with METRICS_ADDR, `portal serve` runs a second HTTP
// server for /metrics there, and the portal's address has no /metrics; both stop on SIGTERM.
func TestServeMetricsOnSeparateAddress(t *testing.T) {
	t.Parallel()
	_, dbURL := dbtest.NewWithURL(t)
	port, mport := freePort(t), freePort(t)
	addr, maddr := "127.0.0.1:"+strconv.Itoa(port), "127.0.0.1:"+strconv.Itoa(mport)
	env := envOf(map[string]string{
		"DATABASE_URL": dbURL, "PORTAL_ADDR": addr, "METRICS_ADDR": maddr, "PORTAL_DEMO": "true",
		"PORTAL_BASE_URL": "http://localhost:" + strconv.Itoa(port),
	})
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, env, &stdout, &stderr) }()

	get := func(url string) (int, string, error) {
		res, err := http.Get(url)
		if err != nil {
			return 0, "", err
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b), nil
	}
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if _, _, err := get("http://" + addr + "/healthz"); err == nil {
			break
		} else if time.Now().After(deadline) {
			cancel()
			t.Fatalf("portal did not start: %v\n%s", err, stderr.String())
		}
	}
	if status, _, err := get("http://" + addr + "/metrics"); err != nil || status != http.StatusNotFound {
		t.Errorf("the portal's /metrics: %d %v, want 404 (served on METRICS_ADDR only)", status, err)
	}
	status, body, err := get("http://" + maddr + "/metrics")
	if err != nil || status != http.StatusOK || !strings.Contains(body, `portal_http_requests_total{method="GET",route="/healthz",status="200"}`) {
		t.Errorf("METRICS_ADDR /metrics: %d %v, want 200 with the request counter", status, err)
	}
	if status, _, err := get("http://" + maddr + "/kontakt"); err != nil || status != http.StatusNotFound {
		t.Errorf("METRICS_ADDR serves pages: /kontakt %d %v", status, err)
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
	if _, _, err := get("http://" + maddr + "/metrics"); err == nil {
		t.Error("the metrics server still answers after shutdown")
	}
}
