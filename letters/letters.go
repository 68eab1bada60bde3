// Package letters renders the paper letters the portal "sends" to a citizen's address in the
// CPR register. Each letter is an A4 PDF, laid out for a C5 window envelope, that the portal
// keeps in the citizen's letter box.
//
// The text of a letter is part of its layout and lives here rather than in the locale files:
// a letter is always in Danish, with a short English paragraph at the end.
package letters

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Errors of RenderActivationLetter; the message says which field.
var (
	// ErrIncomplete means a field the letter needs is empty.
	ErrIncomplete = errors.New("incomplete letter")
	// ErrUnprintable means a text has characters the letter's font cannot print.
	ErrUnprintable = errors.New("text cannot be printed")
)

// Recipient is the addressee as the CPR register has them.
type Recipient struct {
	Name, AddressLine, Postcode, City string
}

// ActivationLetter is the letter with the activation code that lets a citizen create a MitID.
type ActivationLetter struct {
	To      Recipient
	Code    string    // the activation code, printed as given (XXXX-XXXX-XXXX)
	Expires time.Time // the code is valid until this instant
	Date    time.Time // the date of the letter
	// SupportPhone is MitID support's number; PortalURL is where the code is entered (/aktiver).
	SupportPhone, PortalURL string
	// Purpose is what the code does; "" is PurposeCreate.
	Purpose Purpose
}

// Purpose is what an activation letter's code is for: the letter tells the citizen what happens
// when they use it.
type Purpose string

// Purposes of an activation letter, as identity.ActivationPurpose names them.
const (
	PurposeCreate  Purpose = "create"  // create a MitID (or start its creation over)
	PurposeRecover Purpose = "recover" // set up new means of a MitID whose means are lost
	PurposeLift    Purpose = "lift"    // lift the block of a MitID
)

// check refuses a letter that could not reach the citizen or could not be used.
func (l ActivationLetter) check() error {
	required := []struct{ name, value string }{
		{"activation code", l.Code},
		{"recipient name", l.To.Name},
		{"address line", l.To.AddressLine},
		{"postcode", l.To.Postcode},
		{"city", l.To.City},
		{"support phone", l.SupportPhone},
		{"portal URL", l.PortalURL},
	}
	for _, f := range required {
		if strings.TrimSpace(f.value) == "" {
			return fmt.Errorf("letters: %w: %s is empty", ErrIncomplete, f.name)
		}
	}
	for _, r := range strings.TrimSpace(l.Code) {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == ' ') {
			// The rune is not named: it is part of a secret.
			return fmt.Errorf("letters: %w: activation code may hold only letters, digits and hyphens", ErrUnprintable)
		}
	}
	switch {
	case l.Date.IsZero():
		return fmt.Errorf("letters: %w: letter date is not set", ErrIncomplete)
	case l.Expires.IsZero():
		return fmt.Errorf("letters: %w: expiry is not set", ErrIncomplete)
	case !l.Expires.After(l.Date):
		return fmt.Errorf("letters: %w: code expires before the letter is dated", ErrIncomplete)
	}
	return nil
}
