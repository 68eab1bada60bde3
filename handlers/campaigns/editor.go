package campaigns

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"mitidportal/campaign"
	"mitidportal/fault"
	"mitidportal/handlers/web"
	"mitidportal/views"
)

// The campaign editors' pages (role campaign editor): packs, their items and the items' files.
const editorPath = "/redaktion/pakker"

// editorNotices are the notices a ?udfoert= value may ask for.
var editorNotices = map[string]string{
	"oprettet": "campaigneditor.notice.created", "version": "campaigneditor.notice.version",
	"udgivet": "campaigneditor.notice.published", "planlagt": "campaigneditor.notice.scheduled",
	"tilbagetrukket": "campaigneditor.notice.withdrawn",
}

// editorViewer sees every item: drafts, scheduled and withdrawn ones too.
var editorViewer = campaign.Viewer{Editor: true}

func staffID(c echo.Context) int64 { return web.StateOf(c).Subject.ID }

// editorNav is the staff menu of the editors' pages: the staff start page and the packs.
func editorNav(c echo.Context) {
	st := web.StateOf(c)
	st.Page.Nav = []views.NavItem{{Label: st.Tr.T("staffweb.nav.home"), Href: "/medarbejder"},
		{Label: st.Tr.T("campaigneditor.packs.heading"), Href: editorPath, Active: true},
		{Label: st.Tr.T("site.editor.list.heading"), Href: "/redaktion/sider"}}
}

// render shows an editor's page with the staff menu.
func (s *Handlers) render(c echo.Context, status int, comp templ.Component) error {
	editorNav(c)
	return s.Render(c, status, comp)
}

func lang(c echo.Context) string { return web.StateOf(c).Lang }

func packHref(slug string) string { return editorPath + "/" + slug }

func itemHref(id int64) string { return "/redaktion/materiale/" + strconv.FormatInt(id, 10) }

// EditorPacks lists every pack and shows the form that creates one.
func (s *Handlers) EditorPacks(c echo.Context) error {
	return s.renderPacks(c, http.StatusOK, views.Form{}, editorNotices[c.QueryParam("udfoert")])
}

func (s *Handlers) renderPacks(c echo.Context, status int, f views.Form, notice string) error {
	packs, err := s.Packs.List(c.Request().Context(), editorViewer)
	if err != nil {
		return err
	}
	v := views.EditorPacksView{Form: f, NoticeID: notice}
	for _, a := range campaign.Audiences {
		v.Audiences = append(v.Audiences, views.Option{Value: string(a), LabelID: a.MsgID()})
	}
	for _, p := range packs {
		v.Packs = append(v.Packs, views.EditorPackRow{Href: packHref(p.Slug), Title: p.Title(lang(c)),
			AudienceID: p.Audience.MsgID(), Items: p.Items})
	}
	return s.render(c, status, views.EditorPacks(v))
}

// EditorCreatePack creates a pack at the end of the list.
func (s *Handlers) EditorCreatePack(c echo.Context) error {
	f := web.FormOf(c, "pack_slug", "pack_audience", "pack_title_da", "pack_title_en", "pack_summary_da", "pack_summary_en")
	web.Require(&f, f.Values, [2]string{"pack_title_da", campaign.ErrTitleRequired.MsgID},
		[2]string{"pack_title_en", campaign.ErrTitleRequired.MsgID}, [2]string{"pack_slug", campaign.ErrSlugInvalid.MsgID},
		[2]string{"pack_audience", campaign.ErrAudienceInvalid.MsgID})
	again := func() error { return s.renderPacks(c, web.StatusInvalid, f, "") }
	if f.HasErrors() {
		return again()
	}
	pk, err := s.Packs.CreatePack(c.Request().Context(), staffID(c), campaign.NewPack{Slug: f.Values["pack_slug"],
		Audience: campaign.Audience(f.Values["pack_audience"]), TitleDA: f.Values["pack_title_da"],
		TitleEN: f.Values["pack_title_en"], SummaryDA: f.Values["pack_summary_da"], SummaryEN: f.Values["pack_summary_en"]})
	if err != nil {
		if err := fieldError(&f, err, packFields, "pack_title_da"); err != nil {
			return err
		}
		return again()
	}
	return s.Redirect(c, packHref(pk.Slug)+"?udfoert=oprettet")
}

// packFields name the field a rule of the pack form belongs to.
var packFields = map[*fault.Error]string{
	campaign.ErrSlugInvalid: "pack_slug", campaign.ErrSlugTaken: "pack_slug",
	campaign.ErrAudienceInvalid: "pack_audience", campaign.ErrNoteTooLong: "pack_summary_da",
}

// fieldError shows every rule of the campaign domain in err (one or joined, fault.Rules) at the
// field fields names (def for the others), each field with its first message; anything else
// (not found, a failing store) goes to the error page.
func fieldError(f *views.Form, err error, fields map[*fault.Error]string, def string) error {
	rules, ok := fault.Rules(err)
	if !ok {
		return err
	}
	for _, fe := range rules {
		if fe.Kind != fault.Invalid && fe.Kind != fault.Conflict {
			return err
		}
	}
	return web.SupportError(f, err, fields, def)
}

// EditorPack shows a pack's items, whatever their status, in their order.
func (s *Handlers) EditorPack(c echo.Context) error {
	v, err := s.packView(c, c.Param("slug"))
	if err != nil {
		return err
	}
	v.NoticeID = editorNotices[c.QueryParam("udfoert")]
	return s.render(c, http.StatusOK, views.EditorPack(v))
}

func (s *Handlers) packView(c echo.Context, slug string) (views.EditorPackView, error) {
	pk, items, err := s.Packs.PackBySlug(c.Request().Context(), editorViewer, slug)
	if err != nil {
		return views.EditorPackView{}, err
	}
	v := views.EditorPackView{Title: pk.Title(lang(c)), Slug: pk.Slug, AudienceID: pk.Audience.MsgID(),
		NewItemHref: packHref(pk.Slug) + "/nyt-materiale"}
	for i, it := range items {
		status, release := s.statusOf(it)
		row := views.EditorItemRow{ID: it.ID, Href: itemHref(it.ID), Title: it.Title, Lang: it.Lang,
			StatusID: status, Release: release, VisibilityID: it.Visibility.MsgID(), KindID: it.Kind.MsgID(),
			AudienceID: it.Audience.MsgID(), Size: size(it.Current.Size), Version: it.Current.Version,
			MoveHref: itemHref(it.ID) + "/flyt", First: i == 0, Last: i == len(items)-1}
		if it.Current.Thumb != "" {
			row.ThumbURL = thumbURL(it.ID)
		}
		v.Items = append(v.Items, row)
	}
	return v, nil
}

// thumbURL and fileURL are served by the packs' public pages (packs*.go), which let editors see
// every item.
func thumbURL(itemID int64) string {
	return "/kommunikation/miniature/" + strconv.FormatInt(itemID, 10)
}
func fileURL(itemID int64) string { return "/kommunikation/fil/" + strconv.FormatInt(itemID, 10) }

// statusOf is an item's status as its editors read it (a published item before its release
// time is scheduled) and the release time, when it has one that matters.
func (s *Handlers) statusOf(it campaign.Item) (string, string) {
	switch {
	case it.Status == campaign.ItemPublished && !it.Released(s.Now()):
		return "campaigneditor.status.scheduled", s.When(*it.ReleaseAt)
	case it.Status == campaign.ItemPublished:
		return it.Status.MsgID(), s.When(*it.ReleaseAt)
	}
	return it.Status.MsgID(), ""
}

// size is a file size for people: the same in both languages (kB, MB with a decimal comma).
func size(n int64) string {
	switch {
	case n >= 1<<20:
		return commaDecimal(fmt.Sprintf("%.1f MB", float64(n)/(1<<20)))
	case n >= 1<<10:
		return fmt.Sprintf("%d kB", (n+512)>>10)
	}
	return fmt.Sprintf("%d B", n)
}

func commaDecimal(s string) string {
	b := []byte(s)
	for i, ch := range b {
		if ch == '.' {
			b[i] = ','
		}
	}
	return string(b)
}

// EditorMove moves an item one place up (dir=op) or down (dir=ned) and shows the pack again:
// the whole page without JavaScript, its table alone for htmx.
func (s *Handlers) EditorMove(c echo.Context) error {
	id, err := itemID(c)
	if err != nil {
		return err
	}
	delta := map[string]int{"op": -1, "ned": 1}[c.FormValue("dir")]
	if delta == 0 {
		return echo.NewHTTPError(http.StatusBadRequest, "dir")
	}
	ctx := c.Request().Context()
	it, err := s.Packs.Item(ctx, editorViewer, id)
	if err != nil {
		return err
	}
	if err := s.Packs.Move(ctx, staffID(c), id, delta); err != nil {
		return err
	}
	pk, err := s.Packs.PackByID(ctx, it.PackID)
	if err != nil {
		return err
	}
	if c.Request().Header.Get("HX-Request") == "true" {
		v, err := s.packView(c, pk.Slug)
		if err != nil {
			return err
		}
		return s.Render(c, http.StatusOK, views.EditorItems(v))
	}
	return s.Redirect(c, packHref(pk.Slug)+"#pack-items")
}

// itemID is the item of the URL; anything but a positive number is 404.
func itemID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, echo.ErrNotFound
	}
	return id, nil
}
