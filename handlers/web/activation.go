package web

import (
	"context"

	"github.com/jackc/pgx/v5"

	"mitidportal/identity"
	"mitidportal/letters"
	"mitidportal/mail"
)

// ActivationPost sends a new activation code to the citizen: the letter into the letter box
// and, where the register knows an address, an e-mail. Both the creation pages and the desk
// issue codes.
type ActivationPost struct {
	*Site
	Letters *identity.Letters
	Outbox  *mail.Outbox
}

// Deliver puts the activation letter in the letter box and, where the register
// knows an address, sends the code by e-mail, both in the transaction that issues the code.
func (s *ActivationPost) Deliver(ctx context.Context, tx pgx.Tx, p identity.Person,
	code string, ac identity.ActivationCode) error {
	pdf, err := letters.RenderActivationLetter(letters.ActivationLetter{
		To:   letters.Recipient{Name: p.FullName(), AddressLine: p.AddressLine, Postcode: p.Postcode, City: p.City},
		Code: code, Expires: ac.ExpiresAt, Date: s.Now(),
		SupportPhone: s.Config.SupportPhone, PortalURL: s.Config.BaseURL + "/opret",
	})
	if err != nil {
		return err
	}
	da, en := s.Catalog.For("da"), s.Catalog.For("en")
	if _, err := s.Letters.AddTx(ctx, tx, p.CPR, identity.LetterActivation, da.T("create.letter.subject"), pdf); err != nil {
		return err
	}
	if p.Email == "" {
		return nil
	}
	data := map[string]any{"Name": p.GivenName, "Code": code, "URL": s.Config.BaseURL + "/opret",
		"Expires": ac.ExpiresAt.In(s.Schedule.Location()).Format("02.01.2006"), "Phone": s.Config.SupportPhone}
	_, err = s.Outbox.Enqueue(ctx, tx, mail.Message{
		To:      p.Email,
		Subject: da.T("create.mail.subject") + " / " + en.T("create.mail.subject"),
		Text:    da.T("create.mail.body", data) + "\n\n----\n\n" + en.T("create.mail.body", data),
		Kind:    "activation_code",
		Secret:  true, // the code; blanked in the outbox once sent
	})
	return err
}
