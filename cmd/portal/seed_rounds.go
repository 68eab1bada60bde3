package main

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"mitidportal/app"
	"mitidportal/campaign"
	"mitidportal/campaign/demofiles"
)

// The demo's feedback round: a draft folder in the pack "privat" that the forum comments on.
const (
	demoRoundTitle = "Folder til ældre: MitID trin for trin"
	demoRoundPack  = "privat"
	// demoRoundOpen is how long after the first seed the round takes comments.
	demoRoundOpen = 14 * 24 * time.Hour
)

var demoRoundDraft = demofiles.File{Name: "folder-aeldre-trin-for-trin-kladde", Kind: campaign.ItemFlyer,
	Audience: campaign.ForSeniors, Layout: demofiles.LayoutFlyer, Text: map[string]demofiles.Text{"da": {
		Title:       "Folder til ældre: MitID trin for trin (kladde)",
		Description: "Kladde til forummets feedbackrunde: en folder med store bogstaver til ældre, der skal i gang med MitID.",
		Lead:        "MitID er din digitale nøgle. Sådan kommer du i gang - i dit eget tempo.",
		Sections: []demofiles.Section{{Heading: "Sådan gør du", Steps: []string{
			"Hent MitID-appen, eller bestil en kodeviser eller en kodeoplæser, hvis du ikke har en smartphone.",
			"Hav dit pas eller kørekort ved hånden. Har du ingen af dem, så gå på borgerservice.",
			"Følg trinene i appen eller på MitID.dk. Det tager cirka 15 minutter.",
			"Få hjælp af familie eller på biblioteket, hvis du går i stå - men del aldrig dine koder.",
		}}},
		Call: "Kladde - må ikke deles før udgivelse",
	}}}

// seedRounds opens the demo's feedback round on a draft of the pack "privat" (made if it is not
// there) with a deadline two weeks after the first seed, and lets the demo organisation's
// admin comment on it, all through the campaign domain (audited, the forum mailed). A second
// run adds nothing: the draft is found by its title, the round by its title, the comment by the
// round having one.
func seedRounds(ctx context.Context, env *environment, a *app.App, editor int64, org campaign.Organisation, now time.Time) error {
	if a.Packs.Store() == nil {
		return nil // no files, no drafts: seedCampaign has said so
	}
	out := env.stdout
	if !org.ForumMember { // seedOrg makes it one; another seed may have changed that
		if err := a.Orgs.SetForumMember(ctx, org.ID, editor, true); err != nil {
			return err
		}
	}
	rounds, err := a.Rounds.List(ctx)
	if err != nil {
		return err
	}
	var rd campaign.Round
	for _, r := range rounds {
		if r.Title == demoRoundTitle {
			rd = r
		}
	}
	var draft campaign.Item
	if rd.ID != 0 {
		items, err := a.Rounds.Items(ctx, campaign.Viewer{Editor: true}, rd.ID)
		if err != nil || len(items) == 0 {
			return fmt.Errorf("demo round %d has no items (%v): reset the demo database", rd.ID, err)
		}
		draft = items[0]
	} else {
		if draft, err = seedRoundDraft(ctx, a.Packs, editor); err != nil {
			return fmt.Errorf("demo round draft: %w", err)
		}
		loc, err := time.LoadLocation("Europe/Copenhagen")
		if err != nil {
			return err
		}
		d := now.Add(demoRoundOpen).In(loc)
		rd, err = a.Rounds.Open(ctx, editor, campaign.NewRound{Title: demoRoundTitle,
			Description: "Vi vil gerne høre, om folderen er let at læse for ældre borgere:\n\n" +
				"- Er trinene i den rigtige rækkefølge?\n- Mangler der noget, jeres medlemmer spørger om?\n" +
				"- Er skriften stor nok?\n\nSkriv en kommentar ved folderen. Tak for hjælpen.",
			Deadline: time.Date(d.Year(), d.Month(), d.Day(), 16, 0, 0, 0, loc), Items: []int64{draft.ID}})
		if err != nil {
			return fmt.Errorf("demo round: %w", err)
		}
	}
	comments, err := a.Rounds.Comments(ctx, rd.ID, false)
	if err != nil {
		return err
	}
	if len(comments) == 0 && rd.Accepting(a.Rounds.Now()) {
		admin, _, err := demoCitizen(ctx, a, demoOrgAdmin)
		if err != nil {
			return err
		}
		v, err := a.Packs.ViewerOf(ctx, admin, false)
		if err != nil {
			return err
		}
		if _, err := a.Rounds.Comment(ctx, v, rd.ID, draft.ID, "Fin folder. Vores frivillige foreslår, "+
			"at trin 2 også nævner sundhedskortet, for mange ældre spørger, om det er nok. Og skriv gerne "+
			"telefonnummeret til MitID-support med store tal på bagsiden."); err != nil {
			return fmt.Errorf("demo comment: %w", err)
		}
	}
	fmt.Fprintf(out, "Demo feedback round: %q on the draft %q, open until %s; %s has commented.\n",
		rd.Title, draft.Title, rd.Deadline.Format("02-01-2006 15:04 MST"), demoOrgAdmin)
	return nil
}

// seedRoundDraft finds or creates the round's draft in the pack demoRoundPack.
func seedRoundDraft(ctx context.Context, packs *campaign.Packs, editor int64) (campaign.Item, error) {
	pk, items, err := packs.PackBySlug(ctx, campaign.Viewer{Editor: true}, demoRoundPack)
	if err != nil {
		return campaign.Item{}, err
	}
	text := demoRoundDraft.Text["da"]
	for _, it := range items {
		if it.Lang == "da" && it.Title == text.Title && it.Status == campaign.ItemDraft {
			return it, nil
		}
	}
	body, err := demoRoundDraft.Render("da")
	if err != nil {
		return campaign.Item{}, err
	}
	return packs.CreateItem(ctx, editor, campaign.NewItem{PackID: pk.ID, Kind: demoRoundDraft.Kind,
		Audience: demoRoundDraft.Audience, Lang: "da", Title: text.Title, Description: text.Description,
		Visibility: campaign.VisiblePublic},
		campaign.Upload{Filename: demoRoundDraft.Filename("da"), Body: bytes.NewReader(body)})
}
