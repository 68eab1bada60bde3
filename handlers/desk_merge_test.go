package handlers_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"mitidportal/inbound"
	"mitidportal/support"
)

// TestDeskMergeOverHTTP: the merge form's refusals (each with the error summary), a merge
// that goes to the survivor showing both timelines, and the merged case pointing to it.
func TestDeskMergeOverHTTP(t *testing.T) {
	t.Parallel()
	d := newAgentDesk(t)
	ctx := context.Background()
	cases := d.env.App.Server.Cases
	sur := d.open(t, support.NewCase{System: support.SystemMitID, Subject: "Kodeviser virker ikke", Message: "Første besked"})
	dup := d.open(t, support.NewCase{System: support.SystemMitID, Subject: "Kodeviser igen", Message: "Dublettens besked"})
	path := "/medarbejder/sager/" + dup.Ref
	ver := strconv.Itoa(dup.Version)
	for _, tc := range []struct {
		name    string
		fields  url.Values
		status  int
		message string
	}{
		{"no reference", url.Values{"merge_into": {""}, "version": {ver}}, http.StatusUnprocessableEntity, "deskmerge.err.ref_required"},
		{"unknown reference", url.Values{"merge_into": {"ZZZZZZ"}, "version": {ver}}, http.StatusUnprocessableEntity, support.ErrMergeTargetUnknown.MsgID},
		{"into itself", url.Values{"merge_into": {dup.Ref}, "version": {ver}}, http.StatusUnprocessableEntity, support.ErrMergeSelf.MsgID},
		{"stale version", url.Values{"merge_into": {sur.Ref}, "version": {strconv.Itoa(dup.Version - 1)}}, http.StatusConflict, support.ErrConflict.MsgID},
		{"no version", url.Values{"merge_into": {sur.Ref}}, http.StatusConflict, support.ErrConflict.MsgID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, body := d.b.post(t, path+"/flet", tc.fields)
			if res.StatusCode != tc.status || !strings.Contains(body, `data-testid="error-summary"`) ||
				!strings.Contains(body, html.EscapeString(d.tr.T(tc.message))) {
				t.Errorf("status %d, want %d with %s in the error summary", res.StatusCode, tc.status, tc.message)
			}
			if _, err := cases.MergedInto(ctx, dup.ID); err == nil {
				t.Error("the refused merge merged")
			}
		})
	}
	res, _ := d.b.post(t, path+"/flet", url.Values{"merge_into": {strings.ToLower(sur.Ref)}, "version": {ver}})
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/medarbejder/sager/"+sur.Ref+"?udfoert=flettet" {
		t.Fatalf("merge: %d to %q", res.StatusCode, loc)
	}
	page := d.b.page(t, "/medarbejder/sager/"+sur.Ref+"?udfoert=flettet")
	for _, want := range []string{html.EscapeString(d.tr.T("deskmerge.notice.merged")), "Dublettens besked", "Første besked",
		`data-testid="desk-merged-from"`, html.EscapeString(d.tr.T("deskmerge.fact.from_case"))} {
		if !strings.Contains(page, want) {
			t.Errorf("the survivor's page lacks %q", want)
		}
	}
	page = d.b.page(t, path)
	if !strings.Contains(page, `data-testid="desk-merged-into-link"`) || !strings.Contains(page, `href="/medarbejder/sager/`+sur.Ref+`"`) ||
		strings.Contains(page, `data-testid="desk-merge-form"`) {
		t.Error("the merged case's page does not point to the survivor, or still offers to merge")
	}
	// The citizen answers the duplicate's receipt by e-mail: the mail lands on the survivor.
	if _, err := inbound.NewReceiver(d.env.App.Pool, cases).Receive(ctx, inbound.Mail{From: dup.Email,
		MessageID: "<svar-til-dublet@example.dk>", Subject: "Re: [" + dup.Ref + "] Kvittering", Body: "Svar efter sammenlægning"}); err != nil {
		t.Fatalf("mail to the merged case: %v", err)
	}
	if page := d.b.page(t, "/medarbejder/sager/"+sur.Ref); !strings.Contains(page, "Svar efter sammenlægning") {
		t.Error("the mail to the merged case is not on the survivor's timeline")
	}
	var audited int
	if err := d.env.App.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action = 'case_merged'
		AND subject = $1 AND actor = $2`, "case:"+dup.Ref, "staff:"+strconv.FormatInt(d.agent.ID, 10)).Scan(&audited); err != nil || audited != 1 {
		t.Errorf("%d audit entries of the merge (%v), want 1", audited, err)
	}
}

// TestDeskRelatedOverHTTP: link by reference (listed on both pages), the refusals, unlink.
func TestDeskRelatedOverHTTP(t *testing.T) {
	t.Parallel()
	d := newAgentDesk(t)
	a := d.open(t, support.NewCase{System: support.SystemMitID, Subject: "Spærret MitID"})
	b := d.open(t, support.NewCase{System: support.SystemMitID, Subject: "Spærring af kodeviser"})
	pa, pb := "/medarbejder/sager/"+a.Ref, "/medarbejder/sager/"+b.Ref
	for _, tc := range []struct {
		name, ref, message string
	}{
		{"empty", "", "deskmerge.err.ref_required"},
		{"itself", a.Ref, support.ErrRelatedSelf.MsgID},
		{"unknown", "ZZZZZZ", support.ErrRelatedUnknown.MsgID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, body := d.b.post(t, pa+"/relateret", url.Values{"related_ref": {tc.ref}})
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#related_ref"`) ||
				!strings.Contains(body, html.EscapeString(d.tr.T(tc.message))) {
				t.Errorf("status %d, want 422 with %s at related_ref", res.StatusCode, tc.message)
			}
		})
	}
	if res, _ := d.b.post(t, pa+"/relateret", url.Values{"related_ref": {b.Ref}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("link: %d", res.StatusCode)
	}
	for p, other := range map[string]string{pa: b.Ref, pb: a.Ref} {
		if page := d.b.page(t, p); !strings.Contains(page, `data-testid="desk-related-case" data-ref="`+other+`"`) {
			t.Errorf("%s does not list %s as related", p, other)
		}
	}
	for _, bad := range []string{"", "x", "-1", strconv.FormatInt(b.ID, 10)} {
		if res, _ := d.b.post(t, pb+"/relateret/fjern", url.Values{"other": {bad}}); res.StatusCode < 400 || res.StatusCode >= 500 {
			t.Errorf("unlink other=%q: %d, want 4xx", bad, res.StatusCode)
		}
	}
	if res, _ := d.b.post(t, pb+"/relateret/fjern", url.Values{"other": {"999999"}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("unlink from an unknown case: %d, want 404", res.StatusCode)
	}
	if res, _ := d.b.post(t, pb+"/relateret/fjern", url.Values{"other": {strconv.FormatInt(a.ID, 10)}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("unlink: %d", res.StatusCode)
	}
	if page := d.b.page(t, pa); !strings.Contains(page, `data-testid="desk-related-none"`) {
		t.Error("the relation is still listed")
	}
}

// TestDeskBulkOverHTTP: the list offers a checkbox per case; a bulk change reports what it
// changed and what it skipped; a form without a case or a change comes back with its errors.
func TestDeskBulkOverHTTP(t *testing.T) {
	t.Parallel()
	d := newAgentDesk(t)
	ctx := context.Background()
	cases := d.env.App.Server.Cases
	a := d.open(t, support.NewCase{System: support.SystemMitID, Subject: "Første"})
	b := d.open(t, support.NewCase{System: support.SystemMitID, Subject: "Anden"})
	c := d.open(t, support.NewCase{System: support.SystemMitID, Subject: "Tredje"})
	pick := func(cs support.Case) string { return strconv.FormatInt(cs.ID, 10) + ":" + strconv.Itoa(cs.Version) }
	_, list, _ := d.list(t, "/medarbejder/sager?status=new", false)
	for _, cs := range []support.Case{a, b, c} {
		if !strings.Contains(list, `name="sag" value="`+pick(cs)+`"`) {
			t.Errorf("the list has no checkbox for %s", cs.Ref)
		}
	}
	// c moves on after the list was shown: it is skipped.
	seen := c
	if _, err := cases.SetTags(ctx, c.ID, d.agent.ID, []string{"andet"}, c.Version); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		fields url.Values
		field  string
		msg    string
	}{
		{"no case", url.Values{"bulk_assign": {"me"}}, "sag", support.ErrBulkCount.MsgID},
		{"no change", url.Values{"sag": {pick(a)}}, "bulk_assign", support.ErrBulkEmpty.MsgID},
		{"bad tag", url.Values{"sag": {pick(a)}, "bulk_tag": {"<script>"}}, "bulk_tag", support.ErrTagInvalid.MsgID},
		{"bad status", url.Values{"sag": {pick(a)}, "bulk_status": {"gone"}}, "bulk_status", support.ErrStatusInvalid.MsgID},
		{"bad assignee", url.Values{"sag": {pick(a)}, "bulk_assign": {"999999"}}, "bulk_assign", support.ErrAssigneeInvalid.MsgID},
		{"forged case value", url.Values{"sag": {"x:1"}, "bulk_assign": {"me"}}, "sag", support.ErrBulkCount.MsgID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, body := d.b.post(t, "/medarbejder/sager/masse", tc.fields)
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#`+tc.field+`"`) ||
				!strings.Contains(body, html.EscapeString(d.tr.T(tc.msg))) {
				t.Errorf("status %d, want 422 with %s at %s", res.StatusCode, tc.msg, tc.field)
			}
		})
	}
	res, body := d.b.post(t, "/medarbejder/sager/masse", url.Values{"sag": {pick(a), pick(b), pick(seen)},
		"bulk_assign": {"me"}, "bulk_tag": {"Massehandling"}, "tilbage": {"/medarbejder/sager?status=new"}})
	if res.StatusCode != http.StatusOK || !strings.Contains(body, html.EscapeString(d.tr.N("deskmerge.bulk.changed", 2))) ||
		!strings.Contains(body, `data-testid="desk-bulk-skipped"`) || !strings.Contains(body, html.EscapeString(d.tr.T(support.ErrConflict.MsgID))) ||
		!strings.Contains(body, `href="/medarbejder/sager?status=new"`) {
		t.Fatalf("bulk: %d\n%.2000s", res.StatusCode, body)
	}
	for _, cs := range []support.Case{a, b} {
		got, _ := cases.Get(ctx, cs.ID)
		if got.AssigneeID != d.agent.ID || len(got.Tags) != 1 || got.Tags[0] != "massehandling" {
			t.Errorf("%s: assignee %d tags %v", cs.Ref, got.AssigneeID, got.Tags)
		}
	}
	if got, _ := cases.Get(ctx, c.ID); got.AssigneeID != 0 {
		t.Error("the case that moved on was changed")
	}
	var audited int
	if err := d.env.App.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action = 'case_bulk_changed'`).Scan(&audited); err != nil || audited != 2 {
		t.Errorf("%d bulk audit entries (%v), want 2", audited, err)
	}
	// A back link that leaves the queues is not taken.
	_, body = d.b.post(t, "/medarbejder/sager/masse", url.Values{"sag": {pick(a)}, "bulk_status": {"open"},
		"tilbage": {"https://evil.example/medarbejder/sager"}})
	if strings.Contains(body, "evil.example") {
		t.Error("the page links off the site")
	}
}
