package fault_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"mitidportal/fault"
)

var (
	errWrong     = fault.New("identity", fault.Invalid, "identity.err.wrong")
	errThrottled = fault.New("identity", fault.Throttled, "identity.err.throttled")
	errOther     = fault.New("support", fault.Throttled, "identity.err.throttled")
)

func TestIsAndAs(t *testing.T) {
	wrapped := fmt.Errorf("login: %w", errThrottled.After(90*time.Second))
	tests := []struct {
		name   string
		err    error
		target error
		want   bool
	}{
		{"same variable", errWrong, errWrong, true},
		{"copy with a wait", errThrottled.After(time.Minute), errThrottled, true},
		{"wrapped copy", wrapped, errThrottled, true},
		{"other message", errWrong, errThrottled, false},
		{"other domain", errOther, errThrottled, false},
		{"plain error", errors.New("identity: identity.err.wrong"), errWrong, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := errors.Is(tt.err, tt.target); got != tt.want {
				t.Errorf("errors.Is = %v, want %v", got, tt.want)
			}
		})
	}
	e, ok := fault.As(wrapped)
	if !ok || e.Kind != fault.Throttled || e.RetryAfter != 90*time.Second || e.Minutes() != 2 {
		t.Errorf("As(wrapped) = %+v, %v", e, ok)
	}
	if errThrottled.RetryAfter != 0 {
		t.Error("After changed the package variable")
	}
	if _, ok := fault.KindOf(errors.New("boom")); ok {
		t.Error("a plain error has a kind")
	}
	if k, _ := fault.KindOf(wrapped); k.String() != "throttled" {
		t.Errorf("kind name %q", k)
	}
}

func TestAfterRounds(t *testing.T) {
	for _, tt := range []struct {
		in, want time.Duration
		minutes  int
	}{
		{0, time.Second, 1},
		{1400 * time.Millisecond, time.Second, 1},
		{61 * time.Second, 61 * time.Second, 2},
		{time.Hour, time.Hour, 60},
	} {
		e := errThrottled.After(tt.in)
		if e.RetryAfter != tt.want || e.Minutes() != tt.minutes {
			t.Errorf("After(%s) = %s, %d min; want %s, %d", tt.in, e.RetryAfter, e.Minutes(), tt.want, tt.minutes)
		}
	}
}

func TestVariant(t *testing.T) {
	locked := errThrottled.Variant("identity.err.login_locked").After(time.Hour)
	if !errors.Is(locked, errThrottled) || locked.MsgID != "identity.err.login_locked" || locked.Kind != fault.Throttled {
		t.Errorf("variant %+v", locked)
	}
	if errors.Is(errThrottled, locked) {
		t.Error("the parent is its own variant")
	}
	if errThrottled.Unwrap() != nil {
		t.Error("a plain refusal unwraps to something")
	}
}

func TestRules(t *testing.T) {
	errGone := fault.New("support", fault.NotFound, "support.err.not_found")
	boom := errors.New("boom")
	tests := []struct {
		name string
		err  error
		want []*fault.Error
		ok   bool
	}{
		{"nil", nil, nil, false},
		{"one rule", errWrong, []*fault.Error{errWrong}, true},
		{"wrapped rule", fmt.Errorf("x: %w", errWrong), []*fault.Error{errWrong}, true},
		{"two in order", errors.Join(errThrottled, errWrong), []*fault.Error{errThrottled, errWrong}, true},
		{"three, nested and wrapped", errors.Join(errWrong, fmt.Errorf("y: %w", errors.Join(errOther, errThrottled))),
			[]*fault.Error{errWrong, errOther, errThrottled}, true},
		{"join skips nil", errors.Join(nil, errWrong, nil), []*fault.Error{errWrong}, true},
		{"a failure among rules", errors.Join(errWrong, boom), nil, false},
		{"not found is no rule", errors.Join(errWrong, errGone), nil, false},
		{"plain error", boom, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := fault.Rules(tt.err)
			if ok != tt.ok || len(got) != len(tt.want) {
				t.Fatalf("Rules = %v, %v; want %v, %v", got, ok, tt.want, tt.ok)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("rule %d = %v, want %v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestWithout(t *testing.T) {
	joined := errors.Join(errWrong, errThrottled.After(time.Minute), errOther)
	rest, _ := fault.Rules(fault.Without(joined, errThrottled))
	if len(rest) != 2 || rest[0] != errWrong || rest[1] != errOther {
		t.Errorf("Without(throttled) left %v", rest)
	}
	if err := fault.Without(joined, errWrong, errThrottled, errOther); err != nil {
		t.Errorf("Without(all) = %v, want nil", err)
	}
	if err := fault.Without(errWrong, errWrong); err != nil {
		t.Errorf("Without a lone rule = %v", err)
	}
	if err := fault.Without(errWrong, errOther); err != errWrong {
		t.Errorf("Without another rule = %v", err)
	}
}
