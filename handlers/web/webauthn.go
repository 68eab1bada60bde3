package web

import (
	"encoding/binary"
	"io"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/labstack/echo/v4"
)

// A security key runs WebAuthn in two requests per ceremony: begin answers the options for
// navigator.credentials.get or .create, finish checks the key's answer. Both are JSON
// endpoints that assets/src/webauthn.js calls, for the citizen's chip and for the staff key
// alike. Everything finish checks against (the whole webauthn.SessionData, whose account,
// what for) stays in the server-side session between the two, never in the browser. Each area
// keeps its own domain calls; Ceremonies is only the plumbing they share.

const (
	// CeremonyTTL is how long the person has to use the key after begin; the browser is given
	// the same timeout.
	CeremonyTTL = 3 * time.Minute
	// ceremonyBodyLimit bounds the JSON a ceremony request may send; a key's answer is a few KB.
	ceremonyBodyLimit = 64 << 10

	// KeyChipCeremony and KeyStaffCeremony hold the one ceremony of each kind in progress in a
	// session (Ceremony as JSON). A new begin replaces it; finish removes it whatever the
	// outcome, so a challenge is answered at most once. A login forgets both.
	KeyChipCeremony  = "chip_ceremony"
	KeyStaffCeremony = "staff_ceremony"
)

// Ceremony is a ceremony between begin and finish, bound to one account.
type Ceremony struct {
	// Purpose says which finish the ceremony belongs to, so a login challenge cannot be used
	// to register a key or the other way round.
	Purpose string `json:"purpose"`
	// Account is the MitID or the staff account the ceremony is for.
	Account int64                `json:"account"`
	Label   string               `json:"label,omitempty"` // the name of a key being added
	Expires time.Time            `json:"expires"`
	Data    webauthn.SessionData `json:"data"`
}

// Ceremonies keeps one kind of ceremony (the chip's or the staff key's) in the session under
// its own key, so that a ceremony of the one cannot be finished as the other.
type Ceremonies struct {
	site *Site
	wa   *webauthn.WebAuthn
	key  string
}

// Ceremonies returns the ceremonies kept in the session under key; wa's relying party is the
// portal's host.
func (s *Site) Ceremonies(wa *webauthn.WebAuthn, key string) *Ceremonies {
	return &Ceremonies{site: s, wa: wa, key: key}
}

// BeginLogin asks for an assertion, with user verification, from one of user's keys, keeps
// cer with the challenge and answers the options.
func (k *Ceremonies) BeginLogin(c echo.Context, user webauthn.User, cer Ceremony) error {
	opts, data, err := k.wa.BeginLogin(user,
		webauthn.WithUserVerification(protocol.VerificationRequired),
		func(o *protocol.PublicKeyCredentialRequestOptions) error {
			o.Timeout = int(CeremonyTTL.Milliseconds())
			return nil
		})
	return k.begun(c, cer, opts, data, err)
}

// BeginRegistration asks for a new credential on a key the person carries (not the
// computer's built-in authenticator): user verification required, no attestation, and the
// credentials in exclude refused by the browser. It keeps cer with the challenge and answers
// the options.
func (k *Ceremonies) BeginRegistration(c echo.Context, user webauthn.User, exclude []protocol.CredentialDescriptor, cer Ceremony) error {
	opts, data, err := k.wa.BeginRegistration(user,
		webauthn.WithExclusions(exclude),
		webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{
			AuthenticatorAttachment: protocol.CrossPlatform,
			ResidentKey:             protocol.ResidentKeyRequirementDiscouraged,
			UserVerification:        protocol.VerificationRequired,
		}),
		webauthn.WithConveyancePreference(protocol.PreferNoAttestation),
		func(o *protocol.PublicKeyCredentialCreationOptions) error {
			o.Timeout = int(CeremonyTTL.Milliseconds())
			return nil
		})
	return k.begun(c, cer, opts, data, err)
}

// begun keeps cer with the challenge of a ceremony just begun and answers its options.
func (k *Ceremonies) begun(c echo.Context, cer Ceremony, opts any, data *webauthn.SessionData, err error) error {
	if err != nil {
		return err
	}
	cer.Data = *data
	cer.Expires = k.site.Now().Add(CeremonyTTL)
	if err := KeepJSON(c, k.key, cer); err != nil {
		return err
	}
	return k.site.ScriptJSON(c, opts)
}

// Take removes the session's ceremony and returns it when it is for purpose and has not
// expired: a challenge is answered at most once, whatever the outcome.
func (k *Ceremonies) Take(c echo.Context, purpose string) (Ceremony, bool) {
	var cer Ceremony
	if !TakeJSON(c, k.key, &cer) || cer.Purpose != purpose || !k.site.Now().Before(cer.Expires) {
		return Ceremony{}, false
	}
	return cer, true
}

// ParseAssertion reads the key's answer to a login.
func (k *Ceremonies) ParseAssertion(c echo.Context) (*protocol.ParsedCredentialAssertionData, error) {
	return protocol.ParseCredentialRequestResponseBody(io.LimitReader(c.Request().Body, ceremonyBodyLimit))
}

// ValidateLogin checks the answer against the ceremony and user's keys.
func (k *Ceremonies) ValidateLogin(user webauthn.User, cer Ceremony, parsed *protocol.ParsedCredentialAssertionData) (*webauthn.Credential, error) {
	return k.wa.ValidateLogin(user, cer.Data, parsed)
}

// ParseCreation reads the key's answer to a registration.
func (k *Ceremonies) ParseCreation(c echo.Context) (*protocol.ParsedCredentialCreationData, error) {
	return protocol.ParseCredentialCreationResponseBody(io.LimitReader(c.Request().Body, ceremonyBodyLimit))
}

// CreateCredential checks the new credential against the ceremony and returns it as a Key
// to store.
func (k *Ceremonies) CreateCredential(user webauthn.User, cer Ceremony, parsed *protocol.ParsedCredentialCreationData) (Key, error) {
	cred, err := k.wa.CreateCredential(user, cer.Data, parsed)
	if err != nil {
		return Key{}, err
	}
	transports := make([]string, 0, len(cred.Transport))
	for _, t := range cred.Transport {
		transports = append(transports, string(t))
	}
	return Key{
		CredentialID: cred.ID, PublicKey: cred.PublicKey, SignCount: cred.Authenticator.SignCount,
		AAGUID: cred.Authenticator.AAGUID, Transports: transports, BackupEligible: cred.Flags.BackupEligible,
		BackupState: cred.Flags.BackupState, UserVerified: cred.Flags.UserVerified,
	}, nil
}

// DecodeScriptJSON decodes the JSON a ceremony's begin step sends into v.
func DecodeScriptJSON(c echo.Context, v any) error {
	return DecodeJSON(c, ceremonyBodyLimit, v)
}

// Key is a stored security key as the ceremonies need it: the same fields whether it is a
// citizen's chip (identity.ChipCredential) or a staff key (staff.Credential).
type Key struct {
	CredentialID   []byte
	PublicKey      []byte
	SignCount      uint32
	AAGUID         []byte
	Transports     []string
	BackupEligible bool
	BackupState    bool
	UserVerified   bool
}

// Credential turns a stored key into go-webauthn's credential record.
func (k Key) Credential() webauthn.Credential {
	flags := protocol.FlagUserPresent
	if k.UserVerified {
		flags |= protocol.FlagUserVerified
	}
	if k.BackupEligible {
		flags |= protocol.FlagBackupEligible
	}
	if k.BackupState {
		flags |= protocol.FlagBackupState
	}
	transports := make([]protocol.AuthenticatorTransport, 0, len(k.Transports))
	for _, t := range k.Transports {
		transports = append(transports, protocol.AuthenticatorTransport(t))
	}
	return webauthn.Credential{
		ID:            k.CredentialID,
		PublicKey:     k.PublicKey,
		Transport:     transports,
		Flags:         webauthn.NewCredentialFlags(flags),
		Authenticator: webauthn.Authenticator{AAGUID: k.AAGUID, SignCount: k.SignCount},
	}
}

// KeyUser is an account as go-webauthn sees it.
type KeyUser struct {
	Handle      []byte
	Name        string
	DisplayName string
	Creds       []webauthn.Credential
}

// NewKeyUser is the account with user handle prefix followed by id as 8 bytes (big-endian):
// stable, and no personal data on the key. The prefix keeps the handles of different kinds of
// account apart on a key that holds both.
func NewKeyUser(prefix string, id int64, name, displayName string, keys []Key) KeyUser {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, uint64(id))
	u := KeyUser{Handle: append([]byte(prefix), b...), Name: name, DisplayName: displayName}
	for _, k := range keys {
		u.Creds = append(u.Creds, k.Credential())
	}
	return u
}

// Descriptors are the user's credentials as a list for the browser to exclude.
func (u KeyUser) Descriptors() []protocol.CredentialDescriptor {
	out := make([]protocol.CredentialDescriptor, 0, len(u.Creds))
	for _, c := range u.Creds {
		out = append(out, c.Descriptor())
	}
	return out
}

func (u KeyUser) WebAuthnID() []byte                         { return u.Handle }
func (u KeyUser) WebAuthnName() string                       { return u.Name }
func (u KeyUser) WebAuthnDisplayName() string                { return u.DisplayName }
func (u KeyUser) WebAuthnCredentials() []webauthn.Credential { return u.Creds }
