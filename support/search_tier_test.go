package support

import "testing"

// TestTierPlan: the probe's counts choose how a tier is read. A million cases, ids
// 1..1,000,000, as in the big database (where a caller's name is in 0.5 % of the cases, each of
// its words in 7 %).
func TestTierPlan(t *testing.T) {
	const top = 1_000_000
	const low = top - probeSize + 1 // the probe's newest
	tests := []struct {
		name           string
		p              probe
		matches        int
		whole          bool
		ranged, walk   bool
		fromAtMost     int64 // the range holds at least this
		fromAtLeastTop int64 // and at most top minus this
	}{
		{"no match among the newest: the indexes only", probe{n: probeSize, top: top, low: low, sizes: defaultSearchSizes}, 0, false, false, false, top, 0},
		{"fewer cases than the probe reads: the indexes only", probe{n: 50, top: 50, low: 1, sizes: defaultSearchSizes}, 10, false, false, false, 50, 0},
		{"a common word: newest first over 2 x 500 / share", probe{n: probeSize, top: top, low: low, wordHits: 1000, words: probeSize, sizes: defaultSearchSizes},
			probeSize, false, true, true, top - 2*RankWindow, 2 * RankWindow},
		{"a rare word: the indexes within 100,000 ids", probe{n: probeSize, top: top, low: low, wordHits: 10, words: probeSize, sizes: defaultSearchSizes},
			10, false, true, false, top - 100_000, 100_000},
		{"two common words rare together as prefixes: newest first (their entries cost more)",
			probe{n: probeSize, top: top, low: low, wordHits: 35, words: probeWordsSize, sizes: defaultSearchSizes}, 5, false, true, true, top - 200_000, 200_000},
		{"the same words whole: all 5,000 matches through the indexes (GIN skips through their entries)",
			probe{n: probeSize, top: top, low: low, wordHits: 35, words: probeWordsSize, sizes: defaultSearchSizes}, 5, true, false, false, top, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.p.plan(tt.matches, tt.whole)
			if got.ranged != tt.ranged || got.walk != tt.walk {
				t.Errorf("plan = %+v, want ranged %v, walk %v", got, tt.ranged, tt.walk)
			}
			if got.from > tt.fromAtMost || got.from < tt.p.top-tt.fromAtLeastTop {
				t.Errorf("plan from = %d, want %d..%d", got.from, tt.p.top-tt.fromAtLeastTop, tt.fromAtMost)
			}
		})
	}
}
