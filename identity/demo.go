package identity

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"mitidportal/db"
)

// DemoEmailDomain is the domain of every generated e-mail address; it is reserved (RFC 2606
// .example), so no demo mail can reach a real person.
const DemoEmailDomain = "demo.mitid.example"

var (
	demoGivenFemale = []string{"Anne", "Mette", "Kirsten", "Hanne", "Susanne", "Lene", "Maria",
		"Marianne", "Karen", "Louise", "Camilla", "Charlotte", "Pia", "Tina", "Gitte", "Ida",
		"Emma", "Sofie", "Freja", "Line"}
	demoGivenMale = []string{"Peter", "Jens", "Michael", "Lars", "Henrik", "Søren", "Thomas",
		"Jan", "Niels", "Christian", "Martin", "Anders", "Morten", "Jesper", "Mads", "Rasmus",
		"Frederik", "Mikkel", "Jørgen", "Ole"}
	demoFamily = []string{"Nielsen", "Jensen", "Hansen", "Pedersen", "Andersen", "Christensen",
		"Larsen", "Sørensen", "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen",
		"Olsen", "Thomsen", "Christiansen", "Poulsen", "Johansen", "Møller", "Mortensen"}
	// Invented street names: no generated address is anybody's home.
	demoStreets = []string{"Demovej", "Prøvegade", "Eksempelvej", "Testvænget", "Fiktivallé",
		"Opdigtet Stræde", "Skabelonvej", "Attrapgade"}
	demoTowns = [][2]string{{"1050", "København K"}, {"2100", "København Ø"},
		{"2200", "København N"}, {"2300", "København S"}, {"2800", "Kongens Lyngby"},
		{"3000", "Helsingør"}, {"4000", "Roskilde"}, {"5000", "Odense C"}, {"6000", "Kolding"},
		{"6700", "Esbjerg"}, {"7100", "Vejle"}, {"7400", "Herning"}, {"8000", "Aarhus C"},
		{"8600", "Silkeborg"}, {"8900", "Randers C"}, {"9000", "Aalborg"}}
)

// GenerateDemoPersons makes n invented people with distinct, valid CPR numbers (the seventh
// digit fits the birth year), common Danish names matching the sex the number encodes, invented
// street addresses in real towns, and mostly an e-mail under DemoEmailDomain and an identity
// document number. The same rng state gives the same people.
//
// The CPR numbers are chosen to fail the modulus-11 check and none falls on 1 January: every
// number issued before 2007 passes that check, and the later exceptions are mostly 1 January
// birthdays, so a generated number is very unlikely to be a real person's.
func GenerateDemoPersons(rng *rand.Rand, n int) []Person {
	people := make([]Person, 0, n)
	seen := make(map[CPR]bool, n)
	for len(people) < n {
		cpr := demoCPR(rng)
		if seen[cpr] {
			continue
		}
		seen[cpr] = true
		given := pick(rng, demoGivenFemale)
		if cpr.Sex() == SexMale {
			given = pick(rng, demoGivenMale)
		}
		family := pick(rng, demoFamily)
		town := pick(rng, demoTowns)
		p := Person{
			CPR:         cpr,
			GivenName:   given,
			FamilyName:  family,
			BirthDate:   cpr.BirthDate(),
			AddressLine: fmt.Sprintf("%s %d", pick(rng, demoStreets), 1+rng.IntN(120)),
			Postcode:    town[0],
			City:        town[1],
			Deceased:    rng.IntN(50) == 0,
		}
		if rng.IntN(5) != 0 {
			p.Email = fmt.Sprintf("%s.%s%d@%s", asciiFold(given), asciiFold(family), len(people)+1,
				DemoEmailDomain)
		}
		switch rng.IntN(10) {
		case 0: // no document known
		case 1, 2, 3: // driving licence: eight digits
			p.IDDocumentNumber = fmt.Sprintf("%08d", rng.IntN(100_000_000))
		default: // passport: nine digits
			p.IDDocumentNumber = fmt.Sprintf("%09d", rng.IntN(1_000_000_000))
		}
		people = append(people, p)
	}
	return people
}

// demoCPR draws a birth date from 1930 to 2006, a seventh digit whose century rule gives that
// year, and the remaining digits so that the modulus-11 check fails.
func demoCPR(rng *rand.Rand) CPR {
	for {
		start := time.Date(1930, 1, 1, 0, 0, 0, 0, time.UTC)
		born := start.AddDate(0, 0, rng.IntN(77*365))
		if born.YearDay() == 1 {
			continue
		}
		yy := born.Year() % 100
		var sevenths []int
		for d := range 10 {
			if Century(d, yy)+yy == born.Year() {
				sevenths = append(sevenths, d)
			}
		}
		s := fmt.Sprintf("%02d%02d%02d%d%03d", born.Day(), int(born.Month()), yy,
			pick(rng, sevenths), rng.IntN(1000))
		if modulus11(s) {
			continue
		}
		cpr, err := ParseCPR(s)
		if err != nil {
			panic("demo CPR " + s + " does not parse: " + err.Error())
		}
		return cpr
	}
}

// modulus11 is the pre-2007 check: the weighted digit sum is divisible by 11.
func modulus11(s string) bool {
	weights := [10]int{4, 3, 2, 7, 6, 5, 4, 3, 2, 1}
	sum := 0
	for i, w := range weights {
		sum += int(s[i]-'0') * w
	}
	return sum%11 == 0
}

func pick[T any](rng *rand.Rand, from []T) T { return from[rng.IntN(len(from))] }

// asciiFold spells a name for the local part of an e-mail address.
func asciiFold(s string) string {
	return strings.NewReplacer("æ", "ae", "ø", "oe", "å", "aa", " ", "").Replace(strings.ToLower(s))
}

// DemoPassword is the password of every demo citizen: printed by the seed, so it is no secret.
const DemoPassword = "Blåbærgrød-2026"

// DemoCitizen is a demo person whose login the seed prints. Username "" makes the person only
// (in the register, without a MitID, to try creating one).
type DemoCitizen struct {
	Person    Person
	Username  string
	Password  string
	Assurance Level
	// Token, when set, is imported and activated as the citizen's code display or audio code
	// reader.
	Token *TokenSeed
	// Blocked blocks the MitID once it is set up, to show what a blocked citizen sees.
	Blocked bool
}

// DemoCitizens returns the seed's demo citizens, drawn from rng: one with a code display, one
// with an audio code reader, a blocked one, and a person without a MitID. Each is alive, has an
// e-mail address and a document number.
func DemoCitizens(rng *rand.Rand) []DemoCitizen {
	var people []Person
	for _, p := range GenerateDemoPersons(rng, 40) {
		if !p.Deceased && p.Email != "" && p.IDDocumentNumber != "" {
			people = append(people, p)
		}
	}
	seed := func(serial string, kind Kind) *TokenSeed {
		secret := make([]byte, 20)
		for i := range secret {
			secret[i] = byte(rng.IntN(256))
		}
		return &TokenSeed{Serial: serial, Kind: kind, Secret: secret, Algorithm: "SHA1", Digits: 6, Period: 30}
	}
	return []DemoCitizen{
		{Person: people[0], Username: "demo.kodeviser", Password: DemoPassword, Assurance: LevelSubstantial,
			Token: seed("DEMO-CD-0001", KindCodeDisplay)},
		{Person: people[1], Username: "demo.kodeoplaeser", Password: DemoPassword, Assurance: LevelHigh,
			Token: seed("DEMO-AR-0001", KindAudioReader)},
		{Person: people[2], Username: "demo.spaerret", Password: DemoPassword, Assurance: LevelSubstantial,
			Token: seed("DEMO-CD-0002", KindCodeDisplay), Blocked: true},
		{Person: people[3]},
	}
}

// SetUpDemoCitizen puts c into the register (a CPR number already there is kept as it is),
// creates the MitID, imports and activates the token and blocks it if asked. Running it again
// for the same citizen changes nothing and returns the existing MitID; a person-only citizen
// returns the zero MitID.
func (s *Store) SetUpDemoCitizen(ctx context.Context, c DemoCitizen) (MitID, error) {
	p := c.Person
	if _, err := s.pool.Exec(ctx, `
		INSERT INTO person (cpr, given_name, family_name, birth_date, address_line, postcode, city,
			email, id_document_number, deceased)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (cpr) DO NOTHING`,
		p.CPR, p.GivenName, p.FamilyName, p.CPR.BirthDate(), p.AddressLine, p.Postcode, p.City,
		nullIfEmpty(p.Email), nullIfEmpty(p.IDDocumentNumber), p.Deceased); err != nil {
		return MitID{}, fmt.Errorf("demo person: %w", err)
	}
	if c.Username == "" {
		return MitID{}, nil
	}
	if m, err := s.MitIDByUsername(ctx, c.Username); err == nil {
		return m, nil
	} else if !errors.Is(err, ErrNotFound) {
		return MitID{}, err
	}
	m, err := s.CreateMitID(ctx, NewMitID{CPR: p.CPR, Username: c.Username, Password: c.Password,
		Assurance: c.Assurance, Actor: ActorSystem})
	if err != nil {
		return MitID{}, fmt.Errorf("demo mitid %s: %w", c.Username, err)
	}
	if c.Token != nil {
		if _, err := s.tokens.Import(ctx, []TokenSeed{*c.Token}); err != nil {
			return MitID{}, err
		}
		// Activated directly rather than with ActivateToken, which would use up the current
		// code: whoever tries the demo login right after the seed would get "wrong code".
		err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
			u, err := s.tokens.unit(ctx, tx, c.Token.Serial, "FOR UPDATE")
			if err != nil {
				return err
			}
			if u.State != "in_stock" {
				return fmt.Errorf("demo token %s is %s", u.Serial, u.State)
			}
			_, err = s.activateUnit(ctx, tx, m.ID, u, ActorSystem)
			return err
		})
		if err != nil {
			return MitID{}, fmt.Errorf("demo token: %w", err)
		}
	}
	if c.Blocked {
		if err := s.BlockMitID(ctx, m.ID, BlockOther, ActorSystem, nil); err != nil {
			return MitID{}, err
		}
		return s.MitID(ctx, m.ID)
	}
	return m, nil
}
