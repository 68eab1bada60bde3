package support

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"mitidportal/db"
)

// MatchKind is how a search found a case or a citizen.
type MatchKind string

// Match kinds, in the order Search lists their hits.
const (
	// MatchRef: the query was the case's reference code (NormalizeRef).
	MatchRef MatchKind = "ref"
	// MatchCPR: the query was a CPR number and the case belongs to a MitID of that person.
	MatchCPR MatchKind = "cpr"
	// MatchUsername: the query was the username of the case's MitID (any case of letters).
	MatchUsername MatchKind = "username"
	// MatchEmail: the query was the case's contact e-mail address (any case of letters), or a
	// citizen's in the register.
	MatchEmail MatchKind = "email"
	// MatchPhone: the query was the case's contact phone number (its last eight digits), or a
	// number a citizen's cases gave.
	MatchPhone MatchKind = "phone"
	// MatchName: the words were a prefix each of a citizen's given or family name (citizens
	// only; a caller's name on a case is a text match).
	MatchName MatchKind = "name"
	// MatchText: the case's subject, the citizen's messages or the caller's name match the
	// words.
	MatchText MatchKind = "text"
)

// MatchKinds lists every kind.
var MatchKinds = []MatchKind{MatchRef, MatchCPR, MatchUsername, MatchEmail, MatchPhone, MatchName, MatchText}

// MsgID is the message ID of the kind's label.
func (m MatchKind) MsgID() string { return "support.match." + string(m) }

// Hit is one case a search found.
type Hit struct {
	Case  Case
	Match MatchKind
	// Rank is ts_rank_cd of a text match (higher is better); 0 for the exact look-ups.
	Rank float32
	// Snippet is where a text match found the words, for a text match in the subject or the
	// citizen's messages.
	Snippet Snippet
}

// SearchResult is what Search found.
type SearchResult struct {
	// Query is the query as searched (trimmed).
	Query string
	// CPR is set when the query was a CPR number (in the form DDMMYYSSSS). Search then looked
	// up a citizen: the caller must write that look-up to the audit log, whether or not it
	// found cases.
	CPR string
	// Ref is set when the query was the reference code of a case: the desk goes straight to it.
	Ref string
	// Hits are the exact matches first (reference code, CPR, username, e-mail, phone), then the
	// text matches by rank; each case once.
	Hits []Hit
}

// MaxQuery is the longest search query, in characters.
const MaxQuery = 200

// RankWindow bounds the cases a text search ranks per tier (searchText): the newest
// RankWindow whose subject or caller's name has the words, and the newest RankWindow that have
// them anywhere. A word that is in most cases ("mitid") would otherwise rank all of them on
// every search (seconds at 1,000,000 cases), while ts_rank_cd puts a case with the words in its
// subject above one that only mentions them, so the first tier holds the best matches however
// old they are.
const RankWindow = 500

// Search finds cases for the agent's search box (read only; Find adds the citizens and records
// the look-ups). Exact look-ups come first: a reference code (as typed or dictated,
// NormalizeRef), a CPR number (the cases of every MitID the person has had), a MitID username,
// the contact e-mail address or phone number. Then full-text search in Danish over the subject,
// the citizen's messages and the caller's name (textQuery: every word a prefix, with the other
// forms of the desk's own words, or PostgreSQL's websearch syntax when the query uses quotes,
// "or" or -not), ranked by ts_rank_cd among the best candidates (searchText), each with a
// highlighted snippet. At most limit hits (default 25, at most 200).
func (s *Cases) Search(ctx context.Context, q string, limit int) (SearchResult, error) {
	var res SearchResult
	err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		res, err = s.search(ctx, tx, q, limit)
		return err
	})
	return res, err
}

func (s *Cases) search(ctx context.Context, tx pgx.Tx, q string, limit int) (SearchResult, error) {
	var res SearchResult
	q = strings.TrimSpace(q)
	if utf8.RuneCountInString(q) > MaxQuery {
		return res, ErrSearchQueryTooLong
	}
	res.Query = q
	if q == "" {
		return res, nil
	}
	if limit <= 0 {
		limit = 25
	}
	limit = min(limit, 200)

	ids := []int64{} // not nil: ANY (NULL) would exclude every case
	add := func(cases []Case, m MatchKind) {
		for _, c := range cases {
			if len(res.Hits) < limit && !slices.Contains(ids, c.ID) {
				res.Hits = append(res.Hits, Hit{Case: c, Match: m})
				ids = append(ids, c.ID)
			}
		}
	}
	if ref, ok := NormalizeRef(q); ok {
		c, err := getCase(ctx, tx, `ref = $1`, ref)
		switch err {
		case nil:
			res.Ref = c.Ref
			add([]Case{c}, MatchRef)
		case ErrNotFound:
		default:
			return res, fmt.Errorf("search by reference: %w", err)
		}
	}
	if cq, ok := parseCitizenQuery(q); ok && caseWhere[cq.via] != "" {
		if cq.via == MatchCPR {
			res.CPR = cq.key
		}
		cases, err := casesWhere(ctx, tx, caseWhere[cq.via], cq.key, limit)
		if err != nil {
			return res, fmt.Errorf("search by %s: %w", cq.via, err)
		}
		add(cases, cq.via)
	}
	if len(res.Hits) >= limit {
		return res, nil
	}
	hits, err := searchText(ctx, tx, s.sizes, q, ids, limit-len(res.Hits))
	if err != nil {
		return res, err
	}
	res.Hits = append(res.Hits, hits...)
	return res, nil
}

// caseWhere is the condition on support_case of each exact look-up ($1 the key of
// parseCitizenQuery).
var caseWhere = map[MatchKind]string{
	MatchCPR:      `mitid_id IN (SELECT id FROM mitid WHERE cpr = $1)`,
	MatchUsername: `mitid_id IN (SELECT id FROM mitid WHERE lower(username) = $1)`,
	MatchEmail:    `lower(contact_email) = $1 AND contact_email <> ''`,
	MatchPhone:    `contact_phone_key = $1 AND contact_phone_key <> ''`,
}

// casesWhere returns up to limit cases matching where (one argument), newest first.
func casesWhere(ctx context.Context, tx pgx.Tx, where string, arg any, limit int) ([]Case, error) {
	rows, err := tx.Query(ctx, `SELECT `+caseColumns+` FROM support_case WHERE `+where+
		` ORDER BY id DESC LIMIT $2`, arg, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, collectCase)
}

// withExtra scans a row that has columns after the case's into extra.
type withExtra struct {
	pgx.Row
	extra []any
}

func (r withExtra) Scan(dest ...any) error { return r.Row.Scan(append(dest, r.extra...)...) }
