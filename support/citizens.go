package support

import (
	"context"
	"fmt"
	"net/mail"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"mitidportal/db"
	"mitidportal/fault"
	"mitidportal/identity"
)

// Citizens in the desk's search box (issue 9 item 1): the caller is found by CPR number,
// username, name, e-mail address or phone number. Every citizen a search lists is a look-up of
// that citizen: the Lookup hook records it (the citizen's activity log and the audit log) in
// the transaction that read it, so a listed citizen is always a logged one.

// ErrCitizenNotFound: the CPR number or username given to link a case names no MitID in use.
var ErrCitizenNotFound = fault.New("support", fault.Invalid, "support.err.citizen_not_found")

// EntryCitizenLink is a case linked or relinked to a citizen by an agent; Detail has "from"
// and "to", the MitID ids (0 for none).
const EntryCitizenLink EntryKind = "citizen_link"

// MaxCitizenHits bounds the citizens one search lists, and so the look-ups it records: a
// common name must not log a look-up of a whole town.
const MaxCitizenHits = 10

// Citizen is a MitID a search found, with the register's name for its person.
type Citizen struct {
	MitIDID  int64
	CPR      identity.CPR
	Username string
	Name     string
	Status   identity.Status
	Match    MatchKind
}

// Lookup is support looking citizens up: who, which MitIDs (none: a CPR number that found
// nobody, still a look-up), how ("cpr", "username", "name", "email", "phone", "link") and from
// which case, if any.
type Lookup struct {
	StaffID  int64
	MitIDIDs []int64
	Via      string
	Case     string
}

// LookupHook records a look-up in the caller's transaction. app/ wires it to the citizen's
// activity log and the audit log.
type LookupHook func(ctx context.Context, tx pgx.Tx, l Lookup) error

// WithLookupHook sets the hook that records citizen look-ups. Without one, Find lists no
// citizens and LinkCitizen and OpenLinked refuse: a look-up that is not logged must not happen.
func WithLookupHook(h LookupHook) Option { return func(c *Cases) { c.lookup = h } }

// citizenQuery is what a query means as a citizen look-up: one of the exact keys, or the words
// of a name.
type citizenQuery struct {
	via   MatchKind
	key   string   // cpr, lower-cased username or e-mail, phone key
	words []string // name: at least two, each a prefix
}

// parseCitizenQuery reads q as a CPR number (with or without dash or spaces), an e-mail
// address, a phone number (eight digits or more), a username, or a name of two words or more.
// A single word is not looked up as a name: "Hansen" would list (and log) strangers.
func parseCitizenQuery(q string) (citizenQuery, bool) {
	compact := strings.NewReplacer(" ", "", "-", "").Replace(q)
	if cpr, err := identity.ParseCPR(compact); err == nil {
		return citizenQuery{via: MatchCPR, key: string(cpr)}, true
	}
	if key, ok := phoneKey(q); ok {
		return citizenQuery{via: MatchPhone, key: key}, true
	}
	if strings.Contains(q, "@") {
		if a, err := mail.ParseAddress(q); err == nil && a.Address == q {
			return citizenQuery{via: MatchEmail, key: strings.ToLower(q)}, true
		}
		return citizenQuery{}, false
	}
	if _, err := identity.ValidateUsername(q); err == nil && !strings.Contains(q, " ") {
		return citizenQuery{via: MatchUsername, key: strings.ToLower(q)}, true
	}
	if words := queryWords(q); len(words) >= 2 && len(words) <= 5 {
		return citizenQuery{via: MatchName, words: words}, true
	}
	return citizenQuery{}, false
}

// phoneKey is a phone number's last eight digits (support_case.contact_phone_key), when q is
// nothing but a phone number with at least eight digits.
func phoneKey(q string) (string, bool) {
	var digits strings.Builder
	for _, r := range q {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case r == ' ' || r == '-' || r == '+' || r == '(' || r == ')' || r == '.':
		default:
			return "", false
		}
	}
	d := digits.String()
	if len(d) < 8 || len(d) > 15 {
		return "", false
	}
	return d[len(d)-8:], true
}

// citizenWhere is the condition on mitid m JOIN person p of each kind of look-up ($1 the key).
// A phone number is not in the register: it finds the citizens whose cases gave it.
var citizenWhere = map[MatchKind]string{
	MatchCPR:      `m.cpr = $1`,
	MatchUsername: `lower(m.username) = $1`,
	MatchEmail:    `lower(p.email) = $1`,
	MatchPhone:    `m.id IN (SELECT mitid_id FROM support_case WHERE contact_phone_key = $1 AND mitid_id IS NOT NULL)`,
	MatchName:     `to_tsvector('simple', p.given_name || ' ' || p.family_name) @@ to_tsquery('simple', $1)`,
}

// findCitizens lists up to MaxCitizenHits MitIDs for cq, those in use first, newest first.
func findCitizens(ctx context.Context, tx pgx.Tx, cq citizenQuery) ([]Citizen, error) {
	key := cq.key
	if cq.via == MatchName {
		key = prefixQuery(cq.words, false)
	}
	rows, err := tx.Query(ctx, `
		SELECT m.id, m.cpr, m.username, p.given_name || ' ' || p.family_name, m.status
		FROM mitid m JOIN person p ON p.cpr = m.cpr
		WHERE `+citizenWhere[cq.via]+`
		ORDER BY m.status = 'revoked', m.id DESC LIMIT $2`, key, MaxCitizenHits)
	if err != nil {
		return nil, fmt.Errorf("find citizens by %s: %w", cq.via, err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Citizen, error) {
		c := Citizen{Match: cq.via}
		err := row.Scan(&c.MitIDID, &c.CPR, &c.Username, &c.Name, &c.Status)
		return c, err
	})
}

// FindResult is what the desk's search box found: citizens, then cases.
type FindResult struct {
	Citizens []Citizen
	SearchResult
	// Lookup reports that the query looked citizens up (or was a CPR number): a Find without
	// a staff member leaves Citizens and the cases found through a citizen out, and the
	// handler offers to repeat the search as an audited POST.
	Lookup bool
}

// Find is the desk's one search box: the citizens the query names (parseCitizenQuery), then
// the cases (Search). With staffID set, the citizens listed and the MitIDs whose cases were
// found by CPR number or username are recorded as look-ups (the Lookup hook) in the
// transaction that read them, and a CPR number that found nobody is recorded too. With
// staffID 0 (a GET, which writes nothing) Find records nothing and shows no citizen: Lookup
// says whether it would have.
func (s *Cases) Find(ctx context.Context, q string, staffID int64, limit int) (FindResult, error) {
	var res FindResult
	err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		res.SearchResult, err = s.search(ctx, tx, q, limit)
		if err != nil || res.Query == "" {
			return err
		}
		cq, ok := parseCitizenQuery(res.Query)
		if ok && s.lookup != nil {
			if res.Citizens, err = findCitizens(ctx, tx, cq); err != nil {
				return err
			}
		}
		var ids []int64
		for _, c := range res.Citizens {
			ids = append(ids, c.MitIDID)
		}
		for _, h := range res.Hits {
			if (h.Match == MatchCPR || h.Match == MatchUsername) && !slices.Contains(ids, h.Case.MitIDID) {
				ids = append(ids, h.Case.MitIDID)
			}
		}
		res.Lookup = len(ids) > 0 || res.CPR != ""
		if !res.Lookup {
			return nil
		}
		if staffID == 0 || s.lookup == nil {
			res.Citizens = nil
			res.Hits = withoutCitizenHits(res.Hits)
			return nil
		}
		return s.lookup(ctx, tx, Lookup{StaffID: staffID, MitIDIDs: ids, Via: string(cq.via)})
	})
	return res, err
}

// withoutCitizenHits drops the cases found through a citizen (CPR number, username): showing
// them is a look-up.
func withoutCitizenHits(hits []Hit) []Hit {
	var out []Hit
	for _, h := range hits {
		if h.Match != MatchCPR && h.Match != MatchUsername {
			out = append(out, h)
		}
	}
	return out
}
