package campaigns

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"mitidportal/campaign"
	"mitidportal/fault"
	"mitidportal/handlers/web"
	"mitidportal/markdown"
	"mitidportal/views"
)

// editorRoundsPath is the editors' list of feedback rounds.
const editorRoundsPath = "/redaktion/feedback"

func editorRoundHref(id int64) string { return editorRoundsPath + "/" + strconv.FormatInt(id, 10) }

// roundNotices are the notices a ?udfoert= value on a round's editor page may ask for.
var roundNotices = map[string]string{
	"aabnet":     "rounds.notice.opened",
	"frist":      "rounds.notice.deadline",
	"tilfoejet":  "rounds.notice.added",
	"fjernet":    "rounds.notice.removed",
	"lukket":     "rounds.notice.closed",
	"behandlet":  "rounds.notice.handled",
	"kommentar":  "rounds.notice.commented",
	"genaabnet":  "rounds.notice.unhandled",
	"ubehandlet": "rounds.notice.unhandled",
}

// roundTime shows a deadline or a comment's time the Danish way, in Copenhagen time.
func (h *Handlers) roundTime(t time.Time) string {
	return t.In(h.Schedule.Location()).Format("02-01-2006 15:04")
}

func (h *Handlers) candidates(c echo.Context) ([]views.RoundChoice, error) {
	items, err := h.Rounds.Candidates(c.Request().Context())
	if err != nil {
		return nil, err
	}
	out := make([]views.RoundChoice, len(items))
	for i, it := range items {
		out[i] = views.RoundChoice{ID: strconv.FormatInt(it.ID, 10), Label: it.Title + " (" + it.Current.Filename + ")"}
	}
	return out, nil
}

// renderRounds shows the list of rounds with the opening form in state f.
func (h *Handlers) renderRounds(c echo.Context, status int, f views.Form, chosen map[string]bool) error {
	rounds, err := h.Rounds.List(c.Request().Context())
	if err != nil {
		return err
	}
	cands, err := h.candidates(c)
	if err != nil {
		return err
	}
	v := views.EditorRoundsView{Form: f, Candidates: cands, Chosen: chosen}
	for _, r := range rounds {
		v.Rounds = append(v.Rounds, views.EditorRoundRow{Href: editorRoundHref(r.ID), Title: r.Title,
			Deadline: h.roundTime(r.Deadline), StatusID: r.Status.MsgID(), Comments: r.Comments, Unhandled: r.Unhandled})
	}
	return h.Render(c, status, views.EditorRounds(v))
}

// EditorRounds lists the feedback rounds and offers to open one.
func (h *Handlers) EditorRounds(c echo.Context) error {
	return h.renderRounds(c, http.StatusOK, web.NewKeyedForm(), nil)
}

// deadline reads a deadline typed the Danish way (dd-mm-åååå, tt:mm) in Copenhagen time; it
// must lie ahead. Problems are added to f.
func (h *Handlers) deadline(f *views.Form) time.Time {
	loc := h.Schedule.Location()
	day, err := web.ParseDate(f.Values["deadline_date"], loc)
	if err != nil {
		addError(f, "deadline_date", "rounds.err.date_invalid")
	}
	hh, mm, ok := web.ParseClock(f.Values["deadline_time"])
	if !ok {
		addError(f, "deadline_time", "rounds.err.time_invalid")
	}
	if f.ErrorFor("deadline_date") != nil || f.ErrorFor("deadline_time") != nil {
		return time.Time{}
	}
	t := time.Date(day.Year(), day.Month(), day.Day(), hh, mm, 0, 0, loc)
	if !t.After(h.Rounds.Now()) {
		addError(f, "deadline_date", campaign.ErrRoundDeadline.MsgID)
	}
	return t
}

// roundFields maps the rules of rounds to the fields that show them.
var roundFields = map[*fault.Error]string{
	campaign.ErrRoundTitle: "round_title", campaign.ErrRoundTitleLong: "round_title",
	campaign.ErrRoundDescLong: "round_description", campaign.ErrRoundDeadline: "deadline_date",
	campaign.ErrRoundNoItems: "items", campaign.ErrRoundItemInvalid: "items", campaign.ErrRoundClosed: "",
	campaign.ErrNoteTooLong: "handled_note",
}

// ruleAt shows a rule of rounds at its field; any other error is returned for the error page.
func ruleAt(f *views.Form, err error, def string) error {
	fe, ok := fault.Rule(err)
	if !ok {
		return err
	}
	field, known := roundFields[fe]
	if !known {
		field = def
	}
	f.Errors = append(f.Errors, views.FieldError{Field: field, MsgID: fe.MsgID})
	return nil
}

// EditorOpenRound opens a round on the drafts ticked; forum members are mailed in the same
// transaction. The form sent again (its one-time key) goes to the round it opened.
func (h *Handlers) EditorOpenRound(c echo.Context) error {
	f := web.FormOf(c, "round_title", "round_description", "deadline_date", "deadline_time", web.FormKeyField)
	chosen := map[string]bool{}
	var items []int64
	form, err := c.FormParams()
	if err != nil {
		return echo.ErrBadRequest
	}
	for _, s := range form["items"] {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return echo.ErrBadRequest // a forged value: the form only offers ids
		}
		items = append(items, id)
		chosen[s] = true
	}
	if f.Values["round_title"] == "" {
		addError(&f, "round_title", campaign.ErrRoundTitle.MsgID)
	}
	deadline := h.deadline(&f)
	if len(items) == 0 {
		addError(&f, "items", campaign.ErrRoundNoItems.MsgID)
	}
	if f.HasErrors() {
		return h.renderRounds(c, web.StatusInvalid, f, chosen)
	}
	key, err := web.FormKey(f)
	if err != nil {
		return err
	}
	rd, err := h.Rounds.Open(c.Request().Context(), staffID(c), campaign.NewRound{Title: f.Values["round_title"],
		Description: f.Values["round_description"], Deadline: deadline, Items: items, FormKey: key})
	if err != nil {
		if err := ruleAt(&f, err, ""); err != nil {
			return err
		}
		return h.renderRounds(c, web.StatusInvalid, f, chosen)
	}
	return h.Redirect(c, editorRoundHref(rd.ID)+"?udfoert=aabnet")
}

// roundForms are the forms of a round's page shown again with errors.
type roundForms struct {
	deadline, add, handle views.Form
	comment               string
}

// renderRound shows round id to an editor.
func (h *Handlers) renderRound(c echo.Context, status int, id int64, forms roundForms, notice string) error {
	ctx := c.Request().Context()
	rd, err := h.Rounds.Round(ctx, id)
	if err != nil {
		return err
	}
	unhandled := c.QueryParam("vis") == "ubehandlede"
	items, err := h.Rounds.Items(ctx, editorViewer, id)
	if err != nil {
		return err
	}
	comments, err := h.Rounds.Comments(ctx, id, unhandled)
	if err != nil {
		return err
	}
	href := editorRoundHref(id)
	v := views.EditorRoundView{Title: rd.Title, Deadline: h.roundTime(rd.Deadline), StatusID: rd.Status.MsgID(),
		Open: rd.Status == campaign.RoundOpen, Unhandled: unhandled, AllHref: href, UnhandledHref: href + "?vis=ubehandlede",
		CSVHref: href + "/kommentarer.csv", DeadlineURL: href + "/frist", AddURL: href + "/materiale", CloseURL: href + "/luk",
		DeadlineForm: forms.deadline, AddForm: forms.add, HandleForm: forms.handle, ErrorComment: forms.comment,
		NoticeID: notice}
	if rd.Description != "" {
		v.Description = templ.Raw(markdown.HTML(rd.Description))
	}
	groups := map[int64]int{}
	for _, it := range items {
		groups[it.ID] = len(v.Groups)
		v.Groups = append(v.Groups, views.EditorRoundGroup{ItemID: strconv.FormatInt(it.ID, 10), Title: it.Title,
			ItemHref: itemHref(it.ID), InRound: true,
			RemoveURL: href + "/materiale/" + strconv.FormatInt(it.ID, 10) + "/fjern"})
	}
	for _, cm := range comments {
		g, ok := groups[cm.ItemID]
		if !ok { // an item taken out of the round: its comments stay
			g = len(v.Groups)
			groups[cm.ItemID] = g
			v.Groups = append(v.Groups, views.EditorRoundGroup{ItemID: strconv.FormatInt(cm.ItemID, 10),
				Title: cm.ItemTitle, ItemHref: itemHref(cm.ItemID)})
		}
		v.Groups[g].Comments = append(v.Groups[g].Comments, h.commentView(cm,
			href+"/kommentar/"+strconv.FormatInt(cm.ID, 10)))
	}
	if v.Open {
		cands, err := h.candidates(c)
		if err != nil {
			return err
		}
		for _, cd := range cands {
			if _, in := groups[mustID(cd.ID)]; !in {
				v.Candidates = append(v.Candidates, cd)
			}
		}
	}
	return h.Render(c, status, views.EditorRound(v))
}

func mustID(s string) int64 { id, _ := strconv.ParseInt(s, 10, 64); return id }

func (h *Handlers) commentView(cm campaign.Comment, handleURL string) views.RoundCommentView {
	return views.RoundCommentView{ID: strconv.FormatInt(cm.ID, 10), Author: cm.Author, Org: cm.OrgName,
		When: h.roundTime(cm.CreatedAt), Body: cm.Body, Handled: cm.Handled, HandledNote: cm.HandledNote,
		HandleURL: handleURL}
}

// EditorRound is a round's page for the editors: its comments by item, with filter and CSV.
func (h *Handlers) EditorRound(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return h.renderRound(c, http.StatusOK, id, roundForms{}, roundNotices[c.QueryParam("udfoert")])
}

// roundConflict shows a refusal of a closed round on the round's page.
func (h *Handlers) roundRefusal(c echo.Context, id int64, err error, forms roundForms, f *views.Form, def string) error {
	if errors.Is(err, campaign.ErrNotFound) {
		return err
	}
	if err := ruleAt(f, err, def); err != nil {
		return err
	}
	status := web.StatusInvalid
	if errors.Is(err, campaign.ErrRoundClosed) {
		status = http.StatusConflict
	}
	return h.renderRound(c, status, id, forms, "")
}
