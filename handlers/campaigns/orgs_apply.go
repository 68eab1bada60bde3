package campaigns

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"mitidportal/campaign"
	"mitidportal/handlers/web"
	"mitidportal/views"
)

// applyFields are the application form's fields, in the order of the page.
var applyFields = []string{"cvr", "name", "kind", "contact_name", "email", "lang"}

// applyFieldOf is the form field each rule of an application is about.
var applyFieldOf = map[error]string{
	campaign.ErrCVRInvalid: "cvr", campaign.ErrCVRTaken: "cvr", campaign.ErrKindInvalid: "kind",
	campaign.ErrEmailInvalid: "email", campaign.ErrLangInvalid: "lang",
}

func kindOptions() []views.Option {
	opts := make([]views.Option, 0, len(campaign.Kinds))
	for _, k := range campaign.Kinds {
		opts = append(opts, views.Option{Value: string(k), LabelID: k.MsgID()})
	}
	return opts
}

// langOptions are the languages mails can be written in.
func langOptions() []views.Option {
	return []views.Option{{Value: "da", LabelID: "campaignorgs.lang.da"}, {Value: "en", LabelID: "campaignorgs.lang.en"}}
}

// ApplyPage is the empty application form; the mails' language starts as the page's.
func (s *Handlers) ApplyPage(c echo.Context) error {
	f := views.Form{Values: map[string]string{"lang": web.StateOf(c).Lang}}
	return s.Render(c, http.StatusOK, views.OrgApply(views.OrgApplyView{Form: f, Kinds: kindOptions(), Langs: langOptions()}))
}

// ApplySubmit stores an application for the editors, counted per client address and contact
// address first (campaign.Orgs.ApplyFrom), and shows the receipt.
func (s *Handlers) ApplySubmit(c echo.Context) error {
	f := web.FormOf(c, applyFields...)
	again := func() error {
		return s.Render(c, web.StatusInvalid, views.OrgApply(views.OrgApplyView{Form: f, Kinds: kindOptions(), Langs: langOptions()}))
	}
	// The missing fields all at once (blanks count as missing); then the first other rule the
	// domain finds.
	trimmed := map[string]string{}
	for k, v := range f.Values {
		trimmed[k] = strings.TrimSpace(v)
	}
	web.Require(&f, trimmed, [2]string{"cvr", "campaignorgs.err.cvr_required"},
		[2]string{"name", "campaignorgs.err.name_required"}, [2]string{"kind", campaign.ErrKindInvalid.MsgID},
		[2]string{"contact_name", "campaignorgs.err.contact_name_required"},
		[2]string{"email", "campaignorgs.err.email_required"}, [2]string{"lang", campaign.ErrLangInvalid.MsgID})
	if f.HasErrors() {
		return again()
	}
	org, err := s.Orgs.ApplyFrom(c.Request().Context(), s.ClientAddr(c), campaign.Application{
		CVR: f.Values["cvr"], Name: f.Values["name"], Kind: campaign.Kind(f.Values["kind"]),
		ContactName: f.Values["contact_name"], ContactEmail: f.Values["email"], Lang: f.Values["lang"]})
	if err != nil {
		return s.FieldOrError(c, &f, err, applyField(err), again)
	}
	return s.Render(c, http.StatusOK, views.OrgApplied(views.OrgAppliedView{Name: org.Name, Email: org.ContactEmail}))
}

// applyField is the field an application's rule is shown at. A name rule is about the
// organisation's name or the contact person's: the longer one is the one over the limit, and
// an empty one was caught by Require.
func applyField(err error) string {
	for rule, field := range applyFieldOf {
		if errors.Is(err, rule) {
			return field
		}
	}
	if errors.Is(err, campaign.ErrNameTooLong) || errors.Is(err, campaign.ErrNameRequired) {
		return "name"
	}
	return "email" // the throttle: the address the mails would go to
}
