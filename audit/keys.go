package audit

import (
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// KeySize is the length of an audit key: 32 random bytes (HMAC-SHA256).
const KeySize = 32

// Key is one audit key: the id recorded with every seal it makes, and the secret.
type Key struct {
	ID     string
	Secret []byte
}

// Keyring holds the configured audit keys. The first key seals new entries; every key verifies,
// so rotating means putting a new key first and keeping the old ones for as long as seals made
// with them must verify (for ever, for an audit log).
type Keyring struct{ keys []Key }

// keyID is what a key id may look like (also a CHECK on audit_seal.key_id).
var keyID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,32}$`)

// NewKeyring returns a keyring of keys, the first of which signs. It refuses an empty list,
// malformed ids, short keys and an id given twice.
func NewKeyring(keys ...Key) (Keyring, error) {
	if len(keys) == 0 {
		return Keyring{}, errors.New("audit: no key")
	}
	seen := map[string]bool{}
	for _, k := range keys {
		if !keyID.MatchString(k.ID) {
			return Keyring{}, fmt.Errorf("audit: key id %q: use 1 to 32 letters, digits, '.', '_' or '-'", k.ID)
		}
		if len(k.Secret) != KeySize {
			return Keyring{}, fmt.Errorf("audit: key %q has %d bytes, want %d", k.ID, len(k.Secret), KeySize)
		}
		if seen[k.ID] {
			return Keyring{}, fmt.Errorf("audit: key id %q given twice", k.ID)
		}
		seen[k.ID] = true
	}
	return Keyring{keys: keys}, nil
}

// ParseKeys reads AUDIT_KEYS: comma-separated "id:64hexdigits", the signing key first.
func ParseKeys(s string) (Keyring, error) {
	var keys []Key
	for item := range strings.SplitSeq(s, ",") {
		id, hexKey, ok := strings.Cut(strings.TrimSpace(item), ":")
		secret, err := hex.DecodeString(hexKey)
		if !ok || err != nil {
			// The value itself is a secret: never echo it.
			return Keyring{}, errors.New("audit: each key must be written id:64hexdigits")
		}
		keys = append(keys, Key{ID: id, Secret: secret})
	}
	return NewKeyring(keys...)
}

// Empty reports whether the keyring has no key (the zero Keyring).
func (r Keyring) Empty() bool { return len(r.keys) == 0 }

// SigningID is the id of the key that seals new entries ("" for an empty keyring).
func (r Keyring) SigningID() string {
	if r.Empty() {
		return ""
	}
	return r.keys[0].ID
}

func (r Keyring) signer() Key { return r.keys[0] }

func (r Keyring) secret(id string) ([]byte, bool) {
	for _, k := range r.keys {
		if k.ID == id {
			return k.Secret, true
		}
	}
	return nil, false
}
