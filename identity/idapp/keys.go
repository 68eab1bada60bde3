package idapp

import (
	"crypto/ecdsa"
	"fmt"
	"maps"
	"strings"
)

// LoadKeyFiles reads the identification service's public keys from the files that the setting
// IDAPP_KEYS lists (comma-separated paths), each a JWK set or PEM public keys (ParseKeys). Keys
// of all files are trusted together, so a new key can be added beside the old one before the
// service starts signing with it (rotation by key id). The same key id for two different keys
// is refused.
func LoadKeyFiles(paths string, read func(string) ([]byte, error)) (map[string]*ecdsa.PublicKey, error) {
	out := map[string]*ecdsa.PublicKey{}
	for _, p := range strings.Split(paths, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		data, err := read(p)
		if err != nil {
			return nil, fmt.Errorf("idapp: key file: %w", err)
		}
		keys, err := ParseKeys(data)
		if err != nil {
			return nil, fmt.Errorf("idapp: key file %s: %w", p, err)
		}
		for kid, k := range keys {
			if old, ok := out[kid]; ok && !old.Equal(k) {
				return nil, fmt.Errorf("idapp: key id %q names two different keys", kid)
			}
			out[kid] = k
		}
	}
	return out, nil
}

// TrustedKeys is the key set the portal verifies results with: the configured keys, and in demo
// mode also the demo key (the simulator signs with it). Outside demo mode a configured set that
// holds the demo key is refused (CheckNotDemo), so a demo configuration cannot reach
// production. An empty result outside demo mode means the identification app is not offered.
func TrustedKeys(configured map[string]*ecdsa.PublicKey, demo bool) (map[string]*ecdsa.PublicKey, error) {
	if !demo {
		if err := CheckNotDemo(configured); err != nil {
			return nil, err
		}
		return maps.Clone(configured), nil
	}
	out := maps.Clone(configured)
	if out == nil {
		out = map[string]*ecdsa.PublicKey{}
	}
	for kid, k := range DemoKeys() {
		if old, ok := out[kid]; ok && !old.Equal(k) {
			return nil, fmt.Errorf("idapp: key id %q is the demo key's", kid)
		}
		out[kid] = k
	}
	return out, nil
}
