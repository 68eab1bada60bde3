package campaigns

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"mitidportal/campaign"
	"mitidportal/handlers/web"
	"mitidportal/session"
	"mitidportal/views"
)

// viewer is who asks: what the packs' pages show and what may be downloaded follow from it.
func (h *Handlers) viewer(c echo.Context) (campaign.Viewer, error) {
	sub := web.StateOf(c).Subject
	var mitid int64
	if sub.Kind == session.KindCitizen {
		mitid = sub.ID
	}
	editor := sub.Kind == session.KindStaff && slices.Contains(web.RolesOf(sub), web.CampaignEditor)
	return h.Packs.ViewerOf(c.Request().Context(), mitid, editor)
}

// PacksPage lists the communication packs with their audiences and how many items the
// visitor may see in each.
func (h *Handlers) PacksPage(c echo.Context) error {
	v, err := h.viewer(c)
	if err != nil {
		return err
	}
	list, err := h.Packs.List(c.Request().Context(), v)
	if err != nil {
		return err
	}
	lang := web.StateOf(c).Lang
	var pv views.PacksView
	for _, p := range list {
		pv.Packs = append(pv.Packs, views.PackCard{Href: "/kommunikation/" + p.Slug, Title: p.Title(lang),
			Summary: p.Summary(lang), AudienceID: p.Audience.MsgID(), Items: p.Items})
	}
	return h.Render(c, http.StatusOK, views.Packs(pv))
}

// PackPage shows a pack's items the visitor may see, each with its file's facts, its
// thumbnail or type icon and its version history.
func (h *Handlers) PackPage(c echo.Context) error {
	ctx := c.Request().Context()
	v, err := h.viewer(c)
	if err != nil {
		return err
	}
	if !validSlug(c.Param("slug")) {
		return echo.ErrNotFound
	}
	pk, items, err := h.Packs.PackBySlug(ctx, v, c.Param("slug"))
	if err != nil {
		return err
	}
	lang := web.StateOf(c).Lang
	pv := views.PackView{Title: pk.Title(lang), Summary: pk.Summary(lang), AudienceID: pk.Audience.MsgID(),
		ZipHref: "/kommunikation/" + pk.Slug + "/zip"}
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	vers, err := h.Packs.VersionsOf(ctx, v, ids)
	if err != nil {
		return err
	}
	for _, it := range items {
		if it.Current.Version == 0 {
			continue // an editor's draft without a file yet: nothing to show or download
		}
		pv.Items = append(pv.Items, h.itemView(it, vers[it.ID]))
	}
	return h.Render(c, http.StatusOK, views.PackPage(pv))
}

func (h *Handlers) itemView(it campaign.Item, vers []campaign.Version) views.PackItem {
	id := strconv.FormatInt(it.ID, 10)
	cur := it.Current
	iv := views.PackItem{ID: id, Title: it.Title, Description: it.Description, KindID: it.Kind.MsgID(),
		AudienceID: it.Audience.MsgID(), LangID: "campaignpacks.lang." + it.Lang,
		VisibilityID: it.Visibility.MsgID(), Format: formatName(cur.MediaType), Size: fileSize(cur.Size),
		SHA256: cur.SHA256, Version: cur.Version, Date: h.day(cur), Href: "/kommunikation/fil/" + id,
		Filename: cur.Filename, Icon: formatName(cur.MediaType)}
	if cur.Thumb != "" {
		iv.Thumb = "/kommunikation/miniature/" + id
	}
	for _, ver := range vers {
		iv.Versions = append(iv.Versions, views.PackVersion{Version: ver.Version, Date: h.day(ver),
			Note: ver.ChangeNote, Size: fileSize(ver.Size),
			Href: "/kommunikation/fil/" + id + "/v/" + strconv.Itoa(ver.Version)})
	}
	return iv
}

func (h *Handlers) day(v campaign.Version) string {
	return v.CreatedAt.In(h.Schedule.Location()).Format("02.01.2006")
}

// formatName is a file format as people name it: "PDF", "PNG", "MP4".
func formatName(mediaType string) string {
	if ext, ok := campaign.ItemTypes[mediaType]; ok {
		return strings.ToUpper(strings.TrimPrefix(ext, "."))
	}
	return mediaType
}

// fileSize is a size as people read it.
func fileSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d kB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

// validSlug reports whether s can name a pack (the pack table's rule): anything else is not
// found without asking the database.
func validSlug(s string) bool {
	if s == "" || len(s) > 60 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}
