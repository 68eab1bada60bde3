package support

import "math"

// How searchText reads the candidates of a tier: the RankWindow newest cases that match.
//
// Through a GIN index PostgreSQL finds every match, and must then read each from the table to
// learn its id and keep the newest: when the words are in 0.5 % of a million cases that is
// 5,000 rows read at random, for RankWindow of them. Newest first along the primary key it
// reads RankWindow/share rows (100,000 at 0.5 %), stopping at RankWindow matches. So the
// probe's share of the newest cases that match (probeTiers) sets a range of ids, the newest
// cases that should hold about spanMargin x RankWindow matches, and the tier is read within
// it: newest first, or through the GIN indexes and the primary key together (a BitmapAnd,
// which reads from the table only the matches in the range), whichever the probe prices lower
// (probe.plan). Only if the range held fewer than RankWindow matches (the newest cases were not
// like the older ones) are the older ones read, through the GIN indexes: every match is a
// candidate, whatever the probe saw.

// tierPlan is where a tier's range of ids starts (the cases with an id above from) and how it
// is read; without a range (ranged false) the tier is read through the GIN indexes only.
type tierPlan struct {
	ranged, walk bool
	from         int64
}

// probe is what probeTiers counted: the matches of each tier among the n newest cases, whose
// ids run from low to top, and the matches of the words one by one among the newest words
// cases (a case with two of the words counts twice).
type probe struct {
	best, all, n, wordHits int
	bestE, allE            int // the tiers' matches with the words whole
	words                  int // the cases wordHits were counted on
	top, low               int64
	sizes                  searchSizes
}

// searchSizes are the sizes of a text search: the cases each tier ranks (RankWindow) and the
// newest cases the probe counts on (probeSize, probeWordsSize). Tests make them small to reach
// with a few hundred cases what a big database reaches with hundreds of thousands.
type searchSizes struct{ window, probe, probeWords int }

var defaultSearchSizes = searchSizes{window: RankWindow, probe: probeSize, probeWords: probeWordsSize}

// The CPU cost, in microseconds, of reading a row newest first and checking the words on it
// (walkRow), of a GIN index's entry for a word read by prefix (ginEntry: prefix matches are
// collected into a bitmap of every match, whatever the other words) or whole (ginWhole: GIN
// skips through a whole word's entries to the next that the other words have), of a row fetched
// from the table after the indexes (heapRow) and of an id of the range read from the primary key
// (rangeID); measured on the big database.
const (
	walkRow  = 0.5
	ginEntry = 0.7
	ginWhole = 0.05
	heapRow  = 2.0
	rangeID  = 0.1
	// spanMargin is how many times RankWindow matches the range should hold by the probe's
	// share (the probe counts few matches where the words are rare: its share is rough).
	spanMargin = 2
)

// plan plans a tier with the given matches among the newest cases, for the words whole or as
// prefixes. Without matches (or with fewer cases than the probe reads) the range is empty and
// the tier is read through the indexes only. Else the range is read the cheaper way: newest
// first costs RankWindow/share rows, through the indexes every entry of every word (however
// rare the words are together) plus the matches in the range and its ids from the primary key.
// Where every match costs less to fetch than the range's ids (a caller's name: 5,000 matches,
// 200,000 ids), the tier is read through the indexes only.
func (p probe) plan(matches int, whole bool) tierPlan {
	if matches <= 0 || p.n < p.sizes.probe {
		return tierPlan{from: p.top}
	}
	share := float64(matches) / float64(p.n)
	idsPerCase := float64(p.top-p.low+1) / float64(p.n)
	cases := float64(p.top) / idsPerCase
	window := float64(p.sizes.window)
	span := math.Min(spanMargin*window/share, cases)
	entries := float64(p.wordHits) / float64(max(p.words, 1)) * cases
	gin := ginEntry
	if whole {
		gin = ginWhole
	}
	walk := walkRow * window / share
	index := gin*entries + heapRow*spanMargin*window + rangeID*span
	if every := gin*entries + heapRow*share*cases; every < min(walk, index) {
		return tierPlan{from: p.top} // fewer matches than the range has ids: all of them
	}
	return tierPlan{ranged: true, walk: walk <= index, from: p.top - int64(span*idsPerCase)}
}

// tierConds are a tier's condition on a row at hand (walk) and the same through the GIN
// indexes (index), on the tsqueries of tsQueries.from.
type tierConds struct{ walk, index string }

// without is c for the cases that e does not match.
func (c tierConds) without(e tierConds) tierConds {
	return tierConds{walk: `(` + c.walk + `) AND NOT (` + e.walk + `)`, index: `(` + c.index + `) AND NOT (` + e.walk + `)`}
}

// tierParams are the placeholders of the cases to leave out (exclude) and of the window, and
// the FROM list of the tiers' queries: the table and the tsqueries.
type tierParams struct{ exclude, window, fromList string }

// tier is the tier's query for the ids of its candidates: the window newest cases that match c.
func (ph tierParams) tier(p tierPlan, c tierConds, bind func(any) string) string {
	return `(SELECT id FROM (` + ph.parts(p, c, bind) + `) t LIMIT ` + ph.window + `)`
}

// exactFirst is the tier's query for the ids of its candidates when the words are prefixes:
// the window newest cases that have them whole (e), and only if fewer do, the newest that have
// a word only as a prefix (prefix).
func (ph tierParams) exactFirst(pe tierPlan, e tierConds, pp tierPlan, prefix tierConds, bind func(any) string) string {
	return ph.exactFirstFrom(ph.parts(pe, e, bind), pp, prefix, bind)
}

// exactFirstFrom is exactFirst with the whole words' query given.
func (ph tierParams) exactFirstFrom(whole string, pp tierPlan, prefix tierConds, bind func(any) string) string {
	return `(SELECT id FROM (` + whole + ` UNION ALL ` + ph.parts(pp, prefix, bind) + `) t LIMIT ` + ph.window + `)`
}

// parts is the queries that read the tier as p plans it, in the order they are to be read:
// within the range, then the older cases through the GIN indexes. A LIMIT over them (UNION
// ALL) stops reading once it has the window's ids, so the older cases are read only if the
// range held fewer.
func (ph tierParams) parts(p tierPlan, c tierConds, bind func(any) string) string {
	from := `(SELECT id FROM ` + ph.fromList + ` WHERE (`
	// "id + 0" cannot be read from the primary key: the GIN indexes it is.
	older := from + c.index + `) AND NOT id = ANY (` + ph.exclude + `)`
	if !p.ranged {
		return older + ` ORDER BY id + 0 DESC LIMIT ` + ph.window + `)`
	}
	cond, order := c.index, "id + 0 DESC"
	if p.walk {
		cond, order = c.walk, "id DESC"
	}
	f := bind(p.from)
	return from + cond + `) AND id > ` + f + ` AND NOT id = ANY (` + ph.exclude + `)
			ORDER BY ` + order + ` LIMIT ` + ph.window + `)
		UNION ALL
		` + older + ` AND id <= ` + f + ` ORDER BY id + 0 DESC LIMIT ` + ph.window + `)`
}
