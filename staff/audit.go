package staff

import (
	"context"

	"github.com/jackc/pgx/v5"

	"mitidportal/audit"
)

// Every event of a staff account's life (created, enrolled, logged in, failed login, locked,
// unlocked, roles changed, disabled, enabled) is written to the audit log by this package, in
// the transaction of the change itself, so that no caller can forget it and an entry exists
// exactly when the change does. An event by nobody in particular (the command line, a login
// attempt) has the system as actor.

// actor names staff member by as an actor; 0 is the system (the command line).
func actor(by int64) string {
	if by == 0 {
		return audit.ActorSystem
	}
	return audit.Staff(by)
}

// record appends one lifecycle entry about account id in tx.
func (s *Store) record(ctx context.Context, tx pgx.Tx, by int64, action audit.Action, id int64, detail map[string]any) error {
	return s.audit.Append(ctx, tx, audit.Entry{Actor: actor(by), Action: action, Subject: audit.Staff(id), Detail: detail})
}
