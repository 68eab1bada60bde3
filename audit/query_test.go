package audit

import (
	"context"
	"slices"
	"testing"
	"time"

	"mitidportal/db/dbtest"
)

// TestListFilters: each filter of the audit log page is a condition of the query, and they
// combine; a page of one actor holds nobody else's entries however the other filters are set.
func TestListFilters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.New(t)
	l := NewLog(pool)
	for _, e := range []Entry{
		{Actor: Staff(1), Action: ActionCitizenLookup, Subject: MitID(7)},
		{Actor: Staff(2), Action: ActionCitizenLookup, Subject: MitID(7)},
		{Actor: Staff(1), Action: ActionBlockMitID, Subject: MitID(8)},
		{Actor: ActorSystem, Action: ActionStaffLocked, Subject: Staff(2)},
		{Actor: Staff(2), Action: ActionDocumentCheck, Subject: "person:0101901234"},
	} {
		if err := l.AppendNow(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	// Entry 6 is a day old: the period filters see it apart.
	if _, err := pool.Exec(ctx, `ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`); err != nil {
		t.Fatal(err)
	}
	if err := l.AppendNow(ctx, Entry{Actor: Staff(1), Action: ActionVerifyCaller, Subject: MitID(7)}); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE audit_log SET at = at - interval '1 day' WHERE action = 'verify_caller';
		ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, tt := range []struct {
		name string
		f    Filter
		want []Action // newest first
	}{
		{"everything", Filter{}, []Action{ActionVerifyCaller, ActionDocumentCheck, ActionStaffLocked, ActionBlockMitID, ActionCitizenLookup, ActionCitizenLookup}},
		{"actor", Filter{Actor: Staff(1)}, []Action{ActionVerifyCaller, ActionBlockMitID, ActionCitizenLookup}},
		{"actor and another's subject", Filter{Actor: Staff(1), Subject: Staff(2)}, nil},
		{"actor and action", Filter{Actor: Staff(2), Action: ActionCitizenLookup}, []Action{ActionCitizenLookup}},
		{"subjects", Filter{Subjects: []string{MitID(8), "person:0101901234"}}, []Action{ActionDocumentCheck, ActionBlockMitID}},
		{"no subjects", Filter{Subjects: []string{}}, nil},
		{"from an hour ago", Filter{From: now.Add(-time.Hour)}, []Action{ActionDocumentCheck, ActionStaffLocked, ActionBlockMitID, ActionCitizenLookup, ActionCitizenLookup}},
		{"until an hour ago", Filter{Actor: Staff(1), To: now.Add(-time.Hour)}, []Action{ActionVerifyCaller}},
		{"system", Filter{Actor: ActorSystem}, []Action{ActionStaffLocked}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			recs, err := l.List(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var got []Action
			for _, r := range recs {
				got = append(got, r.Action)
				if tt.f.Actor != "" && r.Actor != tt.f.Actor {
					t.Errorf("entry %d by %s in a page of %s", r.ID, r.Actor, tt.f.Actor)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestNames: staff by name and address, a MitID by username, a person by name; references of
// other kinds, malformed ones and rows that are gone are left out.
func TestNames(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.New(t)
	var staffID, mitidID int64
	if err := pool.QueryRow(ctx, `INSERT INTO staff_user (email, name, roles) VALUES ('rie@example.dk', 'Rie Revisor', '{auditor}')
		RETURNING id`).Scan(&staffID); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO person (cpr, given_name, family_name, birth_date, address_line, postcode, city)
		VALUES ('0101901234', 'Bo', 'Borger', '1990-01-01', 'Vej 1', '1000', 'By'),
		       ('0202902345', 'Lis', 'Uden', '1990-02-02', 'Vej 2', '1000', 'By')`); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `INSERT INTO mitid (cpr, username, identity_assurance) VALUES ('0101901234', 'bo.borger', 'substantial')
		RETURNING id`).Scan(&mitidID); err != nil {
		t.Fatal(err)
	}
	names, err := NewLog(pool).Names(ctx, []string{Staff(staffID), MitID(mitidID), "person:0202902345",
		Staff(staffID + 100), "mitid:x", Case("ABCDEF"), ActorSystem, ""})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Name{
		Staff(staffID):      {Name: "Rie Revisor", Email: "rie@example.dk"},
		MitID(mitidID):      {Name: "bo.borger"},
		"person:0202902345": {Name: "Lis Uden"},
	}
	if len(names) != len(want) {
		t.Errorf("names %v, want %v", names, want)
	}
	for ref, n := range want {
		if names[ref] != n {
			t.Errorf("%s: %+v, want %+v", ref, names[ref], n)
		}
	}
}
