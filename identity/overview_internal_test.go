package identity

import (
	"regexp"
	"testing"
)

// TestOverviewQueriesRewrite: ofID replaces "$1" in the statements the overview shares with
// Means, Orders.ForMitID and NemIDStatusOf; a $10 or later in one of them would be cut in two.
func TestOverviewQueriesRewrite(t *testing.T) {
	later := regexp.MustCompile(`\$1[0-9]`)
	for name, q := range map[string]string{"means": liveMeansQuery, "orders": recentOrdersQuery, "nemid": nemidOfMitIDQuery} {
		t.Run(name, func(t *testing.T) {
			if later.MatchString(q) {
				t.Fatalf("query has a parameter after $9; ofID would break it:\n%s", q)
			}
			if got := ofID(q, "(SELECT 7)"); regexp.MustCompile(`\$1\b`).MatchString(got) {
				t.Fatalf("ofID left $1 in:\n%s", got)
			}
		})
	}
}
