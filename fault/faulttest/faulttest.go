// Package faulttest holds what tests of the domains' checks share: a domain that checks every
// rule of a form joins the rules broken (fault.Rules), and a test names them in order.
package faulttest

import (
	"testing"

	"mitidportal/fault"
)

// WantRules fails t unless err holds exactly the rules want, in that order; with no want, err
// must be nil. what names the call in messages ("Check", "Create").
func WantRules(t testing.TB, what string, err error, want ...*fault.Error) {
	t.Helper()
	if len(want) == 0 {
		if err != nil {
			t.Errorf("%s = %v, want none", what, err)
		}
		return
	}
	got, ok := fault.Rules(err)
	if !ok || len(got) != len(want) {
		t.Fatalf("%s: rules %v (%v), want %v", what, got, err, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%s: rule %d is %v, want %v (all: %v)", what, i, got[i], want[i], got)
		}
	}
}
