package mail

import (
	"math/rand/v2"
	"time"

	"github.com/riverqueue/river/rivertype"
)

// MaxAttempts is how often a mail is tried before it is given up: with Backoff's schedule in
// seconds, 25 attempts span about 20 days (docs/operations.md, "Faults: database restarts and
// mail outages"), so a mail-server outage of days loses nothing.
const MaxAttempts = maxAttempts

// Backoff is the job queue's retry schedule (app.Config.MailRetry): after the n-th failed
// attempt the job waits n⁴ units, give or take a tenth, so the first retries come quickly (a
// mail server restarting) and later ones rarely (a long outage fills no log). The jitter
// spreads mails that failed together, so a mail server that comes back is not hit by all of
// them in the same second. The app runs it in seconds, which is River's own default schedule
// made explicit so that the documented one is the one we own; tests run it in milliseconds.
type Backoff struct {
	// Unit is the wait after the first failure; zero is a second.
	Unit time.Duration
}

// Delay is the wait after the n-th failed attempt, without jitter.
func (b Backoff) Delay(n int) time.Duration {
	unit := b.Unit
	if unit <= 0 {
		unit = time.Second
	}
	// Past 50 failures (a job whose attempts an operator raised by hand) the wait stays at
	// 50⁴ units, about 72 days in seconds, rather than overflowing.
	n = min(max(n, 1), 50)
	return time.Duration(n*n*n*n) * unit
}

// NextRetry implements river.ClientRetryPolicy. It counts the recorded errors rather than
// the attempt, as River does, because a snoozed job's attempt is not a failure.
func (b Backoff) NextRetry(job *rivertype.JobRow) time.Time {
	d := b.Delay(len(job.Errors) + 1)
	jitter := time.Duration((rand.Float64()*0.2 - 0.1) * float64(d))
	return time.Now().Add(d + jitter)
}
