package main

import (
	"strings"
	"testing"
)

// TestNemIDExtensionDaysConfig: NEMID_EXTENSION_DAYS defaults to 30, takes a number of days
// and refuses anything that is not 1 to 365.
func TestNemIDExtensionDaysConfig(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		value string
		want  int
		ok    bool
	}{
		{"", 30, true}, {"14", 14, true}, {"365", 365, true},
		{"0", 0, false}, {"366", 0, false}, {"-3", 0, false}, {"30d", 0, false},
	} {
		t.Run("value "+tt.value, func(t *testing.T) {
			cfg, _, err := loadConfig(envOf(map[string]string{"DATABASE_URL": "postgres://x", "PORTAL_DEMO": "true",
				"NEMID_EXTENSION_DAYS": tt.value}))
			if tt.ok && (err != nil || cfg.NemIDExtensionDays != tt.want) {
				t.Errorf("%d, %v; want %d", cfg.NemIDExtensionDays, err, tt.want)
			}
			if !tt.ok && (err == nil || !strings.Contains(err.Error(), "NEMID_EXTENSION_DAYS")) {
				t.Errorf("accepted: %v", err)
			}
		})
	}
}
