package demofiles

import "mitidportal/campaign"

func helperPack() Pack {
	return Pack{Slug: "hjaelpere", Audience: campaign.AudienceHelper,
		TitleDA: "Hjælp andre med MitID", TitleEN: "Help others with MitID",
		SummaryDA: "Peer-to-peer-annoncer til sociale medier og en guide til dig, der hjælper børn, ældre eller udsatte med MitID - uden at overtage deres MitID.",
		SummaryEN: "Peer-to-peer ads for social media and a guide for people who help children, older people or vulnerable people with MitID - without taking over their MitID.",
		Items: []Item{
			{File: helpOlder, Langs: daEN, Visibility: public},
			{File: helpChild, Langs: da, Visibility: public},
			{File: helpVulnerable, Langs: da, Visibility: public},
			{File: helperGuide, Langs: daEN, Visibility: public},
		},
	}
}

var helpOlder = File{Name: "hjaelp-en-aeldre", Kind: campaign.ItemSocialMedia, Audience: campaign.ForHelpers,
	Layout: LayoutSquare, Text: both(Text{
		Title:       "Hjælp din mor med at skifte til MitID",
		Description: "Peer-to-peer-annonce (1080 × 1080) til voksne børn og naboer af ældre.",
		Lead:        "Sæt jer sammen og tag det i hendes tempo. Lad hende selv taste koderne - du viser vejen.",
		Call:        "Sådan kan du hjælpe: mitid.dk",
	}, Text{
		Title:       "Help your mum switch to MitID",
		Description: "A peer-to-peer ad (1080 × 1080) for grown-up children and neighbours of older people.",
		Lead:        "Sit down together and take it at her pace. Let her type the codes herself - you show the way.",
		Call:        "How you can help: mitid.dk",
	})}

var helpChild = File{Name: "hjaelp-dit-barn", Kind: campaign.ItemSocialMedia, Audience: campaign.ForHelpers,
	Layout: LayoutSquare, Text: both(Text{
		Title:       "Skal dit barn have MitID?",
		Description: "Peer-to-peer-annonce (1080 × 1080) til forældre.",
		Lead:        "Hjælp dit barn i gang, og tal om, hvorfor man aldrig deler sine koder - heller ikke med vennerne.",
		Call:        "Guide til forældre: mitid.dk",
	}, Text{
		Title:       "Does your child need MitID?",
		Description: "A peer-to-peer ad (1080 × 1080) for parents.",
		Lead:        "Help your child get started, and talk about why you never share your codes - not even with friends.",
		Call:        "A guide for parents: mitid.dk",
	})}

var helpVulnerable = File{Name: "hjaelp-en-du-kender", Kind: campaign.ItemSocialMedia, Audience: campaign.ForHelpers,
	Layout: LayoutSquare, Text: both(Text{
		Title:       "Kender du en, der har brug for hjælp?",
		Description: "Peer-to-peer-annonce (1080 × 1080) til frivillige, kontaktpersoner og pårørende til socialt udsatte.",
		Lead:        "Gå med i borgerservice, eller hjælp med at bestille en kodeviser. En fuldmagt på borger.dk lader dig hjælpe med dit eget MitID.",
		Call:        "Sådan kan du hjælpe: mitid.dk",
	}, Text{
		Title:       "Do you know someone who needs help?",
		Description: "A peer-to-peer ad (1080 × 1080) for volunteers, contact persons and relatives of vulnerable people.",
		Lead:        "Go along to citizen service, or help order a code display. A power of attorney at borger.dk lets you help with your own MitID.",
		Call:        "How you can help: mitid.dk",
	})}

var helperGuide = File{Name: "saadan-hjaelper-du", Kind: campaign.ItemStepGuide, Audience: campaign.ForHelpers,
	Layout: LayoutGuide, Text: both(Text{
		Title:       "Sådan hjælper du andre med MitID",
		Description: "Guide til pårørende og frivillige: hjælp, der gør den anden selvhjulpen, og de grænser, der beskytter jer begge.",
		Lead:        "Den bedste hjælp er den, der gør den anden i stand til selv at bruge MitID bagefter.",
		Sections: []Section{
			{Heading: "Før I starter", Bullets: []string{
				"Aftal, hvad I skal nå: oprette MitID, lære at logge på eller finde Digital Post.",
				"Find pas eller kørekort og det gamle NemID frem.",
			}},
			{Heading: "Undervejs", Steps: []string{
				"Lad den anden sidde ved tastaturet eller holde telefonen.",
				"Forklar hvert trin, før det sker - og vent.",
				"Kig væk, når adgangskoden tastes, og skriv den aldrig ned for dem.",
				"Slut med at logge på én gang til sammen, så det sidder fast.",
			}},
			{Heading: "Grænserne", Bullets: []string{
				"Brug aldrig en andens MitID, heller ikke med lov. Det er personligt.",
				"Skal du hjælpe fast, så få en fuldmagt på borger.dk og brug dit eget MitID.",
				"Børn kan få deres eget MitID. Tal med dem om aldrig at dele koder.",
			}},
			securityDA,
		},
		Call: "Flere råd til hjælpere: mitid.dk",
	}, Text{
		Title:       "How to help others with MitID",
		Description: "A guide for relatives and volunteers: help that leaves the other person able to manage, and the limits that protect you both.",
		Lead:        "The best help is the kind that leaves the other person able to use MitID on their own afterwards.",
		Sections: []Section{
			{Heading: "Before you start", Bullets: []string{
				"Agree on the goal: create a MitID, learn to log in or find Digital Post.",
				"Have the passport or driving licence and the old NemID ready.",
			}},
			{Heading: "On the way", Steps: []string{
				"Let the other person sit at the keyboard or hold the phone.",
				"Explain each step before it happens - and wait.",
				"Look away while the password is typed, and never write it down for them.",
				"Finish by logging in once more together, so it sticks.",
			}},
			{Heading: "The limits", Bullets: []string{
				"Never use someone else's MitID, even with permission. It is personal.",
				"If you help regularly, get a power of attorney at borger.dk and use your own MitID.",
				"Children can have their own MitID. Talk with them about never sharing codes.",
			}},
			securityEN,
		},
		Call: "More advice for helpers: mitid.dk",
	})}
