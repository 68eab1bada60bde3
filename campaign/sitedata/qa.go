package sitedata

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"mitidportal/fault"
)

// Category groups questions; its names are shown in the visitor's language.
type Category struct {
	ID             int64
	NameDA, NameEN string
	Position       int
}

// Name is the category's name in lang.
func (c Category) Name(lang string) string { return pick(lang, c.NameDA, c.NameEN) }

// Entry is a question and its answer (Markdown) in both languages.
type Entry struct {
	ID                     int64
	CategoryID             int64
	QuestionDA, QuestionEN string
	AnswerDA, AnswerEN     string
	Position               int
	Published              bool
	UpdatedAt              time.Time
}

// Question and Answer are the entry's text in lang.
func (e Entry) Question(lang string) string { return pick(lang, e.QuestionDA, e.QuestionEN) }

// Answer is the entry's answer (Markdown) in lang.
func (e Entry) Answer(lang string) string { return pick(lang, e.AnswerDA, e.AnswerEN) }

// Categories lists the categories in their order.
func (s *Store) Categories(ctx context.Context) ([]Category, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, name_da, name_en, position FROM qa_category ORDER BY position, id`)
	if err != nil {
		return nil, fmt.Errorf("categories: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Category, error) {
		var c Category
		return c, r.Scan(&c.ID, &c.NameDA, &c.NameEN, &c.Position)
	})
}

// SaveCategory creates a category at the end (c.ID 0) or renames one.
func (s *Store) SaveCategory(ctx context.Context, staffID int64, c Category) (Category, error) {
	var err error
	if c.NameDA, err = text(c.NameDA, MaxName, ErrNameRequired); err != nil {
		return c, err
	}
	if c.NameEN, err = text(c.NameEN, MaxName, ErrNameRequired); err != nil {
		return c, err
	}
	e := Event{Action: EventCategorySaved, Detail: map[string]any{"name_da": c.NameDA, "name_en": c.NameEN}}
	err = s.change(ctx, staffID, &e, func(tx pgx.Tx) error {
		var err error
		if c.ID == 0 {
			err = tx.QueryRow(ctx, `INSERT INTO qa_category (name_da, name_en, position)
				VALUES ($1, $2, (SELECT coalesce(max(position), 0) + 1 FROM qa_category)) RETURNING id, position`,
				c.NameDA, c.NameEN).Scan(&c.ID, &c.Position)
		} else {
			err = tx.QueryRow(ctx, `UPDATE qa_category SET name_da = $2, name_en = $3 WHERE id = $1 RETURNING position`,
				c.ID, c.NameDA, c.NameEN).Scan(&c.Position)
		}
		e.Subject = fmt.Sprintf("qa_category:%d", c.ID)
		return notFound(err, "save category")
	})
	return c, err
}

const entryColumns = `id, category_id, question_da, question_en, answer_da, answer_en, position, published, updated_at`

func scanEntry(r pgx.CollectableRow) (Entry, error) {
	var e Entry
	return e, r.Scan(&e.ID, &e.CategoryID, &e.QuestionDA, &e.QuestionEN, &e.AnswerDA, &e.AnswerEN,
		&e.Position, &e.Published, &e.UpdatedAt)
}

// Entries lists every entry, published or not, by category and position (the editors' list).
func (s *Store) Entries(ctx context.Context) ([]Entry, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+entryColumns+` FROM qa_entry e
		ORDER BY (SELECT position FROM qa_category c WHERE c.id = e.category_id), position, id`)
	if err != nil {
		return nil, fmt.Errorf("entries: %w", err)
	}
	return pgx.CollectRows(rows, scanEntry)
}

// Entry returns one entry, published or not.
func (s *Store) Entry(ctx context.Context, id int64) (Entry, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+entryColumns+` FROM qa_entry WHERE id = $1`, id)
	if err != nil {
		return Entry{}, fmt.Errorf("entry: %w", err)
	}
	e, err := pgx.CollectExactlyOneRow(rows, scanEntry)
	return e, notFound(err, "entry")
}

// SaveEntry creates a draft entry at the end of its category (e.ID 0) or changes one; a changed
// entry that moves to another category goes to that category's end.
func (s *Store) SaveEntry(ctx context.Context, staffID int64, en Entry) (Entry, error) {
	var err error
	for _, f := range []struct {
		v   *string
		max int
		req *fault.Error
	}{{&en.QuestionDA, MaxQuestion, ErrQuestionRequired}, {&en.QuestionEN, MaxQuestion, ErrQuestionRequired},
		{&en.AnswerDA, MaxAnswer, ErrAnswerRequired}, {&en.AnswerEN, MaxAnswer, ErrAnswerRequired}} {
		if *f.v, err = text(*f.v, f.max, f.req); err != nil {
			return en, err
		}
	}
	e := Event{Action: EventEntrySaved, Detail: map[string]any{"question_da": en.QuestionDA, "category": en.CategoryID}}
	err = s.change(ctx, staffID, &e, func(tx pgx.Tx) error {
		var ok bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM qa_category WHERE id = $1)`, en.CategoryID).Scan(&ok); err != nil {
			return fmt.Errorf("save entry: %w", err)
		}
		if !ok {
			return ErrCategoryInvalid
		}
		now := s.now()
		var err error
		if en.ID == 0 {
			err = tx.QueryRow(ctx, `INSERT INTO qa_entry (category_id, question_da, question_en, answer_da, answer_en,
					position, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, (SELECT coalesce(max(position), 0) + 1 FROM qa_entry WHERE category_id = $1), $6, $6)
				RETURNING id, position, published`,
				en.CategoryID, en.QuestionDA, en.QuestionEN, en.AnswerDA, en.AnswerEN, now).Scan(&en.ID, &en.Position, &en.Published)
		} else {
			err = tx.QueryRow(ctx, `UPDATE qa_entry SET question_da = $2, question_en = $3, answer_da = $4, answer_en = $5,
					position = CASE WHEN category_id = $6 THEN position
						ELSE (SELECT coalesce(max(position), 0) + 1 FROM qa_entry WHERE category_id = $6) END,
					category_id = $6, updated_at = $7
				WHERE id = $1 RETURNING position, published`,
				en.ID, en.QuestionDA, en.QuestionEN, en.AnswerDA, en.AnswerEN, en.CategoryID, now).Scan(&en.Position, &en.Published)
		}
		en.UpdatedAt = now
		e.Subject = fmt.Sprintf("qa_entry:%d", en.ID)
		return notFound(err, "save entry")
	})
	return en, err
}

// SetPublished shows an entry to visitors or hides it again.
func (s *Store) SetPublished(ctx context.Context, staffID, id int64, published bool) error {
	e := Event{Action: EventEntryShown, Subject: fmt.Sprintf("qa_entry:%d", id), Detail: map[string]any{"published": published}}
	return s.change(ctx, staffID, &e, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE qa_entry SET published = $2, updated_at = $3 WHERE id = $1`, id, published, s.now())
		if err != nil {
			return fmt.Errorf("publish entry: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		return nil
	})
}

// Search is what a visitor asks of the questions: a category (0 for all) and words (may be empty).
type Search struct {
	Lang       string
	CategoryID int64
	Query      string
}

// searchSQL is the published entries' search per language: each language's own text search
// configuration and vector. A question matches when the words match as the configuration
// stems them (websearch syntax: "quotes", or, -not), when every word matches as the start of a
// word (so "spærre" finds "spærring", which Danish stemming keeps apart), or when the typed
// text occurs as it is (short words and parts of words, such as "app" or "ID").
var searchSQL = map[string]string{"da": searchQuery("danish", "da"), "en": searchQuery("english", "en")}

func searchQuery(config, lang string) string {
	return fmt.Sprintf(`
		WITH q AS (SELECT websearch_to_tsquery('%[1]s', $2) || to_tsquery('%[1]s', $3) AS ts)
		SELECT `+entryColumns+` FROM qa_entry e, q
		WHERE published AND ($1::bigint = 0 OR category_id = $1)
			AND ($2 = '' OR search_%[2]s @@ q.ts OR question_%[2]s ILIKE $4 OR answer_%[2]s ILIKE $4)
		ORDER BY (SELECT position FROM qa_category c WHERE c.id = e.category_id),
			CASE WHEN $2 = '' THEN 0 ELSE ts_rank(search_%[2]s, q.ts) END DESC, position, id`, config, lang)
}

// Published returns the published entries that match sr, by category in the categories' order.
// An over-long query is refused; any other text is safe to search for.
func (s *Store) Published(ctx context.Context, sr Search) ([]Entry, error) {
	q := strings.TrimSpace(sr.Query)
	if utf8.RuneCountInString(q) > MaxQuery {
		return nil, ErrQueryTooLong
	}
	q = strings.ToValidUTF8(strings.ReplaceAll(q, "\x00", ""), "")
	lang := sr.Lang
	if lang != "en" {
		lang = "da"
	}
	rows, err := s.pool.Query(ctx, searchSQL[lang], sr.CategoryID, q, prefixQuery(q), "%"+likeEscape(q)+"%")
	if err != nil {
		return nil, fmt.Errorf("search entries: %w", err)
	}
	return pgx.CollectRows(rows, scanEntry)
}

// prefixQuery is a tsquery of every word of q as a prefix ("spærre:* & kort:*"). Only letters
// and digits reach it, so no text can be tsquery syntax; it is ” (matches nothing) without words.
func prefixQuery(q string) string {
	words := strings.FieldsFunc(q, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(words) > 10 {
		words = words[:10]
	}
	for i, w := range words {
		words[i] = w + ":*"
	}
	return strings.Join(words, " & ")
}

// likeEscape makes q a literal LIKE pattern.
func likeEscape(q string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q)
}
