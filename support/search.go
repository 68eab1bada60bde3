package support

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"mitidportal/identity"
)

// MatchKind is how a search found a case.
type MatchKind string

// Match kinds, in the order Search lists their hits.
const (
	// MatchRef: the query was the case's reference code (NormalizeRef).
	MatchRef MatchKind = "ref"
	// MatchCPR: the query was a CPR number and the case belongs to a MitID of that person.
	MatchCPR MatchKind = "cpr"
	// MatchUsername: the query was the username of the case's MitID (any case of letters).
	MatchUsername MatchKind = "username"
	// MatchText: the case's subject or the citizen's messages match the words.
	MatchText MatchKind = "text"
)

// MatchKinds lists every kind.
var MatchKinds = []MatchKind{MatchRef, MatchCPR, MatchUsername, MatchText}

// MsgID is the message ID of the kind's label.
func (m MatchKind) MsgID() string { return "support.match." + string(m) }

// Hit is one case a search found.
type Hit struct {
	Case  Case
	Match MatchKind
	// Rank is ts_rank_cd of a text match (higher is better); 0 for the exact look-ups.
	Rank float32
}

// SearchResult is what Search found.
type SearchResult struct {
	// CPR is set when the query was a CPR number (in the form DDMMYYSSSS). Search then looked
	// up a citizen: the caller must write that look-up to the audit log, whether or not it
	// found cases.
	CPR string
	// Hits are the exact matches first (reference code, CPR, username), then the text matches
	// by rank; each case once.
	Hits []Hit
}

// MaxQuery is the longest search query, in characters.
const MaxQuery = 200

// RankWindow is how many of the newest matching cases a text search ranks. A word that is in
// most cases ("mitid") would otherwise rank all of them on every search (over 100 ms at
// 100,000 cases); beyond a few thousand matches a query is too broad for its ranking to
// matter, and the newest cases are the likeliest wanted.
const RankWindow = 2000

// Search finds cases for the agent's search box. Exact look-ups come first: a reference code
// (as typed or dictated, NormalizeRef), a CPR number (the cases of every MitID the person has
// had) or a MitID username. Then, for any query, full-text search in Danish over the subject
// and the citizen's messages with PostgreSQL's websearch syntax ("quoted phrases", or, -not)
// and the danish stemmer, so "kodeviseren" finds "kodeviser" and "spærret" finds "spærre";
// ranked by ts_rank_cd (the subject counting more than the messages) among the RankWindow
// newest matching cases. At most limit hits (default 25, at most 200).
func (s *Cases) Search(ctx context.Context, q string, limit int) (SearchResult, error) {
	var res SearchResult
	q = strings.TrimSpace(q)
	if utf8.RuneCountInString(q) > MaxQuery {
		return res, ErrSearchQueryTooLong
	}
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
		c, err := getCase(ctx, s.pool, `ref = $1`, ref)
		switch err {
		case nil:
			add([]Case{c}, MatchRef)
		case ErrNotFound:
		default:
			return res, fmt.Errorf("search by reference: %w", err)
		}
	}
	if cpr, err := identity.ParseCPR(strings.ReplaceAll(q, " ", "")); err == nil {
		res.CPR = string(cpr)
		cases, err := s.casesWhere(ctx, `mitid_id IN (SELECT id FROM mitid WHERE cpr = $1)`, string(cpr), limit)
		if err != nil {
			return res, fmt.Errorf("search by cpr: %w", err)
		}
		add(cases, MatchCPR)
	} else if _, err := identity.ValidateUsername(q); err == nil {
		cases, err := s.casesWhere(ctx, `mitid_id IN (SELECT id FROM mitid WHERE lower(username) = lower($1))`, q, limit)
		if err != nil {
			return res, fmt.Errorf("search by username: %w", err)
		}
		add(cases, MatchUsername)
	}
	if len(res.Hits) >= limit {
		return res, nil
	}
	// Planned for each query's words (QueryExecModeExec: no cached generic plan): a common
	// word is best read newest first along the primary key, a rare one through the GIN index,
	// and only the words tell which.
	rows, err := s.pool.Query(ctx, `
		WITH recent AS (
			SELECT id, search, query FROM support_case, websearch_to_tsquery('danish', $1) AS query
			WHERE search @@ query AND NOT id = ANY ($2)
			ORDER BY id DESC LIMIT $4),
		top AS (
			SELECT id, ts_rank_cd(search, query) AS rank FROM recent ORDER BY rank DESC, id DESC LIMIT $3)
		SELECT `+caseColumns+`, top.rank FROM support_case JOIN top USING (id)
		ORDER BY top.rank DESC, id DESC`, pgx.QueryExecModeExec, q, ids, limit-len(res.Hits), RankWindow)
	if err != nil {
		return res, fmt.Errorf("search text: %w", err)
	}
	hits, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Hit, error) {
		h := Hit{Match: MatchText}
		c, err := scanCase(withExtra{row, []any{&h.Rank}})
		h.Case = c
		return h, err
	})
	if err != nil {
		return res, fmt.Errorf("search text: %w", err)
	}
	res.Hits = append(res.Hits, hits...)
	return res, nil
}

// casesWhere returns up to limit cases matching where (one argument), newest first.
func (s *Cases) casesWhere(ctx context.Context, where string, arg any, limit int) ([]Case, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+caseColumns+` FROM support_case WHERE `+where+
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
