package mail_test

import (
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"

	"mitidportal/mail"
)

// TestBackoffSchedule pins the retry schedule that docs/operations.md documents: n⁴ seconds
// after the n-th failure, 25 attempts over about 20 days.
func TestBackoffSchedule(t *testing.T) {
	b := mail.Backoff{Unit: time.Second}
	for _, tt := range []struct {
		failures int
		want     time.Duration
	}{
		{1, time.Second},
		{2, 16 * time.Second},
		{3, 81 * time.Second},
		{5, 625 * time.Second},
		{10, 10000 * time.Second},
		{24, 331776 * time.Second},
		{0, time.Second},              // never below the first wait
		{1000, 6250000 * time.Second}, // held at 50⁴, never overflowing
	} {
		t.Run(tt.want.String(), func(t *testing.T) {
			if got := b.Delay(tt.failures); got != tt.want {
				t.Errorf("Delay(%d) = %s, want %s", tt.failures, got, tt.want)
			}
		})
	}
	// Between the first and the last (25th) attempt lie 24 waits.
	var total time.Duration
	for n := 1; n < mail.MaxAttempts; n++ {
		total += b.Delay(n)
	}
	if days := total.Hours() / 24; days < 20 || days > 21 {
		t.Errorf("%d attempts span %.1f days, want about 20", mail.MaxAttempts, days)
	}
	// NextRetry counts the job's recorded errors and keeps within a tenth of the wait.
	job := &rivertype.JobRow{Errors: make([]rivertype.AttemptError, 2)}
	for range 50 {
		wait := time.Until(b.NextRetry(job))
		if wait < 81*time.Second*9/10-time.Second || wait > 81*time.Second*11/10 {
			t.Fatalf("after 3 failures NextRetry waits %s, want 81 s ± 10 %%", wait)
		}
	}
}
