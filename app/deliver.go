package app

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"mitidportal/identity"
	"mitidportal/letters"
	"mitidportal/locales"
	"mitidportal/mail"
)

// deliverer sends activation codes (identity.ActivationConfig.Deliver): the PDF letter to the
// CPR address (the letter box) and, where the register knows an address, the code by e-mail,
// both in the transaction that issues the code.
type deliverer struct {
	letters      *identity.Letters
	outbox       *mail.Outbox
	catalog      *locales.Catalog
	baseURL      string
	supportPhone string
	loc          *time.Location
	now          func() time.Time
}

func (d *deliverer) activation(ctx context.Context, tx pgx.Tx, del identity.Delivery) error {
	p, ac := del.Person, del.Activation
	pdf, err := letters.RenderActivationLetter(letters.ActivationLetter{
		To:   letters.Recipient{Name: p.FullName(), AddressLine: p.AddressLine, Postcode: p.Postcode, City: p.City},
		Code: del.Code, Expires: ac.ExpiresAt, Date: d.now(),
		SupportPhone: d.supportPhone, PortalURL: d.baseURL + "/aktiver",
		Purpose: letters.Purpose(ac.Purpose),
	})
	if err != nil {
		return err
	}
	da, en := d.catalog.For("da"), d.catalog.For("en")
	if _, err := d.letters.AddTx(ctx, tx, p.CPR, identity.LetterActivation, da.T("create.letter.subject"), pdf); err != nil {
		return err
	}
	if p.Email == "" {
		return nil
	}
	// The code is typed on /aktiver, in any browser, until it expires.
	data := map[string]any{"Name": p.GivenName, "Code": del.Code, "URL": d.baseURL + "/aktiver",
		"Expires": ac.ExpiresAt.In(d.loc).Format("02.01.2006"), "Phone": d.supportPhone}
	body := map[identity.ActivationPurpose]string{identity.ActivationRecover: "activate.mail.recover_body",
		identity.ActivationLift: "activate.mail.lift_body"}[ac.Purpose]
	if body == "" {
		body = "create.mail.body"
	}
	_, err = d.outbox.Enqueue(ctx, tx, mail.Message{
		To:      p.Email,
		Subject: da.T("create.mail.subject") + " / " + en.T("create.mail.subject"),
		Text:    da.T(body, data) + "\n\n----\n\n" + en.T(body, data),
		Kind:    "activation_code",
		Secret:  true, // the code; blanked in the outbox once sent
	})
	return err
}
