package audit

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Name is what an actor or subject of the log names, for people to read: a member of staff's
// name and e-mail address, a MitID's username, a person's name. A citizen is never named by CPR
// number: the log's readers see it in no list.
type Name struct {
	Name  string
	Email string // staff only
}

// Names looks up the names of refs ("staff:3", "mitid:7", "person:0101901234"), in one query,
// for a page of the log. Actor and subject are text, not foreign keys (migration 00006), so a
// reference whose row is gone, or of another kind ("case:ABCDEF", "system"), is not in the map.
func (l *Log) Names(ctx context.Context, refs []string) (map[string]Name, error) {
	var staffIDs, mitidIDs []int64
	var cprs []string
	for _, r := range refs {
		kind, v, ok := strings.Cut(r, ":")
		if !ok {
			continue
		}
		switch kind {
		case "staff", "mitid":
			id, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				continue
			}
			if kind == "staff" {
				staffIDs = append(staffIDs, id)
			} else {
				mitidIDs = append(mitidIDs, id)
			}
		case "person":
			cprs = append(cprs, v)
		}
	}
	names := map[string]Name{}
	if len(staffIDs)+len(mitidIDs)+len(cprs) == 0 {
		return names, nil
	}
	rows, err := l.pool.Query(ctx, `
		SELECT 'staff:' || id, name, email FROM staff_user WHERE id = ANY ($1)
		UNION ALL
		SELECT 'mitid:' || id, username, '' FROM mitid WHERE id = ANY ($2)
		UNION ALL
		SELECT 'person:' || cpr, given_name || ' ' || family_name, '' FROM person WHERE cpr = ANY ($3)`,
		staffIDs, mitidIDs, cprs)
	if err != nil {
		return nil, fmt.Errorf("audit: names: %w", err)
	}
	var ref string
	var n Name
	_, err = pgx.ForEachRow(rows, []any{&ref, &n.Name, &n.Email}, func() error {
		names[ref] = n
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("audit: names: %w", err)
	}
	return names, nil
}
