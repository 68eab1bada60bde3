package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"mitidportal/app"
	"mitidportal/audit"
	"mitidportal/blob"
	"mitidportal/identity/idapp"
	"mitidportal/mail"
)

// settings is every environment variable the portal reads, with its default and meaning.
// The README's configuration table is generated from the same list by hand; keep them equal.
var settings = []struct{ name, def, help string }{
	{"DATABASE_URL", "", "PostgreSQL URL (postgres://...); required"},
	{"PORTAL_ADDR", ":8080", "address to listen on"},
	{"PORTAL_BASE_URL", "http://localhost:8080", "public URL; https enables secure cookies and HSTS"},
	{"PORTAL_DEMO", "false", "demo mode: demo notice, demo data, demo mailbox"},
	{"SMTP_HOST", "", "SMTP server; empty in demo mode starts a local demo mailbox"},
	{"SMTP_PORT", "587", "SMTP port"},
	{"SMTP_USERNAME", "", "SMTP user name"},
	{"SMTP_PASSWORD", "", "SMTP password (never logged)"},
	{"SMTP_FROM", "MitID <noreply@localhost>", "sender address of all mail"},
	{"SMTP_TLS", "starttls", "none, starttls or tls"},
	{"SMTP_INBOUND_ADDR", "", "address of the SMTP listener for citizens' mail replies to support cases (e.g. :2525); empty: none"},
	{"FILES_DIR", "", "folder for the files citizens send the support desk (mail attachments, contact form) and the communication packs' files, created when missing; empty: files are refused"},
	{"FILES_S3_ENDPOINT", "", "host:port of an S3-compatible object store for the files instead of FILES_DIR (several instances share it); empty: FILES_DIR"},
	{"FILES_S3_BUCKET", "", "the bucket (it must exist); required with FILES_S3_ENDPOINT"},
	{"FILES_S3_ACCESS_KEY", "", "the object store's access key"},
	{"FILES_S3_SECRET_KEY", "", "the object store's secret key (never logged)"},
	{"FILES_S3_REGION", "", "the bucket's region; empty: the service's default"},
	{"FILES_S3_PREFIX", "", "prefix of every object name (e.g. portal/), so one bucket can serve several uses"},
	{"FILES_S3_INSECURE", "false", "talk plain http to the object store (only on a private network or for a local test server)"},
	{"SUPPORT_PHONE", "33 98 00 10", "the support desk's phone number"},
	{"BLOCK_PHONE", "33 98 00 10", "the 24/7 blocking line"},
	{"SESSION_IDLE", "30m", "a session ends after this long unused"},
	{"SESSION_ABSOLUTE", "8h", "a session ends this long after login"},
	{"ACTIVATION_VALIDITY", "336h", "how long an activation code (letter, borgerservice, support) can be used; 336h = 14 days"},
	{"METRICS_TOKEN", "", "bearer token /metrics requires; outside demo mode /metrics is refused without one (unless METRICS_ADDR)"},
	{"METRICS_ADDR", "", "separate address (e.g. 127.0.0.1:9090) to serve /metrics on instead of PORTAL_ADDR; METRICS_TOKEN still applies when set"},
	{"LOG_LEVEL", "info", "debug, info, warn or error"},
	{"DB_MAX_CONNS", "0", "database pool size; 0 = pgx default (4 per CPU)"},
	{"TOKEN_KEY", "", "64 hex digits: AES-256 key for hardware-token seeds at rest; required unless PORTAL_DEMO"},
	{"CSRF_KEY", "", "64 hex digits: HMAC key that signs the CSRF cookie of visitors without a session; required unless PORTAL_DEMO"},
	{"TRUST_PROXY", "false", "take client addresses from X-Forwarded-For (only behind a load balancer)"},
	{"PASSWORD_HASH_CONCURRENCY", "0", "password checks (argon2id, 19 MiB each) computing at once; 0 = what fits in 256 MiB, at most 4 per CPU; four times as many logins are let in to wait for them, more wait up to 1 s to be let in, then get 503 Retry-After"},
	{"AUDIT_KEYS", "", "audit chain keys, comma-separated id:64hexdigits, the signing key first (rotation: prepend a new one, keep the old); required unless PORTAL_DEMO"},
	{"IDAPP_KEYS", "", "the identification service's public keys: comma-separated paths of JWK set or PEM files (rotation by key id); empty: no identification app (demo mode adds the demo key, which is refused outside demo mode)"},
	{"NEMID_EXTENSION_DAYS", "30", "days the one extension of a citizen's deadline to move from NemID to MitID adds (1-365)"},
	{"AUDIT_ANCHOR_FILE", "", "file the audit anchor job appends the chain's head to each minute (keep it on storage the database owner cannot rewrite); empty: log only"},
	// Running several instances (docs/operations.md): how often the anchor is written, and how
	// long a stopping instance drains before it closes its listener.
	{"AUDIT_ANCHOR_INTERVAL", "1m", "how often the audit anchor job records the chain's head (one instance does, whichever leads the job queue)"},
	// Memory and start-up (docs/performance.md): what an idle instance holds, for pprof.
	{"PORTAL_HEAP_PROFILE", "", "file to write a heap profile to once the portal serves (after start-up's garbage is collected), for `go tool pprof`; empty: none"},
	{"SHUTDOWN_DRAIN", "0s", "on SIGTERM, answer /readyz with 503 and close every keep-alive connection after its response for this long before closing the listener; behind a load balancer set it to at least its health-check interval"},
}

// demoTokenKey encrypts token seeds in demo mode when TOKEN_KEY is unset. It is public (it is
// in this file), which is fine for invented demo tokens and never accepted outside demo mode.
const demoTokenKey = "64656d6f2d6f6e6c792d6b65792d6e6f742d666f722d70726f64756374696f6e"

// demoCSRFKey signs the anonymous CSRF cookie in demo mode when CSRF_KEY is unset. Like
// demoTokenKey it is public and never accepted outside demo mode: with a known key anyone could
// mint a cookie and form field pair that passes.
const demoCSRFKey = "64656d6f2d637372662d6b65792d6e6f742d666f722d70726f64756374696f6e"

// demoAuditKeys seals the audit log in demo mode when AUDIT_KEYS is unset. Public like
// demoTokenKey, so never accepted outside demo mode.
const demoAuditKeys = "demo:64656d6f2d61756469742d6b65792d6e6f742d666f722d70726f64756374696f"

// loadConfig reads the configuration from getenv.
func loadConfig(getenv func(string) string) (app.Config, slog.Level, error) {
	get := func(name string) string {
		if v := getenv(name); v != "" {
			return v
		}
		for _, s := range settings {
			if s.name == name {
				return s.def
			}
		}
		return ""
	}
	var errs []string
	dur := func(name string) time.Duration {
		d, err := time.ParseDuration(get(name))
		if err != nil || d <= 0 {
			errs = append(errs, name+" must be a positive duration such as 30m")
		}
		return d
	}
	integer := func(name string) int {
		n, err := strconv.Atoi(get(name))
		if err != nil || n < 0 {
			errs = append(errs, name+" must be a whole number")
		}
		return n
	}
	demo, err := strconv.ParseBool(get("PORTAL_DEMO"))
	if err != nil {
		errs = append(errs, "PORTAL_DEMO must be true or false")
	}
	trustProxy, err := strconv.ParseBool(get("TRUST_PROXY"))
	if err != nil {
		errs = append(errs, "TRUST_PROXY must be true or false")
	}
	keyHex := get("TOKEN_KEY")
	if keyHex == "" && demo {
		keyHex = demoTokenKey
	}
	// An unset key is refused by the commands that need it (serve, tokens); staff create and
	// migrate do not touch token seeds.
	tokenKey, err := hex.DecodeString(keyHex)
	if keyHex != "" && (err != nil || len(tokenKey) != 32) {
		errs = append(errs, "TOKEN_KEY must be 64 hexadecimal digits (32 random bytes, e.g. `openssl rand -hex 32`)")
	}
	csrfHex := get("CSRF_KEY")
	if csrfHex == "" && demo {
		csrfHex = demoCSRFKey
	}
	// Like TOKEN_KEY, an unset key is refused where it is needed (app.New, for serve).
	csrfKey, err := hex.DecodeString(csrfHex)
	if csrfHex != "" && (err != nil || len(csrfKey) != 32) {
		errs = append(errs, "CSRF_KEY must be 64 hexadecimal digits (32 random bytes, e.g. `openssl rand -hex 32`)")
	}
	auditKeys := get("AUDIT_KEYS")
	if auditKeys == "" && demo {
		auditKeys = demoAuditKeys
	}
	// An unset key is refused by the commands that need it (serve, audit verify).
	var keyring audit.Keyring
	if auditKeys != "" {
		if keyring, err = audit.ParseKeys(auditKeys); err != nil {
			errs = append(errs, "AUDIT_KEYS must be comma-separated id:64hexdigits (e.g. 2026-1:$(openssl rand -hex 32)), ids unique")
		}
	}
	idappKeys, err := idapp.LoadKeyFiles(get("IDAPP_KEYS"), os.ReadFile)
	if err != nil {
		errs = append(errs, "IDAPP_KEYS: "+err.Error())
	} else if err := idapp.CheckNotDemo(idappKeys); err != nil && !demo {
		errs = append(errs, "IDAPP_KEYS holds the public demo key of the identification service, which is refused outside demo mode (PORTAL_DEMO=false): configure the real service's keys")
	}
	cfg := app.Config{
		DatabaseURL: get("DATABASE_URL"),
		BaseURL:     strings.TrimRight(get("PORTAL_BASE_URL"), "/"),
		SMTP: mail.SMTPConfig{
			Host: get("SMTP_HOST"), Port: integer("SMTP_PORT"), Username: get("SMTP_USERNAME"),
			Password: get("SMTP_PASSWORD"), From: get("SMTP_FROM"), TLS: get("SMTP_TLS"), Timeout: 15 * time.Second,
		},
		SupportPhone:    get("SUPPORT_PHONE"),
		BlockPhone:      get("BLOCK_PHONE"),
		Demo:            demo,
		SessionIdle:     dur("SESSION_IDLE"),
		SessionAbsolute: dur("SESSION_ABSOLUTE"),
		// A letter takes days to arrive; the code must outlive that.
		ActivationValidity: dur("ACTIVATION_VALIDITY"),
		MetricsToken:       get("METRICS_TOKEN"),
		MetricsAddr:        get("METRICS_ADDR"),
		MaxConns:           int32(integer("DB_MAX_CONNS")),
		TokenKey:           tokenKey,
		CSRFKey:            csrfKey,
		TrustProxy:         trustProxy,
		SMTPInboundAddr:    get("SMTP_INBOUND_ADDR"),
		HashConcurrency:    integer("PASSWORD_HASH_CONCURRENCY"),
		AuditKeys:          keyring,
		AuditAnchorFile:    get("AUDIT_ANCHOR_FILE"),
		IDAppKeys:          idappKeys,
		NemIDExtensionDays: integer("NEMID_EXTENSION_DAYS"),
	}
	// Running several instances: the anchor's interval and the drain before a shutdown.
	cfg.AuditAnchorInterval = dur("AUDIT_ANCHOR_INTERVAL")
	if cfg.ShutdownDrain, err = time.ParseDuration(get("SHUTDOWN_DRAIN")); err != nil || cfg.ShutdownDrain < 0 || cfg.ShutdownDrain > time.Minute {
		errs = append(errs, "SHUTDOWN_DRAIN must be a duration from 0s to 1m such as 5s")
	}
	if cfg.NemIDExtensionDays < 1 || cfg.NemIDExtensionDays > 365 {
		errs = append(errs, "NEMID_EXTENSION_DAYS must be a whole number of days from 1 to 365")
	}
	if files, err := fileStore(get); err != nil {
		errs = append(errs, err.Error())
	} else if files != nil {
		cfg.Files = files
	}
	if cfg.DatabaseURL == "" {
		errs = append(errs, "DATABASE_URL is required (make run provides a local one)")
	}
	switch cfg.SMTP.TLS {
	case "none", "starttls", "tls":
	default:
		errs = append(errs, "SMTP_TLS must be none, starttls or tls")
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(get("LOG_LEVEL"))); err != nil {
		errs = append(errs, "LOG_LEVEL must be debug, info, warn or error")
	}
	if len(errs) > 0 {
		return cfg, level, fmt.Errorf("configuration: %s", strings.Join(errs, "; "))
	}
	return cfg, level, nil
}

// fileStore is the content store the configuration names: an S3-compatible bucket when
// FILES_S3_ENDPOINT is set (checked to exist now, so a wrong setting stops the start and not a
// download), else the folder FILES_DIR; nil when neither is set.
func fileStore(get func(string) string) (blob.Store, error) {
	endpoint, dir := get("FILES_S3_ENDPOINT"), get("FILES_DIR")
	if endpoint == "" {
		if dir == "" {
			return nil, nil
		}
		files, err := blob.NewDisk(dir)
		if err != nil {
			return nil, fmt.Errorf("FILES_DIR: %w", err)
		}
		return files, nil
	}
	if dir != "" {
		return nil, errors.New("FILES_DIR and FILES_S3_ENDPOINT are both set: choose the folder or the object store")
	}
	if strings.Contains(endpoint, "://") {
		return nil, errors.New("FILES_S3_ENDPOINT is host:port without a scheme (FILES_S3_INSECURE=true for http)")
	}
	insecure, err := strconv.ParseBool(get("FILES_S3_INSECURE"))
	if err != nil {
		return nil, errors.New("FILES_S3_INSECURE must be true or false")
	}
	if get("FILES_S3_BUCKET") == "" {
		return nil, errors.New("FILES_S3_BUCKET is required with FILES_S3_ENDPOINT")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	files, err := blob.NewS3(ctx, blob.S3Config{Endpoint: endpoint, Bucket: get("FILES_S3_BUCKET"),
		AccessKey: get("FILES_S3_ACCESS_KEY"), SecretKey: get("FILES_S3_SECRET_KEY"),
		Region: get("FILES_S3_REGION"), Prefix: get("FILES_S3_PREFIX"), Secure: !insecure})
	if err != nil {
		return nil, fmt.Errorf("FILES_S3_ENDPOINT: %w", err)
	}
	return files, nil
}
