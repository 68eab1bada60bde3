package inbound

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"mitidportal/db"
	"mitidportal/fault"
	"mitidportal/support"
)

// open opens a new e-mail case for m: a mail that names no case, or one from a stranger on a
// known case or on a closed one (referred), which gets a note naming that case. The subject and
// sender come from the mail; system and category are unknown until an agent reads it (MitID,
// other, normal priority). The receipt, with the reference, answers the mail unless a machine
// sent it or the sender has had ReceiptLimit receipts in the last ReceiptWindow.
func (r *Receiver) open(ctx context.Context, m Mail, referred *support.Case) (support.Case, error) {
	from, err := mail.ParseAddress(m.From)
	if err != nil {
		return support.Case{}, support.ErrEmailInvalid
	}
	name := strings.TrimSpace(from.Name)
	if name == "" {
		name, _, _ = strings.Cut(from.Address, "@")
	}
	body := m.Body
	if body == "" {
		body = filesOnly(m)
	}
	n := support.NewCase{Channel: support.ChannelEmail, System: support.SystemMitID,
		Category: support.CategoryOther, Priority: support.PriorityNormal,
		Name: truncate(name, support.MaxName), Email: from.Address, Lang: langOf(m.Lang),
		Subject: truncate(subjectOf(m.Subject), support.MaxSubject), Message: truncate(body, support.MaxBody),
		MessageID: m.MessageID, Attachments: m.Attachments}
	send, err := r.mayAnswer(ctx, m, from.Address)
	if err != nil {
		return support.Case{}, err
	}
	var c support.Case
	err = db.Transact(ctx, r.pool, func(tx pgx.Tx) error {
		var err error
		if c, err = r.cases.OpenTx(ctx, tx, n); err != nil {
			return err
		}
		if send {
			return r.receipt(ctx, tx, c, m.MessageID)
		}
		return nil
	})
	if err != nil {
		return support.Case{}, err
	}
	if referred != nil {
		why := "fra en anden afsender end sagens kontaktadresse / from another sender than the case's contact"
		if referred.Status == support.StatusClosed {
			why = "der er lukket / which is closed"
		}
		note := fmt.Sprintf("Mailen henviste til sag %s, %s.", referred.Ref, why)
		if _, err := r.cases.AddNote(ctx, c.ID, 0, note); err != nil {
			return c, err
		}
	}
	return c, r.noteRefused(ctx, c.ID, m)
}

// mayAnswer reports whether the mail gets a receipt, counting the receipt against the sender's
// bound first (one statement, so the bound holds for mails arriving together).
func (r *Receiver) mayAnswer(ctx context.Context, m Mail, address string) (bool, error) {
	if r.receipt == nil || m.Machine() {
		return false, nil
	}
	h := sha256.Sum256([]byte(strings.ToLower(address)))
	err := r.throttle.Take(ctx, ThrottleReceipt, "mail:"+hex.EncodeToString(h[:12]))
	if _, throttled := fault.OfKind(err, fault.Throttled); throttled {
		return false, nil
	}
	return err == nil, err
}

// noteRefused notes each refused file of m on the case, for staff (the citizen is not told by
// mail: an auto-answer about files is one more thing a forged sender could aim at someone).
func (r *Receiver) noteRefused(ctx context.Context, caseID int64, m Mail) error {
	for _, f := range m.Refused {
		note := fmt.Sprintf("Vedhæftet fil »%s« afvist / attachment refused: %s", f.Name, f.Reason)
		if _, err := r.cases.AddNote(ctx, caseID, 0, note); err != nil {
			return err
		}
	}
	return nil
}

// filesOnly is the text of a message that came with files and no text.
func filesOnly(m Mail) string {
	var names []string
	for _, a := range m.Attachments {
		names = append(names, a.Name)
	}
	for _, f := range m.Refused {
		names = append(names, f.Name)
	}
	return "(" + strings.Join(names, ", ") + ")"
}

func subjectOf(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return "(uden emne)"
	}
	return s
}

// langOf is the case's language from Content-Language ("en-GB, da" → en): Danish unless the
// first language named is English.
func langOf(header string) string {
	first, _, _ := strings.Cut(header, ",")
	first = strings.ToLower(strings.TrimSpace(first))
	if first == "en" || strings.HasPrefix(first, "en-") {
		return "en"
	}
	return "da"
}

func truncate(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:max]))
}
