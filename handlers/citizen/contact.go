package citizen

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"mitidportal/handlers/web"
	"mitidportal/identity"
	"mitidportal/inbound"
	"mitidportal/session"
	"mitidportal/support"
	"mitidportal/views"
)

// contactFields are the form's fields, in the order of the page.
var contactFields = []string{"system", "category", "subject", "message", "name", "email"}

// contactCitizen reports whether the request is a logged-in citizen, whose case is tied to
// their MitID.
func contactCitizen(c echo.Context) bool { return web.StateOf(c).Subject.Kind == session.KindCitizen }

func (s *Handlers) contactView(c echo.Context, f views.Form) views.ContactFormView {
	v := views.ContactFormView{Form: f, LoggedIn: contactCitizen(c)}
	for _, sys := range support.Systems {
		v.Systems = append(v.Systems, views.Option{Value: string(sys), LabelID: sys.MsgID()})
	}
	for _, cat := range support.Categories {
		v.Categories = append(v.Categories, views.Option{Value: string(cat), LabelID: cat.MsgID()})
	}
	return v
}

// ContactFormPage shows the empty form; ?kategori= chooses a category beforehand (the
// accessibility statement's link to report a problem), when it is one.
func (s *Handlers) ContactFormPage(c echo.Context) error {
	f := views.Form{Values: map[string]string{"system": string(support.SystemMitID)}}
	if cat := support.Category(c.QueryParam("kategori")); slices.Contains(support.Categories, cat) {
		f.Values["category"] = string(cat)
	}
	return s.Render(c, http.StatusOK, views.ContactForm(s.contactView(c, f)))
}

// contactFieldOf is the form field a support rule is about.
var contactFieldOf = map[*support.Error]string{
	support.ErrSystemInvalid: "system", support.ErrCategoryInvalid: "category",
	support.ErrSubjectRequired: "subject", support.ErrSubjectTooLong: "subject",
	support.ErrBodyRequired: "message", support.ErrBodyTooLong: "message",
	support.ErrNameRequired: "name", support.ErrNameTooLong: "name",
	support.ErrContactRequired: "email", support.ErrEmailInvalid: "email",
	support.ErrAttachmentType: "files", support.ErrAttachmentTooLarge: "files",
	support.ErrAttachmentsTooMany: "files", support.ErrAttachmentsTotal: "files", support.ErrAttachmentEmpty: "files",
}

// supportFieldError turns a support rule into an error at its field (fallback: the form as a
// whole); any other error is returned for the error page.
func supportFieldError(f *views.Form, err error, fallback string) error {
	return web.SupportError(f, err, contactFieldOf, fallback)
}

// ContactFormSubmit opens the case (logged in) or stores it until the address is confirmed.
func (s *Handlers) ContactFormSubmit(c echo.Context) error {
	f := web.FormOf(c, contactFields...)
	again := func() error { return s.Render(c, web.StatusInvalid, views.ContactForm(s.contactView(c, f))) }
	st := web.StateOf(c)
	anonymous := !contactCitizen(c)
	sub := inbound.Submission{
		System: support.System(f.Values["system"]), Category: support.Category(f.Values["category"]),
		Subject: f.Values["subject"], Message: f.Values["message"], Lang: st.Lang,
	}
	if anonymous {
		sub.Name, sub.Email = f.Values["name"], f.Values["email"]
	}
	// The missing fields all at once; then the first other rule the domain finds.
	required := [][2]string{{"system", "citizencases.err.system_required"},
		{"category", "citizencases.err.category_required"}, {"subject", support.ErrSubjectRequired.MsgID},
		{"message", support.ErrBodyRequired.MsgID}}
	if anonymous {
		required = append(required, [2]string{"name", support.ErrNameRequired.MsgID},
			[2]string{"email", "citizencases.err.email_required"})
	}
	web.Require(&f, f.Values, required...)
	if !f.HasErrors() {
		checked, err := sub.Check(anonymous)
		if err := supportFieldError(&f, err, ""); err != nil {
			return err
		}
		sub = checked
	}
	if f.HasErrors() {
		return again()
	}
	ctx := c.Request().Context()
	// Throttled per client address, and per MitID (logged in) or per e-mail address
	// (anonymous), each attempt counted before anything is done with it: the form can neither
	// flood support nor bomb someone's mailbox with confirmation mails, and its own purpose
	// keeps an office's contact forms from blocking MitID creation there.
	second := "mail:" + mailKey(sub.Email)
	field := "email"
	if !anonymous {
		second, field = "mitid:"+strconv.FormatInt(st.Subject.ID, 10), "subject"
	}
	for _, key := range []string{s.ClientAddr(c), second} {
		if err := s.Throttle.Take(ctx, identity.ThrottleContact, key); err != nil {
			return s.FieldOrError(c, &f, err, field, again)
		}
	}
	// Stored after the throttle (the slow part); refused by content, not by name or claimed type.
	files, err := web.Uploads(c, s.Files, "files")
	if err != nil {
		if err := supportFieldError(&f, err, "files"); err != nil {
			return err
		}
		return again()
	}
	sub.Attachments = files
	if !anonymous {
		cs, err := s.openCitizenCase(ctx, st.Subject.ID, sub)
		if err != nil {
			if err := supportFieldError(&f, err, "subject"); err != nil {
				return err
			}
			return again()
		}
		return s.Render(c, http.StatusOK, views.ContactOpened(views.ContactOpenedView{Ref: cs.Ref, Email: cs.Email, LoggedIn: true}))
	}
	if err := s.Contacts.Submit(ctx, sub); err != nil {
		if err := supportFieldError(&f, err, "email"); err != nil {
			return err
		}
		return again()
	}
	return s.Render(c, http.StatusOK, views.ContactSent(views.ContactSentView{Email: sub.Email}))
}

// mailKey is the throttle key of an e-mail address: a hash, so the address is not stored in
// the throttle table.
func mailKey(email string) string {
	h := sha256.Sum256([]byte(strings.ToLower(email)))
	return hex.EncodeToString(h[:12])
}

// openCitizenCase opens a logged-in citizen's case with the register's name and e-mail
// address; the receipt goes out in the same transaction (support's hook).
func (s *Handlers) openCitizenCase(ctx context.Context, mitidID int64, sub inbound.Submission) (support.Case, error) {
	contact, err := s.Identity.Contact(ctx, mitidID)
	if err != nil {
		return support.Case{}, err
	}
	return s.Cases.OpenWithReceipt(ctx, support.NewCase{
		Channel: support.ChannelWeb, System: sub.System, Category: sub.Category, MitIDID: mitidID,
		Name: strings.TrimSpace(contact.GivenName + " " + contact.FamilyName), Email: contact.Email,
		Lang: sub.Lang, Subject: sub.Subject, Message: sub.Message, Attachments: sub.Attachments,
	})
}

// ContactConfirmPage is where the link in the mail leads: the submission and a button that
// sends it. A GET spends nothing, so a mail scanner that follows links opens no case.
func (s *Handlers) ContactConfirmPage(c echo.Context) error {
	token := c.Param("token")
	sub, err := s.Contacts.Lookup(c.Request().Context(), token)
	if errors.Is(err, inbound.ErrTokenInvalid) {
		return s.Render(c, http.StatusNotFound, views.ContactLinkInvalid())
	}
	if err != nil {
		return err
	}
	return s.Render(c, http.StatusOK, views.ContactConfirm(views.ContactConfirmView{
		Action: "/kontakt/bekraeft/" + token, SystemID: sub.System.MsgID(), CategoryID: sub.Category.MsgID(),
		Subject: sub.Subject, Message: sub.Message, Name: sub.Name, Email: sub.Email}))
}

// ContactConfirm opens the case of an anonymous submission when the citizen presses the
// button on the link's page; the link works once: spending it, opening the case and queuing
// the receipt are one transaction.
func (s *Handlers) ContactConfirm(c echo.Context) error {
	cs, err := s.Contacts.Confirm(c.Request().Context(), c.Param("token"))
	if errors.Is(err, inbound.ErrTokenInvalid) {
		return s.Render(c, http.StatusNotFound, views.ContactLinkInvalid())
	}
	if err != nil {
		return err
	}
	return s.Render(c, http.StatusOK, views.ContactOpened(views.ContactOpenedView{Ref: cs.Ref, Email: cs.Email}))
}
