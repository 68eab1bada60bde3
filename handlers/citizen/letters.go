package citizen

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"mitidportal/identity"
	"mitidportal/views"
)

// LettersPage is the citizen's letter box.
func (s *Handlers) LettersPage(c echo.Context) error {
	m, err := s.mitidOf(c)
	if err != nil {
		return err
	}
	list, err := s.Letters.List(c.Request().Context(), m.CPR)
	if err != nil {
		return err
	}
	var v views.LettersView
	for _, l := range list {
		v.Letters = append(v.Letters, views.LetterRow{ID: l.ID, Date: s.When(l.CreatedAt), Subject: l.Subject, Unread: l.ReadAt == nil})
	}
	return s.Render(c, http.StatusOK, views.Letters(v))
}

// LetterPDF serves one of the citizen's letters; another person's letter is not found.
func (s *Handlers) LetterPDF(c echo.Context) error {
	m, id, err := s.letterOf(c)
	if err != nil {
		return err
	}
	l, pdf, err := s.Letters.PDF(c.Request().Context(), m.CPR, id)
	if errors.Is(err, identity.ErrNotFound) {
		return echo.ErrNotFound
	}
	if err != nil {
		return err
	}
	return servePDF(c, "brev-"+strconv.FormatInt(l.ID, 10)+".pdf", pdf)
}

// OpenLetter marks one of the citizen's letters read and shows it: the letter box opens a letter
// by POST, so that reading the PDF by GET changes nothing.
func (s *Handlers) OpenLetter(c echo.Context) error {
	m, id, err := s.letterOf(c)
	if err != nil {
		return err
	}
	if err := s.Letters.MarkRead(c.Request().Context(), m.CPR, id); errors.Is(err, identity.ErrNotFound) {
		return echo.ErrNotFound
	} else if err != nil {
		return err
	}
	return s.Redirect(c, "/mitid/post/"+strconv.FormatInt(id, 10))
}

// letterOf is the logged-in citizen's MitID and the letter id of the path (404 when it is not
// a number).
func (s *Handlers) letterOf(c echo.Context) (identity.MitID, int64, error) {
	m, err := s.mitidOf(c)
	if err != nil {
		return identity.MitID{}, 0, err
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return identity.MitID{}, 0, echo.ErrNotFound
	}
	return m, id, nil
}

func servePDF(c echo.Context, name string, pdf []byte) error {
	h := c.Response().Header()
	h.Set("Content-Disposition", `inline; filename="`+name+`"`)
	h.Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, "application/pdf", pdf)
}

// DemoMailbox shows what the demo portal has sent: letters and e-mails of invented people, so
// a tester can read activation codes. Only demo mode serves it (the route answers 404 else).
// The e-mails are those the demo mail server received: the outbox blanks a code once it is
// sent. Without that server (demo mode with a real SMTP_HOST) the outbox is listed, as stored.
func (s *Handlers) DemoMailbox(c echo.Context) error {
	if !s.Config.Demo {
		return echo.ErrNotFound
	}
	ctx := c.Request().Context()
	ls, err := s.Letters.Recent(ctx, 30)
	if err != nil {
		return err
	}
	var v views.DemoMailView
	for _, l := range ls {
		v.Letters = append(v.Letters, views.DemoLetter{ID: l.ID, Recipient: l.Recipient, Date: s.When(l.CreatedAt), Subject: l.Subject})
	}
	if s.DemoMail != nil {
		for _, m := range s.DemoMail.Recent(30) {
			v.Mails = append(v.Mails, views.DemoMail{To: strings.Join(m.To, ", "), Subject: m.Subject,
				Time: s.When(m.Received), Body: m.Text})
		}
		return s.Render(c, http.StatusOK, views.DemoMailbox(v))
	}
	mails, err := s.Archive.Recent(ctx, "", 30)
	if err != nil {
		return err
	}
	for _, m := range mails {
		v.Mails = append(v.Mails, views.DemoMail{To: m.To, Subject: m.Subject, Time: s.When(m.CreatedAt), Body: m.Text})
	}
	return s.Render(c, http.StatusOK, views.DemoMailbox(v))
}

// DemoLetterPDF shows a letter the demo has "sent" (404 outside demo mode).
func (s *Handlers) DemoLetterPDF(c echo.Context) error {
	if !s.Config.Demo {
		return echo.ErrNotFound
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return echo.ErrNotFound
	}
	pdf, err := s.Letters.AnyPDF(c.Request().Context(), id)
	if errors.Is(err, identity.ErrNotFound) {
		return echo.ErrNotFound
	}
	if err != nil {
		return err
	}
	return servePDF(c, "brev-"+strconv.FormatInt(id, 10)+".pdf", pdf)
}
