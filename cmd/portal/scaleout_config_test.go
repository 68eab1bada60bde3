package main

import (
	"strings"
	"testing"
	"time"
)

// TestScaleOutConfig: AUDIT_ANCHOR_INTERVAL defaults to a minute and must be positive;
// SHUTDOWN_DRAIN defaults to none and takes 0 to 1 minute.
func TestScaleOutConfig(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, value string
		want        time.Duration
		ok          bool
	}{
		{"AUDIT_ANCHOR_INTERVAL", "", time.Minute, true},
		{"AUDIT_ANCHOR_INTERVAL", "5s", 5 * time.Second, true},
		{"AUDIT_ANCHOR_INTERVAL", "0s", 0, false},
		{"AUDIT_ANCHOR_INTERVAL", "often", 0, false},
		{"SHUTDOWN_DRAIN", "", 0, true},
		{"SHUTDOWN_DRAIN", "5s", 5 * time.Second, true},
		{"SHUTDOWN_DRAIN", "1m", time.Minute, true},
		{"SHUTDOWN_DRAIN", "61s", 0, false},
		{"SHUTDOWN_DRAIN", "-1s", 0, false},
		{"SHUTDOWN_DRAIN", "5", 0, false},
	} {
		t.Run(tt.name+" "+tt.value, func(t *testing.T) {
			cfg, _, err := loadConfig(envOf(map[string]string{"DATABASE_URL": "postgres://x", "PORTAL_DEMO": "true",
				tt.name: tt.value}))
			got := cfg.AuditAnchorInterval
			if tt.name == "SHUTDOWN_DRAIN" {
				got = cfg.ShutdownDrain
			}
			if tt.ok && (err != nil || got != tt.want) {
				t.Errorf("%s, %v; want %s", got, err, tt.want)
			}
			if !tt.ok && (err == nil || !strings.Contains(err.Error(), tt.name)) {
				t.Errorf("accepted: %v", err)
			}
		})
	}
}
