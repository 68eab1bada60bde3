package campaigns

import (
	"maps"
	"net/http"

	"github.com/labstack/echo/v4"

	"mitidportal/campaign"
	"mitidportal/fault"
	"mitidportal/handlers/web"
	"mitidportal/views"
)

// itemFields are the text fields of the new item form, in the order shown.
var itemFields = []string{"item_title", "item_description", "kind", "item_audience", "lang", "visibility"}

// EditorNewItem is the form that creates an item in a pack with its first file.
func (s *Handlers) EditorNewItem(c echo.Context) error {
	pk, _, err := s.Packs.PackBySlug(c.Request().Context(), editorViewer, c.Param("slug"))
	if err != nil {
		return err
	}
	f := views.Form{Values: map[string]string{"lang": "da", "visibility": string(campaign.VisiblePublic)}}
	return s.renderNewItem(c, http.StatusOK, pk, f)
}

func (s *Handlers) renderNewItem(c echo.Context, status int, pk campaign.Pack, f views.Form) error {
	v := views.EditorNewItemView{PackTitle: pk.Title(lang(c)), PackHref: packHref(pk.Slug),
		Action: packHref(pk.Slug) + "/nyt-materiale", Form: f,
		Langs: []views.Option{{Value: "da", LabelID: "campaigneditor.lang.da"}, {Value: "en", LabelID: "campaigneditor.lang.en"}}}
	for _, k := range campaign.ItemKinds {
		v.Kinds = append(v.Kinds, views.Option{Value: string(k), LabelID: k.MsgID()})
	}
	for _, a := range campaign.ItemAudiences {
		v.Audiences = append(v.Audiences, views.Option{Value: string(a), LabelID: a.MsgID()})
	}
	for _, vis := range campaign.Visibilities {
		v.Visibilities = append(v.Visibilities, views.Option{Value: string(vis), LabelID: vis.MsgID()})
	}
	return s.render(c, status, views.EditorNewItem(v))
}

// EditorCreateItem creates a draft item with the uploaded file as its first version. The
// fields are read and checked before the file (see editor_upload.go), so a form with an error
// stores nothing.
func (s *Handlers) EditorCreateItem(c echo.Context) error {
	ctx := c.Request().Context()
	pk, _, err := s.Packs.PackBySlug(ctx, editorViewer, c.Param("slug"))
	if err != nil {
		return err
	}
	sf, err := readUpload(c, itemFields...)
	f := sf.Form
	again := func() error {
		finish(c)
		return s.renderNewItem(c, web.StatusInvalid, pk, f)
	}
	if err != nil {
		if err := uploadError(&f, err); err != nil {
			return err
		}
		return again()
	}
	n := campaign.NewItem{PackID: pk.ID, Kind: campaign.ItemKind(f.Values["kind"]),
		Audience: campaign.ItemAudience(f.Values["item_audience"]), Lang: f.Values["lang"],
		Title: f.Values["item_title"], Description: f.Values["item_description"],
		Visibility: campaign.Visibility(f.Values["visibility"])}
	if err := fieldError(&f, n.Check(), newItemFields, ""); err != nil {
		return err
	}
	if sf.file == nil {
		addError(&f, "file", campaign.ErrFileEmpty.MsgID)
	}
	if err := sf.checkFile(&f, campaign.SniffItem, fileFields); err != nil {
		return err
	}
	if f.HasErrors() {
		return again()
	}
	it, err := s.Packs.CreateItem(ctx, staffID(c), n, campaign.Upload{Filename: sf.file.FileName(), Body: sf.file})
	if err != nil {
		if err := uploadError(&f, err); err != nil {
			return err
		}
		return again()
	}
	return s.Redirect(c, itemHref(it.ID)+"?udfoert=oprettet")
}

// newItemFields name the field of the new item form each of the item's rules belongs to.
var newItemFields = func() map[*fault.Error]string {
	m := maps.Clone(fileFields)
	m[campaign.ErrNoteTooLong] = "item_description" // the item's description, not a version's note
	return m
}()

// addError adds msgID at field unless the field has an error already.
func addError(f *views.Form, field, msgID string) {
	if f.ErrorFor(field) == nil {
		f.Errors = append(f.Errors, views.FieldError{Field: field, MsgID: msgID})
	}
}

// EditorItem is an item's page: its facts and status, publishing, withdrawing, a new version
// and the history.
func (s *Handlers) EditorItem(c echo.Context) error {
	id, err := itemID(c)
	if err != nil {
		return err
	}
	return s.renderItem(c, http.StatusOK, id, views.Form{}, views.Form{}, editorNotices[c.QueryParam("udfoert")])
}

func (s *Handlers) renderItem(c echo.Context, status int, id int64, publish, version views.Form, notice string) error {
	ctx := c.Request().Context()
	it, err := s.Packs.Item(ctx, editorViewer, id)
	if err != nil {
		return err
	}
	pk, err := s.Packs.PackByID(ctx, it.PackID)
	if err != nil {
		return err
	}
	history, err := s.Packs.History(ctx, id)
	if err != nil {
		return err
	}
	st, release := s.statusOf(it)
	if publish.Values == nil {
		publish.Values = map[string]string{"when": "now"}
	}
	v := views.EditorItemView{ID: it.ID, PackTitle: pk.Title(lang(c)), PackHref: packHref(pk.Slug), Title: it.Title,
		Lang: it.Lang, Description: it.Description, StatusID: st, Release: release,
		VisibilityID: it.Visibility.MsgID(), KindID: it.Kind.MsgID(), AudienceID: it.Audience.MsgID(),
		FileURL: fileURL(it.ID), Published: it.Status == campaign.ItemPublished,
		PublishForm: publish, VersionForm: version, PublishHref: itemHref(id) + "/udgiv",
		WithdrawHref: itemHref(id) + "/tilbagetraek", VersionHref: itemHref(id) + "/version", NoticeID: notice}
	if it.Current.Thumb != "" {
		v.ThumbURL = thumbURL(it.ID)
	}
	for _, h := range history {
		v.History = append(v.History, views.EditorVersionRow{Version: h.Version.Version, Note: h.ChangeNote, By: h.By,
			When: s.When(h.CreatedAt), Size: size(h.Size), Name: h.Filename, MediaType: h.MediaType})
	}
	return s.render(c, status, views.EditorItem(v))
}

// EditorAddVersion adds the uploaded file as the item's new current version with a change
// note, read before the file.
func (s *Handlers) EditorAddVersion(c echo.Context) error {
	id, err := itemID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := s.Packs.Item(ctx, editorViewer, id); err != nil {
		return err
	}
	sf, err := readUpload(c, "change_note")
	f := sf.Form
	again := func() error {
		finish(c)
		return s.renderItem(c, web.StatusInvalid, id, views.Form{}, f, "")
	}
	if err != nil {
		if err := uploadError(&f, err); err != nil {
			return err
		}
		return again()
	}
	if sf.file == nil {
		addError(&f, "file", campaign.ErrFileEmpty.MsgID)
	}
	if err := sf.checkFile(&f, campaign.SniffItem, fileFields); err != nil {
		return err
	}
	if f.HasErrors() {
		return again()
	}
	_, err = s.Packs.AddVersion(ctx, staffID(c), id, campaign.Upload{Filename: sf.file.FileName(), Body: sf.file},
		f.Values["change_note"])
	if err != nil {
		if err := uploadError(&f, err); err != nil {
			return err
		}
		return again()
	}
	return s.Redirect(c, itemHref(id)+"?udfoert=version")
}
