package handlers_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/smtp"
	"net/url"
	"strings"
	"testing"

	"mitidportal/app/apptest"
	"mitidportal/identity"
	"mitidportal/inbound"
	"mitidportal/support"
)

// openCitizenCase opens a web case for m the way the form does and returns it with an agent.
func openCitizenCase(t *testing.T, env *apptest.Env, m identity.MitID, subject string) (support.Case, int64) {
	t.Helper()
	ctx := context.Background()
	contact, err := identity.ContactOf(ctx, env.App.Pool, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := env.App.Cases.Open(ctx, support.NewCase{Channel: support.ChannelWeb, System: support.SystemMitID,
		Category: support.CategoryLogin, MitIDID: m.ID, Email: contact.Email, Subject: subject, Message: "Første besked"})
	if err != nil {
		t.Fatal(err)
	}
	agent, _, err := env.App.Server.Staff.Create(ctx, fmt.Sprintf("agent%d@styrelsen.dk", cs.ID), "Agent", []string{"agent"})
	if err != nil {
		t.Fatal(err)
	}
	return cs, agent.ID
}

// TestMyCasesShowOnlyThePublicTimeline: the citizen sees their case with messages, replies and
// status changes but never an internal note; a reply reopens a waiting case; another citizen
// gets 404 on every page of it.
func TestMyCasesShowOnlyThePublicTimeline(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	m := env.NewCitizen(t)
	cs, agent := openCitizenCase(t, env, m, "Kodeviser virker ikke")
	if _, err := env.App.Cases.AddNote(ctx, cs.ID, agent, "HEMMELIG note om borgeren"); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Cases.AddReply(ctx, support.Reply{CaseID: cs.ID, StaffID: agent, Body: "Prøv at skifte batteriet"}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Cases.SetStatus(ctx, cs.ID, agent, support.StatusWaiting, cs.Version); err != nil {
		t.Fatal(err)
	}
	b := citizenBrowser(t, env, m)
	list := b.page(t, "/mitid/sager")
	if !strings.Contains(list, cs.Ref) || !strings.Contains(list, "Kodeviser virker ikke") {
		t.Errorf("my cases lacks %s", cs.Ref)
	}
	page := html.UnescapeString(b.page(t, "/mitid/sager/"+cs.Ref))
	for _, want := range []string{"Første besked", "Prøv at skifte batteriet", `data-testid="reply-form"`} {
		if !strings.Contains(page, want) {
			t.Errorf("case page lacks %q", want)
		}
	}
	if strings.Contains(page, "HEMMELIG") {
		t.Error("case page shows the internal note")
	}
	if res, body := b.post(t, "/mitid/sager/"+cs.Ref+"/svar", url.Values{"message": {""}}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(body, `data-testid="error-summary"`) {
		t.Errorf("empty reply: %d, want 422 with the error summary", res.StatusCode)
	}
	res, _ := b.post(t, "/mitid/sager/"+cs.Ref+"/svar", url.Values{"message": {"Det hjalp ikke"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/mitid/sager/"+cs.Ref+"?done=reply" {
		t.Fatalf("reply: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	got, err := env.App.Cases.Get(ctx, cs.ID)
	if err != nil || got.Status != support.StatusOpen {
		t.Errorf("after the reply the case is %s (%v), want open", got.Status, err)
	}
	if page := b.page(t, "/mitid/sager/"+cs.Ref+"?done=reply"); !strings.Contains(page, "Det hjalp ikke") || !strings.Contains(page, `data-testid="notice"`) {
		t.Error("the case page lacks the reply or the notice")
	}

	other := citizenBrowser(t, env, env.NewCitizen(t))
	if list := other.page(t, "/mitid/sager"); strings.Contains(list, cs.Ref) {
		t.Error("another citizen's list shows the case")
	}
	for _, p := range []string{"/mitid/sager/" + cs.Ref, "/mitid/sager/" + strings.ToLower(cs.Ref), "/mitid/sager/ZZZZZZ"} {
		if status, _ := other.get(t, p); status != http.StatusNotFound {
			t.Errorf("GET %s as another citizen: %d, want 404", p, status)
		}
	}
	if res, _ := other.post(t, "/mitid/sager/"+cs.Ref+"/svar", url.Values{"message": {"Indbrud"}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("reply as another citizen: %d, want 404", res.StatusCode)
	}
	timeline, _ := env.App.Cases.Timeline(ctx, cs.ID, true)
	for _, e := range timeline {
		if e.Body == "Indbrud" {
			t.Error("another citizen's reply landed on the case")
		}
	}
}

// TestInboundMailLandsOnCase: a reply to the receipt, sent over SMTP to the inbound listener,
// lands on the case; so does a mail with [REF] in the subject; a stranger's mail, and one that
// names no case, are accepted but kept as cases of their own (inbound/receive_test.go).
func TestInboundMailLandsOnCase(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	m := env.NewCitizen(t)
	contact, err := identity.ContactOf(ctx, env.App.Pool, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	b := citizenBrowser(t, env, m)
	b.page(t, "/kontakt/skriv")
	_, body := b.post(t, "/kontakt/skriv", caseForm("Svar på mail"))
	ref := shownRef.FindStringSubmatch(body)
	if ref == nil {
		t.Fatal("no case opened")
	}
	cs, err := env.App.Cases.ByRef(ctx, ref[1])
	if err != nil {
		t.Fatal(err)
	}
	receipt := lastMail(t, env, contact.Email, "case.receipt")

	srv := inbound.NewServer(env.App.Inbound, "localhost", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })

	send := func(from, subject, inReplyTo, msgID, text string) error {
		head := "From: " + from + "\r\nTo: support@localhost\r\nSubject: " + subject + "\r\nMessage-ID: " + msgID +
			"\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n"
		if inReplyTo != "" {
			head += "In-Reply-To: " + inReplyTo + "\r\nReferences: " + inReplyTo + "\r\n"
		}
		return smtp.SendMail(srv.Addr(), nil, from, []string{"support@localhost"}, []byte(head+"\r\n"+text))
	}
	tests := []struct {
		name, from, subject, inReplyTo, msgID, text string
		ok                                          bool // lands on the case
		want                                        string
	}{
		{"reply to the receipt", contact.Email, "Re: " + receipt.Subject, receipt.MessageID, "<r1@citizen.example>",
			"Tak, det virker nu =C3=A6=C3=B8=C3=A5\r\n\r\nDen 1. maj skrev support:\r\n> Tak for din henvendelse\r\n", true, "Tak, det virker nu æøå"},
		{"reference in the subject", strings.ToUpper(contact.Email), "Sag [" + cs.Ref + "] igen", "", "<r2@citizen.example>",
			"Endnu en ting", true, "Endnu en ting"},
		{"stranger", "mallory@example.org", "Re: " + receipt.Subject, receipt.MessageID, "<r3@evil.example>",
			"Spær alt", false, "Spær alt"},
		{"no case", contact.Email, "Hej", "<unknown@localhost>", "<r4@citizen.example>", "Hvem er I", false, "Hvem er I"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := send(tt.from, tt.subject, tt.inReplyTo, tt.msgID, tt.text); err != nil {
				t.Errorf("send: %v", err)
			}
			timeline, err := env.App.Cases.Timeline(ctx, cs.ID, false)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, e := range timeline {
				if e.Kind == support.EntryMessage && e.Body == tt.want {
					found = true
				}
			}
			if found != tt.ok {
				t.Errorf("message %q on the case: %v, want %v (timeline %+v)", tt.want, found, tt.ok, timeline)
			}
		})
	}
	// The same mail delivered twice is recorded once.
	if err := send(contact.Email, "Sag ["+cs.Ref+"]", "", "<r2@citizen.example>", "Endnu en ting"); err != nil {
		t.Fatal(err)
	}
	timeline, _ := env.App.Cases.Timeline(ctx, cs.ID, false)
	if len(timeline) != 3 {
		t.Errorf("%d entries, want 3 (first message and two mails)", len(timeline))
	}
	if page := html.UnescapeString(b.page(t, "/mitid/sager/"+cs.Ref)); !strings.Contains(page, "Tak, det virker nu æøå") {
		t.Error("the mail reply is not shown under my cases")
	}
}

// TestMyCasesEntryNamesExist: every public timeline kind has the citizen's name for it, in
// every language (the page builds the message ID from the kind).
func TestMyCasesEntryNamesExist(t *testing.T) {
	t.Parallel()
	cat := mustCatalog(t)
	n := 0
	for _, k := range support.EntryKinds {
		if !k.Public() {
			continue
		}
		n++
		for _, lang := range []string{"da", "en"} {
			if !cat.Has(lang, "citizencases.entry."+string(k)) {
				t.Errorf("no %s name for timeline kind %s", lang, k)
			}
		}
	}
	if n == 0 {
		t.Fatal("no public timeline kinds")
	}
}
