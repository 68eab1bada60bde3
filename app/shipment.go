package app

import (
	"context"

	"github.com/jackc/pgx/v5"

	"mitidportal/identity"
	"mitidportal/letters"
)

// shipment puts the letter that goes with a sent kodeviser or kodeoplæser, with its serial, in
// the citizen's letter box, in the transaction that sends the unit
// (identity.OrdersConfig.Dispatch).
func (d *deliverer) shipment(ctx context.Context, tx pgx.Tx, sh identity.Shipment) error {
	p := sh.Person
	pdf, err := letters.RenderTokenLetter(letters.TokenLetter{
		To:          letters.Recipient{Name: p.FullName(), AddressLine: p.AddressLine, Postcode: p.Postcode, City: p.City},
		AudioReader: sh.Order.Kind == identity.KindAudioReader,
		Serial:      sh.Order.Serial, Date: d.now(),
		SupportPhone: d.supportPhone, ActivateURL: d.baseURL + "/mitid/kodeviser/tilfoej",
	})
	if err != nil {
		return err
	}
	subject := d.catalog.For("da").T("orders.letter.subject", map[string]any{"Kind": d.catalog.For("da").T(sh.Order.Kind.MsgID())})
	_, err = d.letters.AddTx(ctx, tx, p.CPR, identity.LetterTokenSent, subject, pdf)
	return err
}
