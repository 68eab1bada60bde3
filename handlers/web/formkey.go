package web

import (
	"github.com/labstack/echo/v4"

	"mitidportal/db"
	"mitidportal/views"
)

// FormKeyField is the hidden field of a form's one-time key (db.Once; views.FormKeyField
// renders it from the form's values): a form that makes something (a feedback round, a canned
// reply) carries one, so that sent twice it makes one thing.
const FormKeyField = "form_key"

// NewKeyedForm is a form shown for the first time: no values but a fresh one-time key.
func NewKeyedForm() views.Form {
	return views.Form{Values: map[string]string{FormKeyField: db.NewFormKey()}}
}

// FormKey returns the one-time key form f was sent with (read with FormOf and FormKeyField),
// for the action once the form's own checks passed; a form without one, or with a forged one,
// is refused (400): the page always renders it.
func FormKey(f views.Form) (string, error) {
	key := f.Values[FormKeyField]
	if !db.ValidFormKey(key) {
		return "", echo.ErrBadRequest
	}
	return key, nil
}
