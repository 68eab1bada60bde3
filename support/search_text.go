package support

import (
	"context"
	"fmt"
	"slices"
	"strconv"
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
func prefixQuery(words []string, families bool) string { return termsQuery(words, families, ":*") }

// wholeQuery is prefixQuery with every word whole; the members of a word's family stay
// prefixes ("spærre" finds "spærring" as it always did).
func wholeQuery(words []string, families bool) string { return termsQuery(words, families, "") }

func termsQuery(words []string, families bool, wordPrefix string) string {
	groups := make([]string, 0, len(words))
	for _, w := range words {
		terms := []string{w}
		if utf8.RuneCountInString(w) >= minPrefix {
			terms[0] += wordPrefix
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

// tsQueries are the tsqueries a search runs as SQL: danish over the subject and messages,
// simple over the caller's name. For a plain query every word is a prefix; exactDanish and
// exactSimple are then the same words whole (stemmed as to_tsquery does): GIN reads a whole
// word's entries skipping what the other words rule out, while it collects every entry of a
// prefix in full first (for a caller's name, "anne jensen", about 100 ms against 7 at a million
// cases). With websearch syntax (quotes, "or", -word) nothing is a prefix and the exact ones
// are the same as the others.
type tsQueries struct {
	danish, simple           string
	exactDanish, exactSimple string
	exact                    bool // the exact ones differ
}

// textQuery is q's tsqueries, their arguments bound with bind (which returns the placeholder);
// ok is false when q has no word to search for.
func textQuery(q string, bind func(any) string) (t tsQueries, ok bool) {
	if usesOperators(q) {
		t.danish, t.simple = `websearch_to_tsquery('danish', `+bind(q)+`)`, `websearch_to_tsquery('simple', `+bind(q)+`)`
		t.exactDanish, t.exactSimple = t.danish, t.simple
		return t, true
	}
	words := queryWords(q)
	if len(words) == 0 {
		return t, false
	}
	t.danish = `to_tsquery('danish', ` + bind(prefixQuery(words, true)) + `)`
	t.simple = `to_tsquery('simple', ` + bind(prefixQuery(words, false)) + `)`
	t.exactDanish = `to_tsquery('danish', ` + bind(wholeQuery(words, true)) + `)`
	t.exactSimple = `to_tsquery('simple', ` + bind(wholeQuery(words, false)) + `)`
	t.exact = true
	return t, true
}

// from is the tsqueries in FROM, named dq, dqa (danish weighted A: the subject's words), sq
// and the exact ones dqe, dqea and sqe.
func (t tsQueries) from() string {
	return t.danish + ` AS dq, ` + weightA(t.danish) + ` AS dqa, ` + t.simple + ` AS sq, ` +
		t.exactDanish + ` AS dqe, ` + weightA(t.exactDanish) + ` AS dqea, ` + t.exactSimple + ` AS sqe`
}

// binder returns a bind function that appends an argument to *args and returns its placeholder.
func binder(args *[]any) func(any) string {
	return func(v any) string {
		*args = append(*args, v)
		return "$" + strconv.Itoa(len(*args))
	}
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
// but the commonest words, every match in it is ranked. For a plain query a tier takes the
// cases with the typed words whole first (tsQueries: GIN reads them far faster than prefixes),
// and those with a word only as a prefix only if fewer than RankWindow have them whole.
func searchText(ctx context.Context, tx pgx.Tx, sizes searchSizes, q string, exclude []int64, limit int) ([]Hit, error) {
	var args []any
	bind := binder(&args)
	t, ok := textQuery(q, bind)
	if !ok {
		return nil, nil
	}
	p, err := probeTiers(ctx, tx, sizes, q, t, args)
	if err != nil {
		return nil, err
	}
	// The subject's words are the search vector's weight A (dqa: the query with every word
	// weighted A, cheap on a row at hand) and the expression of support_case_subject_search (to
	// find them through the index). A GIN index cannot tell where the words are: for a phrase it
	// sends every case with all its words to be checked, which for the subject's expression
	// means parsing the subject again (12,600 cases for "mistet min kodeviser"). So a phrase is
	// looked up there by its words alone (subjectWords) and checked on the stored vector.
	fromList := `support_case, ` + t.from()
	best := tierConds{walk: `search @@ dqa OR contact_words @@ sq`,
		index: `to_tsvector('danish'::regconfig, subject) @@ dq OR contact_words @@ sq`}
	if words, ok := subjectWords(q); ok {
		fromList += `, websearch_to_tsquery('danish', ` + bind(words) + `) AS dqw`
		best.index = `(search @@ dqa AND to_tsvector('danish'::regconfig, subject) @@ dqw) OR contact_words @@ sq`
	}
	all := tierConds{walk: `search @@ dq OR contact_words @@ sq`, index: `search @@ dq OR contact_words @@ sq`}
	ph := tierParams{exclude: bind(exclude), window: bind(sizes.window), fromList: fromList}
	var bestSQL, allSQL, with string
	if t.exact {
		// The cases with the words whole first; those with a word only as a prefix (not whole)
		// only if fewer than the window have them whole.
		bestE := tierConds{walk: `search @@ dqea OR contact_words @@ sqe`,
			index: `to_tsvector('danish'::regconfig, subject) @@ dqe OR contact_words @@ sqe`}
		allE := tierConds{walk: `search @@ dqe OR contact_words @@ sqe`, index: `search @@ dqe OR contact_words @@ sqe`}
		pbE, paE := p.plan(p.bestE, true), p.plan(p.allE, true)
		if !pbE.ranged && !paE.ranged && p.bestE > 0 {
			// Both tiers read every whole match through the indexes (a caller's name): one read
			// serves both, since every case that matches the first tier matches the second.
			with = `whole AS MATERIALIZED (SELECT id, ` + bestE.walk + ` AS best FROM ` + fromList + `
				WHERE (` + allE.index + `) AND NOT id = ANY (` + ph.exclude + `)),`
			bestSQL = ph.exactFirstFrom(`(SELECT id FROM whole WHERE best ORDER BY id DESC LIMIT `+ph.window+`)`,
				p.plan(p.best-p.bestE, false), best.without(bestE), bind)
			allSQL = ph.exactFirstFrom(`(SELECT id FROM whole ORDER BY id DESC LIMIT `+ph.window+`)`,
				p.plan(p.all-p.allE, false), all.without(allE), bind)
		} else {
			bestSQL = ph.exactFirst(pbE, bestE, p.plan(p.best-p.bestE, false), best.without(bestE), bind)
			allSQL = ph.exactFirst(paE, allE, p.plan(p.all-p.allE, false), all.without(allE), bind)
		}
	} else {
		bestSQL = ph.tier(p.plan(p.best, false), best, bind)
		allSQL = ph.tier(p.plan(p.all, false), all, bind)
	}
	// The tsqueries are functions in FROM, not a CTE: folded to constants at planning, so the
	// planner sees the words (a CTE hides them and makes every word look rare). Only the
	// candidates are ranked, after both tiers have chosen them.
	rows, err := tx.Query(ctx, `
		WITH `+with+` cand AS (`+bestSQL+` UNION `+allSQL+`),
		top AS (
			SELECT id, dq, ts_rank_cd(search, dq) + ts_rank_cd(contact_words, sq) AS rank
			FROM support_case JOIN cand USING (id), `+t.danish+` AS dq, `+t.simple+` AS sq
			ORDER BY rank DESC, id DESC LIMIT `+bind(limit)+`)
		SELECT `+caseColumns+`, top.rank, ts_headline('danish',
			translate(left(c.subject || '. ' || coalesce((SELECT string_agg(e.body, ' ' ORDER BY e.id)
				FROM (SELECT body, id FROM support_entry WHERE case_id = c.id AND kind = 'message'
					ORDER BY id LIMIT 3) e), ''), 1500), E'\x01\x02', ''),
			top.dq, 'StartSel=`+markStart+`, StopSel=`+markStop+`, MaxWords=24, MinWords=8')
		FROM support_case c JOIN top USING (id)
		ORDER BY top.rank DESC, c.id DESC`,
		append([]any{pgx.QueryExecModeExec}, args...)...)
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
	probeSize      = 1000
	probeWordsSize = 250
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

// probeTiers counts what plans how searchText reads each tier (probe.plan) from what the
// newest cases tell: the share of the newest probeSize that match each tier (with the words
// whole, and as prefixes), and how often each word is in the newest probeWordsSize. The
// planner's own estimate for the words cannot do it: for a word it has no statistics on it is a
// fixed share of the cases (0.5 %), and at a million cases it then read an absent word newest
// first through all of them (seconds).
func probeTiers(ctx context.Context, tx pgx.Tx, sizes searchSizes, q string, t tsQueries, args []any) (probe, error) {
	p := probe{sizes: sizes}
	var workers string
	wd, ws := wordTerms(q)
	if len(wd) < 2 {
		wd, ws = nil, nil // one word's entries are the tier's own matches: counted below
	}
	args = slices.Clone(args)
	bind := binder(&args)
	// It also turns parallel query and JIT compilation off for the rest of the transaction:
	// starting workers costs more than the search's reads (hundreds of milliseconds on a busy
	// machine), and the candidates' query, whose estimates count every case a word might be in,
	// was compiled on every search (50 to 170 ms of CPU, for reads of a millisecond).
	err := tx.QueryRow(ctx, `
		WITH w AS MATERIALIZED (SELECT to_tsquery('danish', d) AS d, to_tsquery('simple', s) AS s
			FROM unnest(coalesce(`+bind(wd)+`::text[], '{}'), coalesce(`+bind(ws)+`::text[], '{}')) AS u (d, s))
		SELECT count(*) FILTER (WHERE search @@ dqa OR contact_words @@ sq),
			count(*) FILTER (WHERE search @@ dq OR contact_words @@ sq),
			count(*) FILTER (WHERE search @@ dqea OR contact_words @@ sqe),
			count(*) FILTER (WHERE search @@ dqe OR contact_words @@ sqe), count(*),
			coalesce(max(id), 0), coalesce(min(id), 0),
			(SELECT count(*) FROM (SELECT search, contact_words FROM support_case ORDER BY id DESC LIMIT `+bind(sizes.probeWords)+`) c, w
				WHERE search @@ w.d OR contact_words @@ w.s),
			set_config('max_parallel_workers_per_gather', '0', true) || set_config('jit', 'off', true)
		FROM (SELECT id, search, contact_words FROM support_case ORDER BY id DESC LIMIT `+bind(sizes.probe)+`) c, `+t.from(),
		args...).Scan(&p.best, &p.all, &p.bestE, &p.allE, &p.n, &p.top, &p.low, &p.wordHits, &workers)
	if err != nil {
		return p, fmt.Errorf("search text: probe: %w", err)
	}
	p.words = min(p.n, sizes.probeWords)
	if wd == nil && p.n > 0 {
		p.wordHits, p.words = p.all, p.n
	}
	return p, nil
}

// weightA is the SQL of the tsquery q (SQL) with every lexeme weighted A: it matches the
// subject's words only (the search vector's weight A) on the vector as stored, where
// ts_filter(search, '{a}') built a vector of them on every row it checked. The tsquery's text
// quotes every lexeme, a quote in it doubled ('kodevis':*), and nothing else is quoted.
func weightA(q string) string {
	return `CAST(regexp_replace((` + q + `)::text, $re$'((?:[^']|'')*)'(?::(\*))?$re$, $re$'\1':\2A$re$, 'g') AS tsquery)`
}
