package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"mitidportal/app"
	"mitidportal/campaign"
	"mitidportal/campaign/demofiles"
	"mitidportal/identity"
	"mitidportal/staff"
)

// The demo campaign's fixed parts: its editor (one of demoStaff), its organisation and the
// demo citizens who are that organisation's admin and member.
const (
	demoEditorEmail = "kampagne@demo.mitid.example"
	demoOrgCVR      = "29184658"
	demoOrgName     = "Foreningen Digital Hjælp (demo)"
	demoOrgAdmin    = "demo.kodeviser"
	demoOrgMember   = "demo.kodeoplaeser"
	demoSubscribed  = "privat"
	// demoEmbargo is how long after the first seed the embargoed item is released.
	demoEmbargo = 7 * 24 * time.Hour
)

// seedCampaign adds the demo's communication packs with their generated files, the demo
// organisation with its admin and member, and its subscription, all through the campaign
// domain as the demo campaign editor (so every change is audited). A second run adds nothing:
// packs and items are found again by slug and by language and title.
func seedCampaign(ctx context.Context, env *environment, cfg app.Config, a *app.App) error {
	editor, err := staff.NewStore(a.Pool, staff.Config{}).ByEmail(ctx, demoEditorEmail)
	if err != nil {
		return fmt.Errorf("demo campaign editor: %w", err)
	}
	now := time.Now
	if cfg.Now != nil {
		now = cfg.Now
	}
	out := env.stdout
	packIDs := map[string]int64{}
	if a.Packs.Store() == nil {
		fmt.Fprintln(out, "Demo packs: skipped, FILES_DIR is not set (make run sets it).")
	} else {
		items := 0
		for _, dp := range demofiles.Packs() {
			id, n, err := seedPack(ctx, a.Packs, editor.ID, dp, now())
			if err != nil {
				return fmt.Errorf("demo pack %s: %w", dp.Slug, err)
			}
			packIDs[dp.Slug], items = id, items+n
		}
		fmt.Fprintf(out, "Demo packs: privat, erhverv, partnerkanaler, hjaelpere with %d items, one embargoed for a week after the first seed and one in forum review;\n", items)
		fmt.Fprintf(out, "  the campaign editor %s keeps them.\n", demoEditorEmail)
	}
	if _, err := app.SeedSiteData(ctx, a.SiteData, editor.ID); err != nil {
		return fmt.Errorf("demo Q&A, brokers and timeline: %w", err)
	}
	if err := seedSite(ctx, env, a, editor.ID, now()); err != nil {
		return err
	}
	org, err := seedOrg(ctx, a, editor.ID)
	if err != nil {
		return fmt.Errorf("demo organisation: %w", err)
	}
	if id, ok := packIDs[demoSubscribed]; ok {
		admin, _, err := demoCitizen(ctx, a, demoOrgAdmin)
		if err != nil {
			return err
		}
		// The seeded items are announced before the organisation subscribes (to nobody then),
		// so the demo mailbox is not filled with a notice per item; the embargoed item's release
		// a week later is announced to the members, as in life.
		if _, err := a.SendPackNotices(ctx); err != nil {
			return fmt.Errorf("demo notices: %w", err)
		}
		// As its admin would on the subscriptions page; saving the same set again changes nothing.
		if err := a.Orgs.Subscribe(ctx, org.ID, admin, []int64{id}); err != nil {
			return fmt.Errorf("demo subscription: %w", err)
		}
	}
	if err := seedForum(ctx, env, a, editor.ID, org, now()); err != nil {
		return fmt.Errorf("demo forum: %w", err)
	}
	fmt.Fprintf(out, "Demo organisation: %s (CVR %s, approved, forum member, subscribed to the pack %s):\n",
		org.Name, org.CVR, demoSubscribed)
	fmt.Fprintf(out, "  %s is its admin and %s its member; they log in as the citizens above.\n", demoOrgAdmin, demoOrgMember)
	if err := seedNews(ctx, env, a, editor.ID); err != nil { // the newsletter (seed_news.go)
		return err
	}
	return seedRounds(ctx, env, a, editor.ID, org, now()) // the forum's feedback round (seed_rounds.go)
}

// seedPack finds or creates the pack dp and each of its items in each language, and brings them
// to the state the catalogue asks for: the revision added, published (the embargoed one a week
// after now). It returns the pack's id and the number of its items.
func seedPack(ctx context.Context, packs *campaign.Packs, editor int64, dp demofiles.Pack, now time.Time) (int64, int, error) {
	everything := campaign.Viewer{Editor: true}
	pk, have, err := packs.PackBySlug(ctx, everything, dp.Slug)
	if errors.Is(err, campaign.ErrNotFound) {
		pk, err = packs.CreatePack(ctx, editor, campaign.NewPack{Slug: dp.Slug, Audience: dp.Audience,
			TitleDA: dp.TitleDA, TitleEN: dp.TitleEN, SummaryDA: dp.SummaryDA, SummaryEN: dp.SummaryEN})
	}
	if err != nil {
		return 0, 0, err
	}
	existing := map[string]campaign.Item{}
	for _, it := range have {
		existing[it.Lang+"/"+it.Title] = it
	}
	n := 0
	for _, di := range dp.Items {
		for _, lang := range di.Langs {
			text := di.File.Text[lang]
			it, ok := existing[lang+"/"+text.Title]
			if !ok {
				body, err := di.File.Render(lang)
				if err != nil {
					return 0, 0, err
				}
				it, err = packs.CreateItem(ctx, editor, campaign.NewItem{PackID: pk.ID, Kind: di.File.Kind,
					Audience: di.File.Audience, Lang: lang, Title: text.Title, Description: text.Description,
					Visibility: di.Visibility},
					campaign.Upload{Filename: di.File.Filename(lang), Body: bytes.NewReader(body)})
				if err != nil {
					return 0, 0, fmt.Errorf("%s: %w", di.File.Filename(lang), err)
				}
			}
			if di.Revision != nil && it.Current.Version < 2 {
				body, err := di.Revision.File.Render(lang)
				if err != nil {
					return 0, 0, err
				}
				if _, err := packs.AddVersion(ctx, editor, it.ID, campaign.Upload{Filename: di.Revision.File.Filename(lang),
					Body: bytes.NewReader(body)}, di.Revision.Note[lang]); err != nil {
					return 0, 0, fmt.Errorf("%s: %w", di.File.Filename(lang), err)
				}
			}
			if it.Status == campaign.ItemDraft {
				release := now
				if di.Embargo {
					release = now.Add(demoEmbargo)
				}
				if err := packs.Publish(ctx, editor, it.ID, release); err != nil {
					return 0, 0, err
				}
			}
			n++
		}
	}
	return pk.ID, n, nil
}

// seedOrg finds or makes the demo organisation: applied, approved by the editor (which invites
// the admin), in the forum, with the admin's and the member's invitations accepted.
func seedOrg(ctx context.Context, a *app.App, editor int64) (campaign.Organisation, error) {
	var invitations []campaign.Invitation
	orgs := a.DemoOrgs(func(inv campaign.Invitation) { invitations = append(invitations, inv) })
	admin, adminContact, err := demoCitizen(ctx, a, demoOrgAdmin)
	if err != nil {
		return campaign.Organisation{}, err
	}
	member, memberContact, err := demoCitizen(ctx, a, demoOrgMember)
	if err != nil {
		return campaign.Organisation{}, err
	}
	org, err := orgs.Apply(ctx, campaign.Application{CVR: demoOrgCVR, Name: demoOrgName, Kind: campaign.KindAssociation,
		ContactName: adminContact.GivenName + " " + adminContact.FamilyName, ContactEmail: adminContact.Email, Lang: "da"})
	if errors.Is(err, campaign.ErrCVRTaken) {
		org, err = demoOrgByCVR(ctx, orgs)
	}
	if err != nil {
		return org, err
	}
	// accept spends the invitation the last step made, as the citizen it is for.
	accept := func(mitid int64) error {
		if len(invitations) == 0 {
			return errors.New("no invitation was made")
		}
		inv := invitations[len(invitations)-1]
		_, err := orgs.Accept(ctx, inv.Token, mitid)
		return err
	}
	if org.Status == campaign.OrgPending {
		if org, err = orgs.Decide(ctx, org.ID, editor, true, "Demo"); err != nil {
			return org, err
		}
		if err := accept(admin); err != nil {
			return org, fmt.Errorf("admin: %w", err)
		}
	}
	if !org.ForumMember {
		if err := orgs.SetForumMember(ctx, org.ID, editor, true); err != nil {
			return org, err
		}
		org.ForumMember = true
	}
	members, err := orgs.Members(ctx, org.ID)
	if err != nil {
		return org, err
	}
	has := map[int64]bool{}
	for _, m := range members {
		has[m.MitIDID] = true
	}
	if !has[admin] {
		return org, fmt.Errorf("%s is no member of the demo organisation (an earlier seed stopped half-way: reset the demo database)", demoOrgAdmin)
	}
	if !has[member] {
		if err := orgs.Invite(ctx, org.ID, admin, memberContact.Email, campaign.RoleMember, "da"); err != nil {
			return org, err
		}
		if err := accept(member); err != nil {
			return org, fmt.Errorf("member: %w", err)
		}
	}
	return org, nil
}

// demoCitizen returns the MitID and the register's contact of the demo citizen username.
func demoCitizen(ctx context.Context, a *app.App, username string) (int64, identity.Contact, error) {
	m, err := a.Identity.MitIDByUsername(ctx, username)
	if err != nil {
		return 0, identity.Contact{}, fmt.Errorf("demo citizen %s: %w", username, err)
	}
	c, err := a.Identity.Contact(ctx, m.ID)
	if err != nil {
		return 0, c, fmt.Errorf("demo citizen %s: %w", username, err)
	}
	if c.Email == "" {
		return 0, c, fmt.Errorf("demo citizen %s has no e-mail address", username)
	}
	return m.ID, c, nil
}

func demoOrgByCVR(ctx context.Context, orgs *campaign.Orgs) (campaign.Organisation, error) {
	for _, list := range []func(context.Context) ([]campaign.Organisation, error){orgs.Approved, orgs.Pending} {
		all, err := list(ctx)
		if err != nil {
			return campaign.Organisation{}, err
		}
		for _, o := range all {
			if o.CVR == demoOrgCVR {
				return o, nil
			}
		}
	}
	return campaign.Organisation{}, errors.New("CVR " + demoOrgCVR + " is taken, but by no pending or approved organisation")
}
