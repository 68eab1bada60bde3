package identity

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mitidportal/db"
)

// ActivationPurpose says what an activation code may be used for.
type ActivationPurpose string

// Activation purposes.
const (
	// ActivationCreate makes a new MitID (CreateMitID with NewMitID.ActivationID).
	ActivationCreate ActivationPurpose = "create"
	// ActivationRecover sets up new means for a MitID whose means are all lost.
	ActivationRecover ActivationPurpose = "recover"
	// ActivationLift lifts the block of a blocked MitID (DESIGN.md §3.6): issued only at
	// borgerservice, by the identification app, or by letter after support verified the caller.
	ActivationLift ActivationPurpose = "lift"
)

// Activation code defaults.
const (
	// DefaultActivationValidity is how long a code lasts: a letter takes days to arrive.
	DefaultActivationValidity = 14 * 24 * time.Hour
	// DefaultActivationTries is how many wrong tries spend a code.
	DefaultActivationTries = 5
)

// activationAlphabet has no 0/O, 1/I/L: a code is read off paper and typed by hand. 31
// symbols to the power of 12 is about 59 bits, against at most 5 tries.
const (
	activationAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
	activationLength   = 12
)

// ActivationCode is an issued activation code; the code itself is only ever known to Issue's
// caller, the database holds its argon2id hash.
type ActivationCode struct {
	ID         int64
	CPR        CPR
	Purpose    ActivationPurpose
	Assurance  Level
	CreatedAt  time.Time
	ExpiresAt  time.Time
	UsedAt     *time.Time
	ReplacedAt *time.Time
	Tries      int
	MaxTries   int
	IssuedBy   string
}

// live reports whether the code can still be used at now.
func (c ActivationCode) live(now time.Time) bool {
	return c.UsedAt == nil && c.ReplacedAt == nil && c.Tries < c.MaxTries && now.Before(c.ExpiresAt)
}

// ActivationConfig sets how codes are issued. Zero fields take the defaults.
type ActivationConfig struct {
	Validity time.Duration
	MaxTries int
	// Hasher bounds the argon2id computations; nil gives one with the defaults.
	Hasher *Hasher
	// Now is the clock; nil is time.Now.
	Now func() time.Time
	// Deliver, when set, sends every issued code to the person (the letter to the CPR address,
	// an e-mail where the register knows one) in the issuing transaction, unless the caller of
	// IssueAndDeliver brings its own delivery. An error issues nothing.
	Deliver func(ctx context.Context, tx pgx.Tx, d Delivery) error
	// Record, when set, writes an activity entry in the issuing transaction (wired to
	// Store.RecordActivity): a code issued by staff for an existing MitID is in its activity log
	// and, through it, in the audit log.
	Record func(ctx context.Context, tx pgx.Tx, a Activity) error
}

// Delivery is a freshly issued code on its way to the person.
type Delivery struct {
	Person Person
	// Code is the code as printed (FormatActivationCode).
	Code       string
	Activation ActivationCode
}

// Activations issues and checks one-time activation codes.
type Activations struct {
	pool   *pgxpool.Pool
	cfg    ActivationConfig
	hasher *Hasher
}

// NewActivations returns the activation codes kept in pool's database.
func NewActivations(pool *pgxpool.Pool, cfg ActivationConfig) *Activations {
	if cfg.Validity <= 0 {
		cfg.Validity = DefaultActivationValidity
	}
	if cfg.MaxTries <= 0 {
		cfg.MaxTries = DefaultActivationTries
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	h := cfg.Hasher
	if h == nil {
		h = NewHasher(HasherConfig{})
	}
	return &Activations{pool: pool, cfg: cfg, hasher: h}
}

func (a *Activations) now() time.Time { return a.cfg.Now().Truncate(time.Microsecond) }

// FormatActivationCode groups a code as it is printed: XXXX-XXXX-XXXX.
func FormatActivationCode(code string) string {
	var b strings.Builder
	for i, r := range code {
		if i > 0 && i%4 == 0 {
			b.WriteByte('-')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// normActivationCode undoes what people do when typing a code: lower case, spaces and hyphens.
// ok is false when the rest cannot be a code at all.
func normActivationCode(s string) (code string, ok bool) {
	s = strings.ToUpper(strings.NewReplacer(" ", "", "-", "", "\t", "").Replace(s))
	if len(s) != activationLength {
		return "", false
	}
	for _, r := range s {
		if !strings.ContainsRune(activationAlphabet, r) {
			return "", false
		}
	}
	return s, true
}

func newActivationCode() (string, error) {
	b := make([]byte, activationLength)
	for i := range b {
		// Rejection sampling: a plain modulo would favour the first symbols.
		for {
			var x [1]byte
			if _, err := rand.Read(x[:]); err != nil {
				return "", fmt.Errorf("activation code: %w", err)
			}
			if int(x[0]) < 256/len(activationAlphabet)*len(activationAlphabet) {
				b[i] = activationAlphabet[int(x[0])%len(activationAlphabet)]
				break
			}
		}
	}
	return string(b), nil
}

const activationColumns = `id, cpr, purpose, assurance, created_at, expires_at, used_at, replaced_at,
	tries, max_tries, issued_by`

func scanActivation(row pgx.Row) (ActivationCode, error) {
	var c ActivationCode
	err := row.Scan(&c.ID, &c.CPR, &c.Purpose, &c.Assurance, &c.CreatedAt, &c.ExpiresAt, &c.UsedAt,
		&c.ReplacedAt, &c.Tries, &c.MaxTries, &c.IssuedBy)
	return c, err
}

// Issue makes a new activation code for the person with cpr, who proved their identity at
// assurance (substantial by letter, high in person). It returns the code grouped for printing
// (FormatActivationCode) and its record. Older unused codes of the same person and purpose stop
// working: only the newest letter counts. An unknown CPR number is ErrNotFound.
func (a *Activations) Issue(ctx context.Context, cpr CPR, purpose ActivationPurpose, assurance Level,
	issuedBy string) (string, ActivationCode, error) {
	return a.IssueAndDeliver(ctx, cpr, purpose, assurance, issuedBy, nil)
}

// Deliver sends a freshly issued activation code (the letter, the e-mail) inside the
// transaction that issues it, so that a code exists exactly when its delivery is recorded.
type Deliver func(tx pgx.Tx, code string, c ActivationCode) error

// IssueAndDeliver is Issue that also runs deliver, when not nil, in the issuing transaction;
// an error from deliver issues nothing.
func (a *Activations) IssueAndDeliver(ctx context.Context, cpr CPR, purpose ActivationPurpose, assurance Level,
	issuedBy string, deliver Deliver) (string, ActivationCode, error) {
	if purpose != ActivationCreate && purpose != ActivationRecover && purpose != ActivationLift {
		return "", ActivationCode{}, fmt.Errorf("activation purpose %q", purpose)
	}
	if assurance != LevelSubstantial && assurance != LevelHigh {
		return "", ActivationCode{}, fmt.Errorf("activation assurance %q", assurance)
	}
	code, err := newActivationCode()
	if err != nil {
		return "", ActivationCode{}, err
	}
	hash, err := a.hasher.Hash(ctx, code)
	if err != nil {
		return "", ActivationCode{}, err
	}
	var c ActivationCode
	err = db.Transact(ctx, a.pool, func(tx pgx.Tx) error {
		now := a.now()
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM person WHERE cpr = $1)`, cpr).Scan(&exists); err != nil {
			return fmt.Errorf("activation person: %w", err)
		}
		if !exists {
			return ErrNotFound
		}
		if _, err := tx.Exec(ctx, `
			UPDATE activation_code SET replaced_at = $3
			WHERE cpr = $1 AND purpose = $2 AND used_at IS NULL AND replaced_at IS NULL`,
			cpr, purpose, now); err != nil {
			return fmt.Errorf("replace activation codes: %w", err)
		}
		c, err = scanActivation(tx.QueryRow(ctx, `
			INSERT INTO activation_code (cpr, purpose, code_hash, assurance, created_at, expires_at, max_tries, issued_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			RETURNING `+activationColumns,
			cpr, purpose, hash, assurance, now, now.Add(a.cfg.Validity), a.cfg.MaxTries, issuedBy))
		if err != nil {
			return fmt.Errorf("issue activation code: %w", err)
		}
		if deliver != nil {
			return deliver(tx, FormatActivationCode(code), c)
		}
		return a.deliver(ctx, tx, cpr, FormatActivationCode(code), c)
	})
	if err != nil {
		return "", ActivationCode{}, err
	}
	return FormatActivationCode(code), c, nil
}

// deliver hands a code (as printed) to Config.Deliver with the person it goes to.
func (a *Activations) deliver(ctx context.Context, tx pgx.Tx, cpr CPR, printed string, c ActivationCode) error {
	if a.cfg.Deliver == nil {
		return nil
	}
	p, err := scanPerson(tx.QueryRow(ctx, `SELECT `+personColumns+` FROM person WHERE cpr = $1`, cpr))
	if err != nil {
		return fmt.Errorf("activation delivery: %w", err)
	}
	return a.cfg.Deliver(ctx, tx, Delivery{Person: p, Code: printed, Activation: c})
}

// IssueRecoveryByStaff issues a code by letter for the holder of MitID mitidID after support
// verified the caller: for a blocked MitID one that lifts the block (DESIGN.md §3.6: a phone
// call alone never lifts; the letter to the CPR address does), for any other one a recovery
// code. It goes to the CPR address (Config.Deliver), never to the agent, and the MitID's
// activity log (and so the audit log) records who issued it, for what, from which case.
func (a *Activations) IssueRecoveryByStaff(ctx context.Context, mitidID int64, by StaffAct) (ActivationCode, error) {
	var (
		cpr    CPR
		status Status
	)
	if err := a.pool.QueryRow(ctx, `SELECT cpr, status FROM mitid WHERE id = $1`, mitidID).Scan(&cpr, &status); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return ActivationCode{}, ErrNotFound
		}
		return ActivationCode{}, fmt.Errorf("recovery code: %w", err)
	}
	purpose := ActivationRecover
	if status == StatusBlocked {
		purpose = ActivationLift
	}
	return a.issueRecorded(ctx, cpr, purpose, by.Actor(), mitidID, status, by.detail)
}

// IssueByLetter issues a code the person ordered on the web for purpose (create, recover), sent
// by letter to the CPR address (Config.Deliver). For an existing MitID (mitidID not 0) the
// order is in its activity log, in the issuing transaction: a recovery someone else asked for
// in the citizen's name shows there, beside the letter that arrives.
func (a *Activations) IssueByLetter(ctx context.Context, cpr CPR, purpose ActivationPurpose, mitidID int64) (ActivationCode, error) {
	return a.issueRecorded(ctx, cpr, purpose, ActorCitizen, mitidID, "", nil)
}

// issueRecorded issues a code by letter and, for an existing MitID, records the issue in its
// activity log, in one transaction. With a status, the MitID must still have it in that
// transaction (its row share-locked): a block or a lift landing between the caller's read and
// the issue would give the code the wrong purpose, so it is ErrActivationInvalid's conflict
// instead. detail, when set, adds the staff act's case to the entry.
func (a *Activations) issueRecorded(ctx context.Context, cpr CPR, purpose ActivationPurpose, actor string, mitidID int64,
	status Status, detail func(map[string]any) map[string]any) (ActivationCode, error) {
	var issued ActivationCode
	_, _, err := a.IssueAndDeliver(ctx, cpr, purpose, LevelSubstantial, actor,
		func(tx pgx.Tx, code string, c ActivationCode) error {
			issued = c
			if status != "" {
				var now Status
				if err := tx.QueryRow(ctx, `SELECT status FROM mitid WHERE id = $1 FOR SHARE`, mitidID).Scan(&now); err != nil {
					return fmt.Errorf("recovery code: %w", err)
				}
				if now != status {
					return ErrMitIDChanged
				}
			}
			if err := a.deliver(ctx, tx, cpr, code, c); err != nil {
				return err
			}
			if mitidID == 0 || a.cfg.Record == nil {
				return nil
			}
			d := map[string]any{"purpose": string(purpose), "expires": c.ExpiresAt.UTC().Format(time.RFC3339)}
			if detail != nil {
				d = detail(d)
			}
			return a.cfg.Record(ctx, tx, Activity{MitIDID: mitidID, Kind: ActivityActivationIssued, Actor: actor, Detail: d})
		})
	return issued, err
}

// Check tells whether code is a live activation code of the person with cpr, whatever its case,
// spaces and hyphens, and returns it (the caller checks the purpose). It does not use the code
// up; CreateMitID does. A wrong code uses one try of every live code of the person and is
// ErrActivationWrong; no live code at all (expired, used, replaced, out of tries, or none ever
// issued) is ErrActivationInvalid; something that cannot be a code is ErrActivationFormat and
// uses no try.
//
// The try is taken before the code is verified, in one statement that takes it only from codes
// with tries left, so parallel checks cannot use more tries than a code has; a right code gives
// it back. The argon2id verification runs outside any transaction, behind the hasher's bound
// (ErrBusy when it admits no more within the wait, before anything is counted).
func (a *Activations) Check(ctx context.Context, cpr CPR, code string) (ActivationCode, error) {
	norm, ok := normActivationCode(code)
	if !ok {
		return ActivationCode{}, ErrActivationFormat
	}
	release, err := a.hasher.Admit(ctx)
	if err != nil {
		return ActivationCode{}, err
	}
	defer release()
	type candidate struct {
		c    ActivationCode
		hash string
	}
	rows, err := a.pool.Query(ctx, `UPDATE activation_code SET tries = tries + 1
		WHERE cpr = $1 AND used_at IS NULL AND replaced_at IS NULL AND tries < max_tries AND expires_at > $2
		RETURNING `+activationColumns+`, code_hash`, cpr, a.now())
	if err != nil {
		return ActivationCode{}, fmt.Errorf("check activation code: %w", err)
	}
	cands, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (candidate, error) {
		var k candidate
		c := &k.c
		err := row.Scan(&c.ID, &c.CPR, &c.Purpose, &c.Assurance, &c.CreatedAt, &c.ExpiresAt, &c.UsedAt,
			&c.ReplacedAt, &c.Tries, &c.MaxTries, &c.IssuedBy, &k.hash)
		return k, err
	})
	if err != nil {
		return ActivationCode{}, fmt.Errorf("check activation code: %w", err)
	}
	if len(cands) == 0 {
		return ActivationCode{}, a.whyNoLiveCode(ctx, cpr)
	}
	ids := make([]int64, len(cands))
	for i, k := range cands {
		ids[i] = k.c.ID
	}
	for _, k := range cands {
		match, err := a.hasher.VerifyAdmitted(ctx, k.hash, norm)
		if err != nil {
			return ActivationCode{}, err
		}
		if !match {
			continue
		}
		if err := a.giveBack(ctx, ids); err != nil {
			return ActivationCode{}, err
		}
		k.c.Tries--
		return k.c, nil
	}
	// The code of an earlier letter is no guess: say it no longer works, and take no try.
	dead, err := a.matchesDeadCode(ctx, cpr, norm)
	if err != nil {
		return ActivationCode{}, err
	}
	if dead {
		if err := a.giveBack(ctx, ids); err != nil {
			return ActivationCode{}, err
		}
		return ActivationCode{}, ErrActivationInvalid
	}
	for _, k := range cands {
		if k.c.Tries < k.c.MaxTries {
			return ActivationCode{}, ErrActivationWrong
		}
	}
	// That was the last try: say so now, not on the next attempt.
	return ActivationCode{}, ErrActivationSpent
}

// giveBack returns the try Check took from each of the codes ids.
func (a *Activations) giveBack(ctx context.Context, ids []int64) error {
	if _, err := a.pool.Exec(ctx, `UPDATE activation_code SET tries = tries - 1 WHERE id = ANY($1) AND tries > 0`,
		ids); err != nil {
		return fmt.Errorf("give back activation try: %w", err)
	}
	return nil
}

// deadCodesChecked is how many of a person's newest codes that no longer work a wrong code is
// compared with, to tell "an earlier letter's code" from a guess; each costs an argon2id check.
const deadCodesChecked = 2

// matchesDeadCode reports whether norm is one of the person's newest codes that no longer work
// (replaced by a newer letter, expired or used).
func (a *Activations) matchesDeadCode(ctx context.Context, cpr CPR, norm string) (bool, error) {
	rows, err := a.pool.Query(ctx, `SELECT code_hash FROM activation_code
		WHERE cpr = $1 AND (replaced_at IS NOT NULL OR used_at IS NOT NULL OR expires_at <= $2)
		ORDER BY id DESC LIMIT $3`, cpr, a.now(), deadCodesChecked)
	if err != nil {
		return false, fmt.Errorf("earlier activation codes: %w", err)
	}
	hashes, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return false, fmt.Errorf("earlier activation codes: %w", err)
	}
	for _, h := range hashes {
		match, err := a.hasher.VerifyAdmitted(ctx, h, norm)
		if err != nil || match {
			return match, err
		}
	}
	return false, nil
}

// whyNoLiveCode tells apart, for a person without a live code, a code whose tries are spent
// (ErrActivationSpent: "too many attempts") from none that could still be used at all
// (ErrActivationInvalid: expired, used, replaced, or never issued). Both offer a new letter.
func (a *Activations) whyNoLiveCode(ctx context.Context, cpr CPR) error {
	var spent bool
	err := a.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM activation_code
		WHERE cpr = $1 AND used_at IS NULL AND replaced_at IS NULL AND expires_at > $2 AND tries >= max_tries)`,
		cpr, a.now()).Scan(&spent)
	if err != nil {
		return fmt.Errorf("check activation code: %w", err)
	}
	if spent {
		return ErrActivationSpent
	}
	return ErrActivationInvalid
}

// Get returns the activation code with that id, used or not, or ErrNotFound.
func (a *Activations) Get(ctx context.Context, id int64) (ActivationCode, error) {
	c, err := scanActivation(a.pool.QueryRow(ctx, `SELECT `+activationColumns+` FROM activation_code WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return ActivationCode{}, ErrNotFound
	}
	if err != nil {
		return ActivationCode{}, fmt.Errorf("activation code: %w", err)
	}
	return c, nil
}

// Usable reports whether the code c can still be used now: not used, replaced, expired or out
// of tries.
func (a *Activations) Usable(c ActivationCode) bool { return c.live(a.now()) }

// Validity is how long a code issued now lasts.
func (a *Activations) Validity() time.Duration { return a.cfg.Validity }

// useActivation spends the activation code id for cpr and purpose in tx at now and returns it,
// or ErrActivationInvalid when it is not a live code of that person and purpose.
func useActivation(ctx context.Context, tx pgx.Tx, id int64, cpr CPR, purpose ActivationPurpose, now time.Time) (ActivationCode, error) {
	c, err := scanActivation(tx.QueryRow(ctx, `SELECT `+activationColumns+` FROM activation_code
		WHERE id = $1 FOR UPDATE`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return ActivationCode{}, ErrActivationInvalid
	}
	if err != nil {
		return ActivationCode{}, fmt.Errorf("use activation code: %w", err)
	}
	if c.CPR != cpr || c.Purpose != purpose || !c.live(now) {
		return ActivationCode{}, ErrActivationInvalid
	}
	if _, err := tx.Exec(ctx, `UPDATE activation_code SET used_at = $2 WHERE id = $1`, id, now); err != nil {
		return ActivationCode{}, fmt.Errorf("use activation code: %w", err)
	}
	c.UsedAt = &now
	return c, nil
}
