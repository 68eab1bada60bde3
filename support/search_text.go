package support

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
)

// Full-text search that finds what agents type (issue 9 item 2). PostgreSQL's danish stemmer
// gives "spærret" and "spærre" the stem "spær" but "spærring" its own, "kodevis" is a prefix
// and not a word, and the same thing has two names ("kodeviser" and "kodeoplæser"). So a plain
// query becomes a tsquery built here: every word a prefix (to_tsquery stems it first, so
// "kodeviseren:*" is "kodevis:*"), or'ed with the stems of its word family below.

// wordFamilies are the desk's own words whose forms the stemmer splits or that have another
// name: a query word that starts with one member also searches every member as a prefix.
// Members are stems as the danish stemmer gives them.
var wordFamilies = [][]string{
	{"spær"},                                // spærre, spærret, spærring, spærrede, spærringen
	{"kodevis", "kodeoplæs"},                // kodeviser, kodeoplæser
	{"adgangskod", "kodeord", "password"},   // adgangskode, kodeord
	{"ophæv", "genåbn"},                     // ophæve, ophævet, ophævelse, genåbne
	{"aktiveringskod", "aktiveringsbrev"},   // aktiveringskode(n), aktiveringsbrevet
	{"stjål", "stjæl", "tyveri", "misbrug"}, // stjålet, stjæle, tyveri, misbrugt
}

// minPrefix is the shortest word searched as a prefix: "k:*" would read half the index.
const minPrefix = 3

// maxQueryWords bounds the words of a query that become tsquery terms.
const maxQueryWords = 12

// queryWords splits q into lower-case words of letters and digits.
func queryWords(q string) []string {
	words := strings.FieldsFunc(strings.ToLower(q), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	if len(words) > maxQueryWords {
		words = words[:maxQueryWords]
	}
	return words
}

// usesOperators reports whether q uses websearch syntax: a quoted phrase, "or", or -word.
func usesOperators(q string) bool {
	if strings.Contains(q, `"`) {
		return true
	}
	for _, f := range strings.Fields(q) {
		if strings.EqualFold(f, "or") || strings.HasPrefix(f, "-") && len(f) > 1 {
			return true
		}
	}
	return false
}

// prefixQuery is the words as to_tsquery text: all of them, each a prefix, with its family
// when families is set. The words hold only letters and digits, so nothing in them is
// tsquery syntax.
func prefixQuery(words []string, families bool) string {
	groups := make([]string, 0, len(words))
	for _, w := range words {
		terms := []string{w}
		if utf8.RuneCountInString(w) >= minPrefix {
			terms[0] += ":*"
		}
		if families {
			for _, fam := range wordFamilies {
				if !startsWithAny(w, fam) {
					continue
				}
				for _, stem := range fam {
					terms = append(terms, stem+":*")
				}
			}
		}
		groups = append(groups, "("+strings.Join(terms, " | ")+")")
	}
	return strings.Join(groups, " & ")
}

func startsWithAny(w string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(w, p) {
			return true
		}
	}
	return false
}

// textQuery is the SQL of the two tsqueries a search runs ($1 the danish one over the subject
// and messages, $2 the simple one over the caller's name) and their arguments; ok is false
// when q has no word to search for.
func textQuery(q string) (danish, simple string, args []any, ok bool) {
	if usesOperators(q) {
		return `websearch_to_tsquery('danish', $1)`, `websearch_to_tsquery('simple', $2)`, []any{q, q}, true
	}
	words := queryWords(q)
	if len(words) == 0 {
		return "", "", nil, false
	}
	return `to_tsquery('danish', $1)`, `to_tsquery('simple', $2)`,
		[]any{prefixQuery(words, true), prefixQuery(words, false)}, true
}

// subjectWords is a query with quoted phrases as the same words without the quotes, for
// websearch_to_tsquery: every case that has a phrase has its words. ok is false when q has no
// phrase, or negates something (-"a b" excludes fewer cases than -a b).
func subjectWords(q string) (words string, ok bool) {
	if !strings.Contains(q, `"`) {
		return "", false
	}
	for _, f := range strings.Fields(q) {
		if strings.HasPrefix(f, "-") {
			return "", false
		}
	}
	return strings.ReplaceAll(q, `"`, " "), true
}

// Snippet markers: ts_headline puts them around the words that matched, and Snippet turns
// them into parts. They are control characters that the source text is stripped of first, so
// nothing a citizen wrote can open or close a highlight, and the view escapes every part.
const (
	markStart = "\x01"
	markStop  = "\x02"
)

// Snippet is an excerpt of a case that a search found, with the matching words marked.
type Snippet []SnippetPart

// SnippetPart is a piece of a snippet's text; Mark is set on the words that matched.
type SnippetPart struct {
	Text string
	Mark bool
}

// parseSnippet splits ts_headline's output at the markers.
func parseSnippet(s string) Snippet {
	var out Snippet
	for s != "" {
		i := strings.Index(s, markStart)
		if i < 0 {
			out = append(out, SnippetPart{Text: s})
			break
		}
		if i > 0 {
			out = append(out, SnippetPart{Text: s[:i]})
		}
		s = s[i+len(markStart):]
		j := strings.Index(s, markStop)
		if j < 0 {
			j = len(s)
		}
		out = append(out, SnippetPart{Text: s[:j], Mark: true})
		s = strings.TrimPrefix(s[j:], markStop)
	}
	return out
}

// searchText finds the cases (not in exclude) whose subject and messages match the danish
// query or whose caller's name matches the simple one, and returns the best limit of them by
// ts_rank_cd, with a snippet of the subject and the citizen's first messages (the first 1,500
// characters: ts_headline parses all it is given).
//
// Every matching case is a candidate, but ranking all of them is too slow when a word is in
// most cases, so the candidates are chosen in two tiers by what the indexes tell cheaply: the
// RankWindow newest cases whose subject or caller's name matches (the subject's words weigh
// most in the rank: 1.0 to a message's 0.4 per occurrence), however old, and the RankWindow
// newest cases that match anywhere. Where a tier has fewer matches than RankWindow, as for all
// but the commonest words, every match in it is ranked.
func searchText(ctx context.Context, tx pgx.Tx, q string, exclude []int64, limit int) ([]Hit, error) {
	danish, simple, args, ok := textQuery(q)
	if !ok {
		return nil, nil
	}
	best, all, err := probeTiers(ctx, tx, q, danish, simple, args)
	if err != nil {
		return nil, err
	}
	// The subject's words are the search vector's weight A (ts_filter, cheap on a row at hand)
	// and the expression of support_case_subject_search (to find them through the index). A GIN
	// index cannot tell where the words are: for a phrase it sends every case with all its words
	// to be checked, which for the subject's expression means parsing the subject again (12,600
	// cases for "mistet min kodeviser"). So a phrase is looked up there by its words alone
	// (subjectWords) and checked on the stored vector.
	fromList := `support_case, ` + danish + ` AS dq, ` + simple + ` AS sq`
	bestIndex := `to_tsvector('danish'::regconfig, subject) @@ dq OR contact_words @@ sq`
	extra := []any{}
	if words, ok := subjectWords(q); ok {
		fromList += `, websearch_to_tsquery('danish', $8) AS dqw`
		bestIndex = `(ts_filter(search, '{a}') @@ dq AND to_tsvector('danish'::regconfig, subject) @@ dqw) OR contact_words @@ sq`
		extra = append(extra, words)
	}
	bestSQL := best.sql(`ts_filter(search, '{a}') @@ dq OR contact_words @@ sq`, bestIndex, "$6", fromList)
	allSQL := all.sql(`search @@ dq OR contact_words @@ sq`, `search @@ dq OR contact_words @@ sq`, "$7", fromList)
	// The tsqueries are functions in FROM, not a CTE: folded to constants at planning, so the
	// planner sees the words (a CTE hides them and makes every word look rare). Only the
	// candidates are ranked, after both tiers have chosen them.
	rows, err := tx.Query(ctx, `
		WITH cand AS (`+bestSQL+` UNION `+allSQL+`),
		top AS (
			SELECT id, dq, ts_rank_cd(search, dq) + ts_rank_cd(contact_words, sq) AS rank
			FROM support_case JOIN cand USING (id), `+danish+` AS dq, `+simple+` AS sq
			ORDER BY rank DESC, id DESC LIMIT $4)
		SELECT `+caseColumns+`, top.rank, ts_headline('danish',
			translate(left(c.subject || '. ' || coalesce((SELECT string_agg(e.body, ' ' ORDER BY e.id)
				FROM (SELECT body, id FROM support_entry WHERE case_id = c.id AND kind = 'message'
					ORDER BY id LIMIT 3) e), ''), 1500), E'\x01\x02', ''),
			top.dq, 'StartSel=`+markStart+`, StopSel=`+markStop+`, MaxWords=24, MinWords=8')
		FROM support_case c JOIN top USING (id)
		ORDER BY top.rank DESC, c.id DESC`,
		append([]any{pgx.QueryExecModeExec}, append(append(args, exclude, limit, RankWindow, best.from, all.from), extra...)...)...)
	if err != nil {
		return nil, fmt.Errorf("search text: %w", err)
	}
	hits, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Hit, error) {
		h := Hit{Match: MatchText}
		var snippet string
		c, err := scanCase(withExtra{row, []any{&h.Rank, &snippet}})
		h.Case = c
		if strings.Contains(snippet, markStart) {
			h.Snippet = parseSnippet(snippet)
		}
		return h, err
	})
	if err != nil {
		return nil, fmt.Errorf("search text: %w", err)
	}
	return hits, nil
}

// probeSize is how many of the newest cases probeTiers looks at, and probeWordsSize how many
// of them it counts each word on (the GIN indexes' cost: a rough share is enough).
const (
	probeSize      = 2000
	probeWordsSize = 500
	maxProbeWords  = 6
)

// wordTerms are q's words, each alone as to_tsquery text (danish with its family, simple):
// what the GIN indexes read per word, for probeTiers to price.
func wordTerms(q string) (danish, simple []string) {
	for _, w := range queryWords(q) {
		if w == "or" || len(danish) == maxProbeWords {
			continue
		}
		danish = append(danish, prefixQuery([]string{w}, true))
		simple = append(simple, prefixQuery([]string{w}, false))
	}
	return danish, simple
}

// probeTiers plans how searchText reads each tier (tierPlan) from what the newest cases tell:
// the share of the newest probeSize that match the tier, and how often each word is in the
// newest probeWordsSize. The planner's own estimate for the words cannot do it: for a word it
// has no statistics on it is a fixed share of the cases (0.5 %), and at a million cases it
// then read an absent word newest first through all of them (seconds).
func probeTiers(ctx context.Context, tx pgx.Tx, q, danish, simple string, args []any) (best, all tierPlan, err error) {
	var p probe
	var workers string
	wd, ws := wordTerms(q)
	if len(wd) < 2 {
		wd, ws = nil, nil // one word's entries are the tier's own matches: counted below
	}
	// It also turns parallel query and JIT compilation off for the rest of the transaction:
	// starting workers costs more than the search's reads (hundreds of milliseconds on a busy
	// machine), and the candidates' query, whose estimates count every case a word might be in,
	// was compiled on every search (50 to 170 ms of CPU, for reads of a millisecond).
	err = tx.QueryRow(ctx, `
		WITH c AS MATERIALIZED (SELECT id, search, contact_words FROM support_case ORDER BY id DESC LIMIT $3),
		w AS MATERIALIZED (SELECT to_tsquery('danish', d) AS dq, to_tsquery('simple', s) AS sq
			FROM unnest(coalesce($4::text[], '{}'), coalesce($5::text[], '{}')) AS u (d, s))
		SELECT count(*) FILTER (WHERE ts_filter(search, '{a}') @@ dq OR contact_words @@ sq),
			count(*) FILTER (WHERE search @@ dq OR contact_words @@ sq), count(*),
			coalesce(max(id), 0), coalesce(min(id), 0),
			(SELECT count(*) FROM (SELECT search, contact_words FROM c ORDER BY id DESC LIMIT $6) c, w
				WHERE search @@ w.dq OR contact_words @@ w.sq),
			set_config('max_parallel_workers_per_gather', '0', true) || set_config('jit', 'off', true)
		FROM c, `+danish+` AS dq, `+simple+` AS sq`, append(args, probeSize, wd, ws, probeWordsSize)...).Scan(
		&p.best, &p.all, &p.n, &p.top, &p.low, &p.wordHits, &workers)
	if err != nil {
		return best, all, fmt.Errorf("search text: probe: %w", err)
	}
	p.words = min(p.n, probeWordsSize)
	if wd == nil && p.n > 0 {
		p.wordHits, p.words = p.all, p.n
	}
	return p.plan(p.best), p.plan(p.all), nil
}
