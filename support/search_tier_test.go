package support

import "testing"

// TestTierPlan: the probe's counts choose how a tier is read. A million cases, ids 1..1,000,000.
func TestTierPlan(t *testing.T) {
	const top, low = 1_000_000, 998_001 // the probe's 2,000 newest
	tests := []struct {
		name           string
		p              probe
		matches        int
		ranged, walk   bool
		fromAtMost     int64 // the range holds at least this
		fromAtLeastTop int64 // and at most top minus this
	}{
		{"no match among the newest: the indexes only", probe{n: probeSize, top: top, low: low}, 0, false, false, top, 0},
		{"fewer cases than the probe reads: the indexes only", probe{n: 50, top: 50, low: 1}, 10, false, false, 50, 0},
		{"a common word: newest first over 2 x 500 / share", probe{n: probeSize, top: top, low: low, wordHits: 1000, words: probeSize},
			1000, true, true, top - 2000, 2000},
		{"a rare word: the indexes within 200,000 ids", probe{n: probeSize, top: top, low: low, wordHits: 10, words: probeSize},
			10, true, false, top - 200_000, 200_000},
		{"two common words rare together: newest first (their entries cost more)",
			probe{n: probeSize, top: top, low: low, wordHits: 150, words: probeWordsSize}, 10, true, true, top - 200_000, 200_000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.p.plan(tt.matches)
			if got.ranged != tt.ranged || got.walk != tt.walk {
				t.Errorf("plan = %+v, want ranged %v, walk %v", got, tt.ranged, tt.walk)
			}
			if got.from > tt.fromAtMost || got.from < tt.p.top-tt.fromAtLeastTop {
				t.Errorf("plan from = %d, want %d..%d", got.from, tt.p.top-tt.fromAtLeastTop, tt.fromAtMost)
			}
		})
	}
}
