package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mitidportal/app"
	"mitidportal/identity/idapp"
)

// writeKey writes pub as a PEM file and returns its path.
func writeKey(t *testing.T, pub *ecdsa.PublicKey) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "idapp.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestIDAppKeysSetting: IDAPP_KEYS is read into the configuration, and the demo key is refused
// outside demo mode at start, by loadConfig and by app.New, with a message that says so.
func TestIDAppKeysSetting(t *testing.T) {
	t.Parallel()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	base := map[string]string{"DATABASE_URL": "postgres://localhost/none"}
	with := func(kv ...string) func(string) string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return envOf(m)
	}
	cfg, _, err := loadConfig(with("IDAPP_KEYS", writeKey(t, &k.PublicKey)))
	if err != nil || len(cfg.IDAppKeys) != 1 {
		t.Fatalf("a PEM key: %v %v", cfg.IDAppKeys, err)
	}
	demo := writeKey(t, &idapp.DemoKey().PublicKey)
	if _, _, err := loadConfig(with("IDAPP_KEYS", demo)); err == nil || !strings.Contains(err.Error(), "demo key") {
		t.Errorf("the demo key outside demo mode: %v", err)
	}
	if _, _, err := loadConfig(with("IDAPP_KEYS", demo, "PORTAL_DEMO", "true")); err != nil {
		t.Errorf("the demo key in demo mode: %v", err)
	}
	if _, _, err := loadConfig(with("IDAPP_KEYS", "/nonexistent/idapp.pem")); err == nil || !strings.Contains(err.Error(), "IDAPP_KEYS") {
		t.Errorf("a missing key file: %v", err)
	}
	// app.New refuses before it opens anything (the database URL leads nowhere).
	_, err = app.New(context.Background(), app.Config{BaseURL: "http://localhost:8080", IDAppKeys: idapp.DemoKeys()},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil || !strings.Contains(err.Error(), "IDAPP_KEYS") {
		t.Errorf("app.New with the demo key outside demo mode: %v", err)
	}
}
