package newsletter

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"mitidportal/db"
)

// Run sends every issue being sent (the job's work, and what resumes a send an instance died
// in) and returns how many mails it queued.
func (n *Newsletter) Run(ctx context.Context) (int, error) {
	rows, err := n.pool.Query(ctx, `SELECT id FROM newsletter_issue WHERE status = 'sending' ORDER BY id`)
	if err != nil {
		return 0, fmt.Errorf("sending issues: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, fmt.Errorf("sending issues: %w", err)
	}
	total := 0
	for _, id := range ids {
		k, err := n.SendIssue(ctx, id)
		total += k
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// SendIssue sends an issue in batches until no active subscriber is left without it, and
// returns how many mails it queued. Each batch is one transaction (sendBatch): a run that dies
// midway keeps the batches it committed, and the next run goes on from there.
func (n *Newsletter) SendIssue(ctx context.Context, id int64) (int, error) {
	total := 0
	for {
		k, more, err := n.sendBatch(ctx, id)
		total += k
		if err != nil || !more {
			return total, err
		}
	}
}

// sendBatch queues the issue for up to Batch active subscribers who do not have it yet, in
// one transaction: a delivery row per subscriber and their mail. The subscribers are locked
// FOR UPDATE SKIP LOCKED, so parallel runs take different batches; the delivery row is
// inserted ON CONFLICT DO NOTHING and only the rows it returns get a mail, so a subscriber
// another run has just committed (seen as undelivered by this statement's snapshot) is
// skipped: the primary key (issue, subscriber) is what makes each mail go once. When nothing
// is left it marks the issue sent, in one statement that checks that nothing is left, and
// reports more = false.
func (n *Newsletter) sendBatch(ctx context.Context, id int64) (sent int, more bool, err error) {
	err = db.Transact(ctx, n.pool, func(tx pgx.Tx) error {
		sent, more = 0, false
		var t Text
		var status Status
		err := tx.QueryRow(ctx, `SELECT subject_da, body_da, subject_en, body_en, status FROM newsletter_issue WHERE id = $1`,
			id).Scan(&t.SubjectDA, &t.BodyDA, &t.SubjectEN, &t.BodyEN, &status)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("issue to send: %w", err)
		}
		if status != Sending {
			return nil
		}
		now := n.now()
		rows, err := tx.Query(ctx, `
			SELECT s.id FROM newsletter_subscriber s
			WHERE s.status = 'active'
			  AND NOT EXISTS (SELECT 1 FROM newsletter_delivery d WHERE d.issue_id = $1 AND d.subscriber_id = s.id)
			ORDER BY s.id LIMIT $2
			FOR UPDATE OF s SKIP LOCKED`, id, Batch)
		if err != nil {
			return fmt.Errorf("send batch: %w", err)
		}
		batch, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return fmt.Errorf("send batch: %w", err)
		}
		rows, err = tx.Query(ctx, `
			WITH delivered AS (
				INSERT INTO newsletter_delivery (issue_id, subscriber_id, created_at)
				SELECT $1, unnest($2::bigint[]), $3
				ON CONFLICT DO NOTHING RETURNING subscriber_id)
			SELECT s.id, s.email, s.lang
			FROM delivered d JOIN newsletter_subscriber s ON s.id = d.subscriber_id
			ORDER BY s.id`, id, batch, now)
		if err != nil {
			return fmt.Errorf("send batch: %w", err)
		}
		mails, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (IssueMail, error) {
			m := IssueMail{IssueID: id}
			err := row.Scan(&m.SubscriberID, &m.Email, &m.Lang)
			return m, err
		})
		if err != nil {
			return fmt.Errorf("send batch: %w", err)
		}
		for _, m := range mails {
			m.Subject, m.Body, m.Unsubscribe = t.Subject(m.Lang), t.Body(m.Lang), n.token(m.SubscriberID)
			if n.hooks.Issue != nil {
				if err := n.hooks.Issue(ctx, tx, m); err != nil {
					return err
				}
			}
		}
		sent = len(mails)
		if len(batch) > 0 {
			more = true
			return nil
		}
		// Nothing left to this run. Subscribers another run holds locked are still undelivered
		// to this statement, so the issue is only marked sent when the last batch has committed.
		_, err = tx.Exec(ctx, `
			UPDATE newsletter_issue SET status = 'sent', sent_at = $2
			WHERE id = $1 AND status = 'sending' AND NOT EXISTS (
				SELECT 1 FROM newsletter_subscriber s WHERE s.status = 'active'
				  AND NOT EXISTS (SELECT 1 FROM newsletter_delivery d WHERE d.issue_id = $1 AND d.subscriber_id = s.id))`,
			id, now)
		if err != nil {
			return fmt.Errorf("mark sent: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, false, err
	}
	return sent, more, nil
}
