package app

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"mitidportal/campaign/forum"
	"mitidportal/locales"
	"mitidportal/mail"
)

// forumMail writes the mail that tells a participant their forum meeting moved or was
// cancelled into the outbox, in the editor's transaction (forum.Hooks.Notify), in the language
// the forum found for them.
type forumMail struct {
	outbox  *mail.Outbox
	catalog *locales.Catalog
	baseURL string
	loc     *time.Location
}

// meeting queues one participant's notice: the meeting as it is now (time, place, video link)
// or its cancellation, with the link to its page.
func (m *forumMail) meeting(ctx context.Context, tx pgx.Tx, n forum.Notice) error {
	tr := m.catalog.For(n.Lang)
	mt := n.Meeting
	// The title is one line in the subject whatever was typed.
	data := map[string]any{"Title": strings.Join(strings.Fields(mt.Title(n.Lang)), " "), "Place": mt.Place, "Video": mt.VideoURL,
		"When": mt.Starts.In(m.loc).Format("02-01-2006 15:04") + "–" + mt.Ends.In(m.loc).Format("15:04"),
		"URL":  m.baseURL + "/forum/moeder/" + strconv.FormatInt(mt.ID, 10)}
	subject, body, kind := tr.T("forum.mail.cancelled_subject", data), tr.T("forum.mail.cancelled_text", data), "meeting.cancelled"
	if !n.Cancelled {
		subject, body, kind = tr.T("forum.mail.moved_subject", data), tr.T("forum.mail.moved_text", data), "meeting.moved"
		if mt.Place != "" {
			body += "\n" + tr.T("forum.mail.place", data)
		}
		if mt.VideoURL != "" {
			body += "\n" + tr.T("forum.mail.video", data)
		}
		body += "\n\n" + tr.T("forum.mail.moved_end", data)
	}
	_, err := m.outbox.Enqueue(ctx, tx, mail.Message{To: n.Email, Subject: subject, Text: body, Kind: kind})
	if errors.Is(err, mail.ErrInvalidAddress) {
		return forum.ErrUndeliverable // a register address that is no address must not stop the change
	}
	return err
}
