package views

import (
	"context"
	"strconv"
)

// FieldError is one problem with one form field. It is shown twice: as a link in the error
// summary at the top of the form and as a message at the field itself.
type FieldError struct {
	Field string         // id of the input the error belongs to (the summary links to #Field); "" for the form as a whole
	MsgID string         // message ID of the error text, translated by the view
	Data  map[string]any // template data of the message ({{.Minutes}}), or nil
}

// Form is the state of a form shown again after a failed POST: what was wrong and what the
// person had typed, so they need not type it again. Passwords and codes are never refilled.
type Form struct {
	Errors []FieldError      // the problems, in the order of the fields on the page
	Values map[string]string // the typed values by field name (which is also the input's id)
}

// ErrorFor returns the first error of field, or nil when the field is fine.
func (f Form) ErrorFor(field string) *FieldError {
	for i := range f.Errors {
		if f.Errors[i].Field == field {
			return &f.Errors[i]
		}
	}
	return nil
}

// Value returns the typed value of field, or "".
func (f Form) Value(field string) string {
	return f.Values[field]
}

// HasErrors reports whether the form has any error to show.
func (f Form) HasErrors() bool {
	return len(f.Errors) > 0
}

// Input describes one text input. Pages build these themselves; handlers never do.
type Input struct {
	ID           string // id and name of the input; also its key in Form.Errors and Form.Values
	LabelID      string // message ID of the visible label
	HintID       string // message ID of the hint under the label, or ""
	Type         string // input type; "" is text (PasswordField sets "password")
	Autocomplete string // autocomplete token such as "username" or "one-time-code", or ""
	InputMode    string // inputmode such as "numeric", or ""
	Width        string // DKFDS width class such as "input-width-s", or "" for the full width
	Verbatim     bool   // typed exactly: no spell check and no automatic capitals (usernames, codes)
	Fresh        bool   // never refilled with the typed value (one-time codes, which are spent)
	TestID       string // data-testid of the input, or "" for none
}

// Radios describes a group of radio buttons in a fieldset.
type Radios struct {
	Name     string   // name of the radios and id of the first one, so an error can link to it
	LegendID string   // message ID of the legend (the question)
	HintID   string   // message ID of a hint under the legend, or ""
	Options  []Option // the choices, in the order shown
}

// Option is one choice of a radio group.
type Option struct {
	Value   string // the value posted when this option is chosen
	LabelID string // message ID of the option's label
	HintID  string // message ID of a hint under the label, or ""
}

// chipSetup says where a chip (WebAuthn) form talks to and what it is for.
type chipSetup struct {
	BeginURL  string // where the script posts the form to get the WebAuthn options
	FinishURL string // where the script posts the browser's answer
	ButtonID  string // message ID of the button's text
	TestID    string // data-testid of the button
}

// N translates a message with plural forms, chosen by count (available as {{.Count}}).
func N(ctx context.Context, id string, count int, data ...map[string]any) string {
	p := PageOf(ctx)
	if p.T == nil {
		return id
	}
	return p.T.N(id, count, data...)
}

// radioID is the id of the i-th radio of a group: the first carries the group's name, so the
// error summary's link lands on it.
func radioID(name string, i int) string {
	if i == 0 {
		return name
	}
	return name + "-" + strconv.Itoa(i+1)
}

// describedBy joins the ids of a field's hint and error message for aria-describedby.
func describedBy(id string, hint bool, err *FieldError) string {
	s := ""
	if hint {
		s = id + "-hint"
	}
	if err != nil {
		if s != "" {
			s += " "
		}
		s += id + "-error"
	}
	return s
}

// groupDescribedBy is describedBy for a radio group, whose hint id differs from its first
// radio's.
func groupDescribedBy(name string, hint bool, err *FieldError) string {
	s := ""
	if hint {
		s = name + "-group-hint"
	}
	if err != nil {
		if s != "" {
			s += " "
		}
		s += name + "-error"
	}
	return s
}

// deskQueryError is the error of the desk's search field, shown at the field as well as in the
// summary.
func deskQueryError(v DeskQueueView) *FieldError {
	if v.ErrorID == "" || v.ErrorField != "q" {
		return nil
	}
	return &FieldError{Field: "q", MsgID: v.ErrorID}
}
