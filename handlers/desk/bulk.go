package desk

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"mitidportal/handlers/web"
	"mitidportal/support"
	"mitidportal/views"
)

// Bulk changes on the queue list (issue 9 item 4): a checkbox per case and one form under the
// list that assigns, moves or tags the chosen cases, each as if by hand (support.Cases.Bulk).
// Works without JavaScript: the answer is a page of its own with what was done.

const bulkPath = deskPath + "/masse"

// bulkView is the bulk form under a list shown at back.
func (s *Handlers) bulkView(ctx context.Context, back string, f views.Form) (views.DeskBulkView, error) {
	v := views.DeskBulkView{Action: bulkPath, Back: back, Statuses: msgOptions(support.Statuses), Form: f,
		Assignees: []views.DeskPick{{Value: "me", LabelID: "deskmerge.bulk.me"}, {Value: "none", LabelID: "deskmerge.bulk.nobody"}}}
	users, err := s.Staff.List(ctx)
	if err != nil {
		return v, err
	}
	for _, u := range users {
		if u.DisabledAt == nil && (slices.Contains(u.Roles, "agent") || slices.Contains(u.Roles, "supervisor")) {
			v.Assignees = append(v.Assignees, views.DeskPick{Value: strconv.FormatInt(u.ID, 10), Label: u.Name})
		}
	}
	return v, nil
}

// bulkBack is the list to go back to: the queues with the filters the form sent, else the
// queues. Only the queues' path is taken and the query is encoded again, so the link can
// neither lead off the site nor carry bytes the page should not show.
func bulkBack(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Path != deskPath {
		return deskPath
	}
	if q := u.Query().Encode(); q != "" {
		return deskPath + "?" + q
	}
	return deskPath
}

// bulkPick is a case's value in the bulk form: its id and the version the list showed.
func bulkPick(cs support.Case) string {
	return strconv.FormatInt(cs.ID, 10) + ":" + strconv.Itoa(cs.Version)
}

// Bulk changes the chosen cases and shows what it did; a form without a case or a change, or
// with a bad tag or assignee, comes back with its errors.
func (s *Handlers) Bulk(c echo.Context) error {
	ctx := c.Request().Context()
	s.staffNav(c)
	me := web.StateOf(c).Subject.ID
	f := web.FormOf(c, "bulk_assign", "bulk_status", "bulk_tag")
	back := bulkBack(c.FormValue("tilbage")) // compared with the queues' path only
	form, _ := c.FormParams()
	var items []support.BulkItem
	var chosen []views.DeskRow
	for _, p := range form["sag"] {
		id, ver, ok := strings.Cut(p, ":")
		n, err1 := strconv.ParseInt(id, 10, 64)
		v, err2 := strconv.Atoi(ver)
		if !ok || err1 != nil || err2 != nil || n <= 0 || len(items) > support.MaxBulk {
			f.Errors = append(f.Errors, views.FieldError{Field: "sag", MsgID: support.ErrBulkCount.MsgID})
			break
		}
		items = append(items, support.BulkItem{ID: n, Version: v})
	}
	var change support.BulkChange
	switch a := f.Values["bulk_assign"]; a {
	case "":
	case "me":
		change.Assign = &me
	case "none":
		change.Assign = new(int64)
	default:
		id, err := strconv.ParseInt(a, 10, 64)
		if err != nil || id <= 0 {
			f.Errors = append(f.Errors, views.FieldError{Field: "bulk_assign", MsgID: support.ErrAssigneeInvalid.MsgID})
			break
		}
		change.Assign = &id
	}
	change.Status = support.CaseStatus(f.Values["bulk_status"])
	change.AddTag = f.Values["bulk_tag"]
	var (
		res support.BulkResult
		err error
	)
	if f.HasErrors() {
		// A rule broken here: support checks the rest, so every wrong field shows, and changes nothing.
		err = s.Cases.CheckBulk(ctx, items, change)
	} else {
		res, err = s.Cases.Bulk(ctx, me, items, change)
	}
	fields := map[*support.Error]string{support.ErrBulkCount: "sag", support.ErrBulkEmpty: "bulk_assign",
		support.ErrStatusInvalid: "bulk_status", support.ErrAssigneeInvalid: "bulk_assign",
		support.ErrTagInvalid: "bulk_tag", support.ErrTooManyTags: "bulk_tag"}
	switch {
	case errors.Is(err, support.ErrNotFound):
		return echo.ErrNotFound
	case err != nil:
		if err := web.SupportError(&f, err, fields, "sag"); err != nil {
			return err
		}
	}
	v, verr := s.bulkView(ctx, back, f)
	if verr != nil {
		return verr
	}
	if f.HasErrors() {
		names, err := s.staffNames(ctx)
		if err != nil {
			return err
		}
		now := s.Now()
		for _, it := range items {
			cs, err := s.Cases.Get(ctx, it.ID)
			if errors.Is(err, support.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			row := s.deskRow(cs, names, now)
			row.Pick = strconv.FormatInt(it.ID, 10) + ":" + strconv.Itoa(it.Version) // as the agent saw it
			chosen = append(chosen, row)
		}
		v.Cases = chosen
		return s.Render(c, web.StatusInvalid, views.DeskBulk(v))
	}
	r := &views.DeskBulkResult{Changed: res.Changed, Unchanged: res.Unchanged}
	for _, sk := range res.Skipped {
		r.Skipped = append(r.Skipped, views.DeskBulkSkip{Ref: sk.Ref, MsgID: sk.Err.MsgID})
	}
	v.Result = r
	return s.Render(c, http.StatusOK, views.DeskBulk(v))
}
