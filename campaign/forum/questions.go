package forum

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"mitidportal/db"
)

// Limits of questions and answers (the tables check them too).
const (
	MaxQuestion = 1000
	MaxAnswer   = 5000
)

// Question is an editor's input question to the forum.
type Question struct {
	ID             int64
	TextDA, TextEN string
	Open           bool
	Deadline       *time.Time
	Created        time.Time
}

// Text is the question in lang.
func (q Question) Text(lang string) string { return Lang(lang, q.TextDA, q.TextEN) }

// Takes reports whether the question takes answers at now: open, and its deadline not passed.
func (q Question) Takes(now time.Time) bool {
	return q.Open && (q.Deadline == nil || now.Before(*q.Deadline))
}

const questionColumns = `id, text_da, text_en, open, deadline, created_at`

func scanQuestion(r pgx.Row) (Question, error) {
	var q Question
	err := r.Scan(&q.ID, &q.TextDA, &q.TextEN, &q.Open, &q.Deadline, &q.Created)
	return q, err
}

func questionSubject(id int64) string { return "forum_question:" + strconv.FormatInt(id, 10) }

// CreateQuestion asks the forum a question, open for answers.
func (f *Forum) CreateQuestion(ctx context.Context, staffID int64, textDA, textEN string, deadline *time.Time) (Question, error) {
	textDA, textEN = strings.TrimSpace(textDA), strings.TrimSpace(textEN)
	switch {
	case textDA == "" || textEN == "":
		return Question{}, ErrTextRequired
	case utf8.RuneCountInString(textDA) > MaxQuestion || utf8.RuneCountInString(textEN) > MaxQuestion:
		return Question{}, ErrTooLong
	case deadline != nil && !deadline.After(f.now()):
		return Question{}, ErrDeadlineInvalid
	}
	var q Question
	err := db.Transact(ctx, f.pool, func(tx pgx.Tx) error {
		var err error
		q, err = scanQuestion(tx.QueryRow(ctx, `INSERT INTO forum_question (text_da, text_en, deadline, created_at)
			VALUES ($1, $2, $3, $4) RETURNING `+questionColumns, textDA, textEN, deadline, f.now()))
		if err != nil {
			return fmt.Errorf("create question: %w", err)
		}
		return f.audit(ctx, tx, Event{StaffID: staffID, Action: EventQuestionCreated, Subject: questionSubject(q.ID),
			Detail: map[string]any{"text": textDA}})
	})
	return q, err
}

// SetOpen opens or closes a question for answers.
func (f *Forum) SetOpen(ctx context.Context, staffID, id int64, open bool) error {
	return db.Transact(ctx, f.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE forum_question SET open = $2 WHERE id = $1`, id, open)
		if err != nil {
			return fmt.Errorf("question status: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		return f.audit(ctx, tx, Event{StaffID: staffID, Action: EventQuestionStatus, Subject: questionSubject(id),
			Detail: map[string]any{"open": open}})
	})
}

// Question returns question id.
func (f *Forum) Question(ctx context.Context, v Viewer, id int64) (Question, error) {
	if err := see(v); err != nil {
		return Question{}, err
	}
	q, err := scanQuestion(f.pool.QueryRow(ctx, `SELECT `+questionColumns+` FROM forum_question WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return q, ErrNotFound
	}
	return q, err
}

// Questions lists the questions, newest first; openOnly: those that take answers now.
func (f *Forum) Questions(ctx context.Context, v Viewer, openOnly bool) ([]Question, error) {
	if err := see(v); err != nil {
		return nil, err
	}
	rows, err := f.pool.Query(ctx, `SELECT `+questionColumns+` FROM forum_question
		WHERE NOT $1 OR (open AND (deadline IS NULL OR deadline > $2)) ORDER BY created_at DESC, id DESC`, openOnly, f.now())
	if err != nil {
		return nil, fmt.Errorf("questions: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Question, error) { return scanQuestion(r) })
}

// Answer is an organisation's answer to a question.
type Answer struct {
	QuestionID   int64
	OrgID        int64
	Organisation string
	Body         string
	EditedBy     string // the name of who last edited it
	EditedAt     time.Time
}

// SaveAnswer writes organisation org's answer to question id as v's citizen: one answer per
// organisation, which any of its members may change while the question takes answers. The
// check that it does and the write are one statement, so a question closed meanwhile takes
// nothing; parallel edits end with one of them whole (the last).
func (f *Forum) SaveAnswer(ctx context.Context, v Viewer, id, org int64, body string) error {
	if v.MitID == 0 || !v.memberOf(org) {
		return ErrNotOrgMember
	}
	body = strings.TrimSpace(body)
	if body == "" {
		return ErrAnswerRequired
	}
	if utf8.RuneCountInString(body) > MaxAnswer {
		return ErrAnswerTooLong
	}
	if _, err := f.Question(ctx, v, id); err != nil {
		return err
	}
	tag, err := f.pool.Exec(ctx, `
		INSERT INTO forum_answer (question_id, organisation_id, body, edited_by, edited_at)
		SELECT q.id, $2, $3, $4, $5 FROM forum_question q
		WHERE q.id = $1 AND q.open AND (q.deadline IS NULL OR q.deadline > $5)
		ON CONFLICT (question_id, organisation_id) DO UPDATE SET body = excluded.body,
			edited_by = excluded.edited_by, edited_at = excluded.edited_at`, id, org, body, v.MitID, f.now())
	if err != nil {
		return fmt.Errorf("save answer: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return ErrQuestionClosed
	}
	return nil
}

const answerQuery = `
	SELECT a.question_id, a.organisation_id, o.name, a.body,
	       coalesce(nullif(trim(coalesce(p.given_name, '') || ' ' || coalesce(p.family_name, '')), ''), u.username),
	       a.edited_at
	FROM forum_answer a JOIN organisation o ON o.id = a.organisation_id JOIN mitid u ON u.id = a.edited_by
	LEFT JOIN person p ON p.cpr = u.cpr`

func scanAnswers(rows pgx.Rows) ([]Answer, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Answer, error) {
		var a Answer
		return a, r.Scan(&a.QuestionID, &a.OrgID, &a.Organisation, &a.Body, &a.EditedBy, &a.EditedAt)
	})
}

// AnswersOf returns the answers of v's organisations to question id, by organisation id.
func (f *Forum) AnswersOf(ctx context.Context, v Viewer, id int64) (map[int64]Answer, error) {
	if err := see(v); err != nil {
		return nil, err
	}
	ids := make([]int64, len(v.Orgs))
	for i, o := range v.Orgs {
		ids[i] = o.ID
	}
	rows, err := f.pool.Query(ctx, answerQuery+` WHERE a.question_id = $1 AND a.organisation_id = ANY($2)`, id, ids)
	if err != nil {
		return nil, fmt.Errorf("answers: %w", err)
	}
	list, err := scanAnswers(rows)
	out := map[int64]Answer{}
	for _, a := range list {
		out[a.OrgID] = a
	}
	return out, err
}

// Answers returns every organisation's answer to question id, by organisation name; editors only.
func (f *Forum) Answers(ctx context.Context, v Viewer, id int64) ([]Answer, error) {
	if err := edit(v); err != nil {
		return nil, err
	}
	rows, err := f.pool.Query(ctx, answerQuery+` WHERE a.question_id = $1 ORDER BY o.name, a.organisation_id`, id)
	if err != nil {
		return nil, fmt.Errorf("answers: %w", err)
	}
	return scanAnswers(rows)
}
