package web

import (
	"encoding/json"
	"errors"
	"io"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"mitidportal/campaign"
	"mitidportal/campaign/forum"
	"mitidportal/campaign/newsletter"
	"mitidportal/campaign/site"
	"mitidportal/campaign/sitedata"
	"mitidportal/identity"
	"mitidportal/identity/idapp"
	"mitidportal/input"
	"mitidportal/markdown"
	"mitidportal/support"
	"mitidportal/views"
)

// Every text value a handler reads from a form or a query string goes through field or
// secretField (formOf uses field), which check it with package input against the rule of its
// name below. A value that breaks a rule is recorded on the request as a field error, and the
// handler's validate step picks the errors up (formOf does it itself; a handler that reads a
// field on its own calls inputErrors). The value returned is always safe: valid UTF-8 without
// NUL, so even a forgotten check cannot put a byte PostgreSQL refuses into a query.

// fieldRule is the rule of one field name and the message shown when the value is too long.
type fieldRule struct {
	input.Rule
	TooLongID string // message ID of the too-long error; "" is form.err.too_long with {{.Max}}
}

// fieldRules are the rules of the portal's field names. A name means one thing across the
// portal (subject is a case's subject in every form that posts one), so each is declared once;
// a name not listed is one line of at most input.DefaultMax characters. The limits are the
// domain's own, so the form refuses exactly what the domain would, with its message.
var fieldRules = map[string]fieldRule{
	"subject":    {input.Rule{Max: support.MaxSubject}, support.ErrSubjectTooLong.MsgID},
	"name":       {input.Rule{Max: support.MaxName}, support.ErrNameTooLong.MsgID},
	"message":    {input.Rule{Max: support.MaxBody, Multiline: true}, support.ErrBodyTooLong.MsgID},
	"reply_body": {input.Rule{Max: support.MaxBody, Multiline: true}, support.ErrBodyTooLong.MsgID},
	"note_body":  {input.Rule{Max: support.MaxBody, Multiline: true}, support.ErrBodyTooLong.MsgID},
	"call_note":  {input.Rule{Max: support.MaxBody, Multiline: true}, support.ErrBodyTooLong.MsgID},
	"q":          {input.Rule{Max: support.MaxQuery}, support.ErrSearchQueryTooLong.MsgID},
	// Room for the most tags a case takes, each at its longest, with ", " between them.
	"tags": {Rule: input.Rule{Max: support.MaxTags * (support.MaxTagLen + 2)}},
	"password": {input.Rule{Max: identity.PasswordMaxLength, Secret: true},
		identity.ErrPasswordTooLong.MsgID},
	"password_repeat": {input.Rule{Max: identity.PasswordMaxLength, Secret: true},
		identity.ErrPasswordTooLong.MsgID},
	// Canned replies (handlers/desk/canned.go), a title and a body in each language.
	"title_da": {input.Rule{Max: support.MaxCannedTitle}, support.ErrCannedTitleTooLong.MsgID},
	"title_en": {input.Rule{Max: support.MaxCannedTitle}, support.ErrCannedTitleTooLong.MsgID},
	"body_da":  {input.Rule{Max: support.MaxCannedBody, Multiline: true}, support.ErrCannedBodyTooLong.MsgID},
	"body_en":  {input.Rule{Max: support.MaxCannedBody, Multiline: true}, support.ErrCannedBodyTooLong.MsgID},
	// The campaign editors' packs and items (handlers/campaigns/editor*.go); titles and short
	// names are one line of the default length, which is the domain's (campaign.MaxName).
	"pack_summary_da":  {Rule: input.Rule{Max: campaign.MaxSummary, Multiline: true}},
	"pack_summary_en":  {Rule: input.Rule{Max: campaign.MaxSummary, Multiline: true}},
	"item_description": {Rule: input.Rule{Max: campaign.MaxSummary, Multiline: true}},
	"decision_note":    {input.Rule{Max: campaign.MaxNote, Multiline: true}, campaign.ErrNoteTooLong.MsgID},
	"change_note":      {input.Rule{Max: campaign.MaxNote, Multiline: true}, campaign.ErrNoteTooLong.MsgID},
	// The campaign site's Q&A answers, brokers and page texts (handlers/campaigns/sitedata*.go);
	// questions, names and titles are one line of the default length, the domain's own.
	"qa_answer_da":          {Rule: input.Rule{Max: sitedata.MaxAnswer, Multiline: true}},
	"qa_answer_en":          {Rule: input.Rule{Max: sitedata.MaxAnswer, Multiline: true}},
	"broker_description_da": {Rule: input.Rule{Max: sitedata.MaxBlurb}},
	"broker_description_en": {Rule: input.Rule{Max: sitedata.MaxBlurb}},
	"broker_url":            {Rule: input.Rule{Max: sitedata.MaxURL}},
	"intro_da":              {Rule: input.Rule{Max: sitedata.MaxText, Multiline: true}},
	"intro_en":              {Rule: input.Rule{Max: sitedata.MaxText, Multiline: true}},
	// The campaign site's pages (handlers/campaigns/site*.go): a page's title is one line of the
	// default length (site.MaxTitle), its lead one longer line, its body Markdown.
	"page_summary": {input.Rule{Max: site.MaxSummary}, site.ErrSummaryTooLong.MsgID},
	"page_body":    {input.Rule{Max: site.MaxBody, Multiline: true}, site.ErrBodyTooLong.MsgID},

	// The newsletter's issues (handlers/campaigns/news_editor.go): a subject line and a Markdown
	// body per language.
	"news_subject_da": {input.Rule{Max: newsletter.MaxSubject}, newsletter.ErrSubjectTooLong.MsgID},
	"news_subject_en": {input.Rule{Max: newsletter.MaxSubject}, newsletter.ErrSubjectTooLong.MsgID},
	"news_body_da":    {input.Rule{Max: markdown.MaxLen, Multiline: true}, newsletter.ErrBodyTooLong.MsgID},
	"news_body_en":    {input.Rule{Max: markdown.MaxLen, Multiline: true}, newsletter.ErrBodyTooLong.MsgID},

	// The stakeholder forum (handlers/campaigns/forum*.go): agendas in Markdown, input
	// questions and the organisations' answers.
	"agenda_da":   {Rule: input.Rule{Max: forum.MaxAgenda, Multiline: true}},
	"agenda_en":   {Rule: input.Rule{Max: forum.MaxAgenda, Multiline: true}},
	"video_url":   {Rule: input.Rule{Max: forum.MaxLink}},
	"question_da": {Rule: input.Rule{Max: forum.MaxQuestion, Multiline: true}},
	"question_en": {Rule: input.Rule{Max: forum.MaxQuestion, Multiline: true}},
	"answer":      {input.Rule{Max: forum.MaxAnswer, Multiline: true}, forum.ErrAnswerTooLong.MsgID},
	// Feedback rounds (handlers/campaigns/rounds*.go): the round's Markdown description, a
	// forum member's comment and the editor's note when handling it.
	"round_description": {input.Rule{Max: campaign.MaxRoundDescription, Multiline: true}, campaign.ErrRoundDescLong.MsgID},
	"comment":           {input.Rule{Max: campaign.MaxComment, Multiline: true}, campaign.ErrCommentTooLong.MsgID},
	"handled_note":      {input.Rule{Max: campaign.MaxNote}, campaign.ErrNoteTooLong.MsgID},
	// The identification app's signed result (a compact JWS), not typed by a person.
	"result": {Rule: input.Rule{Max: idapp.MaxResultLength}},
}

// Message IDs of the input rules' errors.
const (
	msgInvalidCharacters = "form.err.invalid_characters"
	msgTooLong           = "form.err.too_long"
)

// keyInputErrors is where a request's broken input rules wait for the handler.
const keyInputErrors = "input_errors"

// Field returns a form or query value, trimmed and checked against its name's rule.
func Field(c echo.Context, name string) string { return readField(c, name, false) }

// SecretField returns a password or code as typed (no trimming: a space may be part of a
// password), checked like any field.
func SecretField(c echo.Context, name string) string { return readField(c, name, true) }

func readField(c echo.Context, name string, secret bool) string {
	v, fe := CheckText(name, c.FormValue(name), secret)
	if fe == nil {
		return v
	}
	errs, _ := c.Get(keyInputErrors).([]views.FieldError)
	for _, e := range errs {
		if e.Field == name {
			return v // read twice; one message is enough
		}
	}
	c.Set(keyInputErrors, append(errs, *fe))
	return v
}

// CheckText checks raw against the rule of field name; it is field without the request, for
// text that arrives another way (the JSON of the chip and app scripts).
func CheckText(name, raw string, secret bool) (string, *views.FieldError) {
	r := fieldRules[name]
	r.Secret = r.Secret || secret
	v, p := input.Check(raw, r.Rule)
	if p == input.OK {
		return v, nil
	}
	fe := &views.FieldError{Field: name, MsgID: msgInvalidCharacters}
	if p == input.TooLong {
		fe.MsgID = r.TooLongID
		if fe.MsgID == "" {
			max := r.Max
			if max == 0 {
				max = input.DefaultMax
			}
			fe.MsgID, fe.Data = msgTooLong, map[string]any{"Max": max}
		}
	}
	return v, fe
}

// errNotUTF8 refuses a JSON body that is not UTF-8.
var errNotUTF8 = errors.New("request body is not UTF-8")

// DecodeJSON decodes a script's JSON body of at most limit bytes into v. Bytes that are not
// UTF-8 are refused: the JSON decoder would quietly turn them into U+FFFD.
func DecodeJSON(c echo.Context, limit int64, v any) error {
	b, err := io.ReadAll(io.LimitReader(c.Request().Body, limit))
	if err != nil {
		return err
	}
	if !utf8.Valid(b) {
		return errNotUTF8
	}
	return json.Unmarshal(b, v)
}

// InputErrors adds the request's broken input rules to f, each at its field unless the field
// has an error already.
func InputErrors(c echo.Context, f *views.Form) {
	errs, _ := c.Get(keyInputErrors).([]views.FieldError)
	for _, e := range errs {
		if f.ErrorFor(e.Field) == nil {
			f.Errors = append(f.Errors, e)
		}
	}
}

// InputError returns the broken input rule of field name, or nil.
func InputError(c echo.Context, name string) *views.FieldError {
	var f views.Form
	InputErrors(c, &f)
	return f.ErrorFor(name)
}
