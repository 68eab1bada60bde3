package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/text/unicode/norm"

	"mitidportal/db"
)

// Person is an entry of the CPR register: who a CPR number belongs to and where they live.
type Person struct {
	CPR        CPR
	GivenName  string
	FamilyName string
	// BirthDate is the date the CPR number encodes; Insert takes it from the number.
	BirthDate   time.Time
	AddressLine string
	Postcode    string
	City        string
	// Email is the address the register knows, or "" (notifications then go by letter only).
	Email string
	// IDDocumentNumber is the number of a passport or driving licence the register knows, which
	// the activation-letter check asks for; "" when none is known.
	IDDocumentNumber string
	Deceased         bool
}

// FullName is the given and family name as written on a letter.
func (p Person) FullName() string { return p.GivenName + " " + p.FamilyName }

// Register looks people up by CPR number. Persons is the local stand-in; a client of the real
// CPR register can take its place.
type Register interface {
	// ByCPR returns the person with that number, or ErrNotFound.
	ByCPR(ctx context.Context, cpr CPR) (Person, error)
}

// MatchPerson checks what someone typed in to prove who they are: the CPR number, their full
// name (any case, any spacing) and the number of an identity document the register knows. Every
// mismatch, an unknown number and a deceased person all give the same ErrIdentityNotMatched, so
// the answer does not tell which part was wrong.
func MatchPerson(ctx context.Context, reg Register, cpr CPR, name, docNo string) (Person, error) {
	p, err := reg.ByCPR(ctx, cpr)
	if errors.Is(err, ErrNotFound) {
		return Person{}, ErrIdentityNotMatched
	}
	if err != nil {
		return Person{}, err
	}
	nameOK := foldName(name) == foldName(p.FullName())
	docOK := p.IDDocumentNumber != "" && foldDocument(docNo) == foldDocument(p.IDDocumentNumber)
	if !nameOK || !docOK || p.Deceased {
		return Person{}, ErrIdentityNotMatched
	}
	return p, nil
}

// foldName compares names the way a person means them: case, spacing and Unicode composition
// (å typed as a + ring) do not matter.
func foldName(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(norm.NFC.String(s)), " "))
}

// foldDocument drops spaces and case from a document number ("ab 123" = "AB123").
func foldDocument(s string) string {
	return strings.ToUpper(strings.Join(strings.Fields(s), ""))
}

// Persons is the local CPR register, kept in the person table.
type Persons struct{ pool *pgxpool.Pool }

// NewPersons returns the register kept in pool's database.
func NewPersons(pool *pgxpool.Pool) *Persons { return &Persons{pool: pool} }

const personColumns = `cpr, given_name, family_name, birth_date, address_line, postcode, city,
	coalesce(email, ''), coalesce(id_document_number, ''), deceased`

func scanPerson(row pgx.Row) (Person, error) {
	var p Person
	err := row.Scan(&p.CPR, &p.GivenName, &p.FamilyName, &p.BirthDate, &p.AddressLine,
		&p.Postcode, &p.City, &p.Email, &p.IDDocumentNumber, &p.Deceased)
	return p, err
}

// ByCPR returns the person with that number, or ErrNotFound.
func (r *Persons) ByCPR(ctx context.Context, cpr CPR) (Person, error) {
	p, err := scanPerson(r.pool.QueryRow(ctx, `SELECT `+personColumns+` FROM person WHERE cpr = $1`, cpr))
	if errors.Is(err, pgx.ErrNoRows) {
		return Person{}, ErrNotFound
	}
	if err != nil {
		return Person{}, fmt.Errorf("person by cpr: %w", err)
	}
	return p, nil
}

// Insert adds people to the register in one transaction (the demo seed adds thousands, so it
// copies rather than inserting row by row). An existing CPR number fails the whole batch.
func (r *Persons) Insert(ctx context.Context, people ...Person) error {
	for _, p := range people {
		if _, err := ParseCPR(string(p.CPR)); err != nil {
			return fmt.Errorf("insert person %q: %w", p.CPR, err)
		}
	}
	return db.Transact(ctx, r.pool, func(tx pgx.Tx) error {
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"person"},
			[]string{"cpr", "given_name", "family_name", "birth_date", "address_line", "postcode",
				"city", "email", "id_document_number", "deceased"},
			pgx.CopyFromSlice(len(people), func(i int) ([]any, error) {
				p := people[i]
				return []any{p.CPR, p.GivenName, p.FamilyName, p.CPR.BirthDate(), p.AddressLine,
					p.Postcode, p.City, nullIfEmpty(p.Email), nullIfEmpty(p.IDDocumentNumber),
					p.Deceased}, nil
			}))
		if err != nil {
			return fmt.Errorf("insert persons: %w", err)
		}
		return nil
	})
}

// SetDeceased records a death reported by the register.
func (r *Persons) SetDeceased(ctx context.Context, cpr CPR) error {
	tag, err := r.pool.Exec(ctx, `UPDATE person SET deceased = true WHERE cpr = $1`, cpr)
	if err != nil {
		return fmt.Errorf("set deceased: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}

func nullIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Contact is whom a notification about a MitID goes to: the person's name and the e-mail
// address the register knows ("" when none).
type Contact struct {
	MitIDID    int64
	CPR        CPR
	GivenName  string
	FamilyName string
	Email      string
}

// ContactOf returns the contact of the person who holds the MitID, read with q (the
// transaction of the change a notification reports, in Config.OnActivity), or ErrNotFound.
func ContactOf(ctx context.Context, q Querier, mitidID int64) (Contact, error) {
	c := Contact{MitIDID: mitidID}
	err := q.QueryRow(ctx, `
		SELECT p.cpr, p.given_name, p.family_name, coalesce(p.email, '')
		FROM mitid m JOIN person p ON p.cpr = m.cpr WHERE m.id = $1`, mitidID).
		Scan(&c.CPR, &c.GivenName, &c.FamilyName, &c.Email)
	if errors.Is(err, pgx.ErrNoRows) {
		return Contact{}, ErrNotFound
	}
	if err != nil {
		return Contact{}, fmt.Errorf("contact of mitid: %w", err)
	}
	return c, nil
}

// Contact returns the contact of the person who holds MitID mitidID (ContactOf on the Store's
// pool), or ErrNotFound.
func (s *Store) Contact(ctx context.Context, mitidID int64) (Contact, error) {
	return ContactOf(ctx, s.pool, mitidID)
}
