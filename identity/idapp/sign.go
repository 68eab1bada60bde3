package idapp

import (
	"crypto/ecdsa"
	"encoding/json"
	"fmt"

	"github.com/go-jose/go-jose/v4"
)

// Sign makes the compact JWS of claims with key under key id kid, as the identification service
// does. The portal uses it only for the demo simulator (with the demo key, which is refused
// outside demo mode) and in tests.
func Sign(key *ecdsa.PrivateKey, kid string, c Claims) (string, error) {
	payload, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", kid))
	if err != nil {
		return "", fmt.Errorf("idapp: signer: %w", err)
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("idapp: sign: %w", err)
	}
	return obj.CompactSerialize()
}
