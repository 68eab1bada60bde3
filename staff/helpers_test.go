package staff_test

import (
	"context"
	"crypto/rand"
	"testing"

	"mitidportal/identity"
	"mitidportal/staff"
)

// testConfig gives the stores of these tests cheap argon2id parameters.
var testConfig = staff.Config{Hasher: identity.NewHasher(identity.HasherConfig{Params: identity.TestArgonParams})}

// staffPassword is the password enrolled accounts of these tests get.
const staffPassword = "Rullende-Kanel-Fyrskib-7"

// newKey is a security key as the web layer hands it over after a verified registration.
func newKey(t testing.TB) staff.Credential {
	t.Helper()
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	return staff.Credential{CredentialID: id, PublicKey: []byte("cose key"), UserVerified: true, Transports: []string{"usb"}}
}

// enrolled creates an account with roles and completes its enrolment with staffPassword and a
// new key, which it returns.
func enrolled(t testing.TB, s *staff.Store, email string, roles ...string) (staff.User, staff.Credential) {
	t.Helper()
	ctx := context.Background()
	_, token, err := s.Create(ctx, email, "Test "+email, roles)
	if err != nil {
		t.Fatal(err)
	}
	e, err := s.OpenEnrolment(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	hash, err := staff.HashNewPassword(staffPassword, email)
	if err != nil {
		t.Fatal(err)
	}
	key := newKey(t)
	u, err := s.CompleteEnrolment(ctx, e.Ref, hash, key)
	if err != nil {
		t.Fatal(err)
	}
	return u, key
}
