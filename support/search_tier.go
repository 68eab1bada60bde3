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
	words                  int // the cases wordHits were counted on
	top, low               int64
}

// The CPU cost, in microseconds, of reading a row newest first and checking the words on it
// (walkRow), of a GIN index's entry for a word read by prefix (ginEntry: prefix matches are
// collected into a bitmap of every match, whatever the other words), of a row fetched from the
// table after the indexes (heapRow) and of an id of the range read from the primary key
// (rangeID); measured on the big database.
const (
	walkRow  = 1.7
	ginEntry = 1.0
	heapRow  = 8.0
	rangeID  = 0.1
	// spanMargin is how many times RankWindow matches the range should hold by the probe's
	// share (the probe counts few matches where the words are rare: its share is rough).
	spanMargin = 2
)

// plan plans a tier with the given matches among the newest cases. Without matches (or with
// fewer cases than the probe reads) the range is empty and the tier is read through the
// indexes only. Else the range is read the cheaper way: newest first costs RankWindow/share
// rows, through the indexes every entry of every word (however rare the words are together)
// plus the matches in the range.
func (p probe) plan(matches int) tierPlan {
	if matches == 0 || p.n < probeSize {
		return tierPlan{from: p.top}
	}
	share := float64(matches) / float64(p.n)
	idsPerCase := float64(p.top-p.low+1) / float64(p.n)
	cases := float64(p.top) / idsPerCase
	span := math.Min(spanMargin*RankWindow/share, cases)
	entries := float64(p.wordHits) / float64(max(p.words, 1)) * cases
	walk := walkRow * RankWindow / share
	index := ginEntry*entries + heapRow*spanMargin*RankWindow + rangeID*span
	return tierPlan{ranged: true, walk: walk <= index, from: p.top - int64(span*idsPerCase)}
}

// sql is the tier's query for the ids of its candidates: walkCond is its condition on a row
// at hand, indexCond the same through the GIN indexes, fromParam the placeholder of p.from and
// fromList the table and the queries.
// The second part runs only if the first yields fewer than RankWindow ($5) ids: a LIMIT over
// UNION ALL stops reading once it has them.
func (p tierPlan) sql(walkCond, indexCond, fromParam, fromList string) string {
	// "id + 0" cannot be read from the primary key: the GIN indexes it is.
	cond, order := indexCond, "id + 0 DESC"
	if p.walk {
		cond, order = walkCond, "id DESC"
	}
	from := ` FROM ` + fromList + ` WHERE (`
	if !p.ranged {
		return `(SELECT id` + from + indexCond + `) AND ` + fromParam + `::bigint IS NOT NULL AND NOT id = ANY ($3)
			ORDER BY id + 0 DESC LIMIT $5)`
	}
	return `(SELECT id FROM (
			(SELECT id` + from + cond + `) AND id > ` + fromParam + ` AND NOT id = ANY ($3)
				ORDER BY ` + order + ` LIMIT $5)
			UNION ALL
			(SELECT id` + from + indexCond + `) AND id <= ` + fromParam + ` AND NOT id = ANY ($3)
				ORDER BY id + 0 DESC LIMIT $5)) t LIMIT $5)`
}
