package idapp

import (
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
)

// DemoKeyID is the key id of the demo identification service, whose private key is below and
// so known to everyone: the demo simulator signs results with it so that the flow can be walked
// in demo mode. Outside demo mode the portal refuses to trust it (CheckNotDemo).
const DemoKeyID = "demo-identification-service"

const demoKeyPEM = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgPt8Ap7PAR3v0JhaH
Ppcg/9ZcouFqaNFDYRH2sSMwEwOhRANCAAR7gPhH2IdpqpinUvOgLAlULCA5tLIt
Ql4nJKJZziaXMmc6pBVe16W3+wZ1SKqLl9HrYnPRszQmmstGVKWjmQTR
-----END PRIVATE KEY-----`

// DemoKey returns the demo identification service's private key.
func DemoKey() *ecdsa.PrivateKey {
	b, _ := pem.Decode([]byte(demoKeyPEM))
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		panic(fmt.Sprintf("idapp: demo key: %v", err)) // a constant: cannot happen
	}
	return k.(*ecdsa.PrivateKey)
}

// DemoKeys is the key set that trusts only the demo key.
func DemoKeys() map[string]*ecdsa.PublicKey {
	return map[string]*ecdsa.PublicKey{DemoKeyID: &DemoKey().PublicKey}
}

// ErrDemoKey is returned by CheckNotDemo.
var ErrDemoKey = errors.New("idapp: the demo identification-service key is public and is refused outside demo mode")

// CheckNotDemo refuses a key set that holds the demo key, under any key id.
func CheckNotDemo(keys map[string]*ecdsa.PublicKey) error {
	demo := &DemoKey().PublicKey
	for kid, k := range keys {
		if kid == DemoKeyID || k.Equal(demo) {
			return ErrDemoKey
		}
	}
	return nil
}
