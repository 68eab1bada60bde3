package demofiles

import "mitidportal/campaign"

func partnerPack() Pack {
	return Pack{Slug: "partnerkanaler", Audience: campaign.AudiencePartner,
		TitleDA: "Kommunikationsmaterialer til partnerkanaler", TitleEN: "Communication material for partner channels",
		SummaryDA: "Retningslinjer for kommunikation og brug af kampagnens elementer, informationsmateriale og indhold til web og sociale medier.",
		SummaryEN: "Guidelines for communication and use of the campaign's elements, information material and content for web and social media.",
		Items: []Item{
			{File: guidelines, Langs: daEN, Visibility: campaign.VisibleMembers},
			{File: partnerInfo, Langs: da, Visibility: public},
			{File: webTexts, Langs: da, Visibility: campaign.VisibleReview},
			{File: partnerBanner, Langs: daEN, Visibility: public},
		},
	}
}

var guidelines = File{Name: "retningslinjer-kommunikation", Kind: campaign.ItemGuidelines, Audience: campaign.ForPartners,
	Layout: LayoutGuide, Text: both(Text{
		Title:       "Retningslinjer for kommunikation og brug af kampagnens elementer",
		Description: "Sådan bruger partnerkanaler kampagnens tekster, billeder og film, så budskabet er det samme overalt.",
		Lead:        "Borgerne møder kampagnen mange steder. Når alle bruger de samme budskaber og henviser til de samme steder, bliver skiftet til MitID lettere og mere trygt.",
		Sections: []Section{
			{Heading: "Kampagnens tre budskaber", Steps: []string{
				"Alle med NemID skal have MitID.",
				"Det er nemt at komme i gang: appen, kodeviser, kodeoplæser eller chip.",
				"Godkend kun det, du selv har sat i gang.",
			}},
			{Heading: "Det må I", Bullets: []string{
				"Bruge tekster, billeder og film i jeres egne kanaler uden at betale for dem.",
				"Tilføje jeres eget logo ved siden af - ikke oven i - kampagnens elementer.",
				"Forkorte teksterne, så længe sikkerhedsrådene står uændret.",
			}},
			{Heading: "Det må I ikke", Bullets: []string{
				"Ændre MitID-logoet, farverne eller billedernes beskæring.",
				"Bruge materialet i reklame for egne produkter.",
				"Dele materiale under embargo før frigivelsesdatoen.",
				"Bede borgere om at oplyse bruger-ID, adgangskode eller koder - heller ikke for at hjælpe.",
			}},
			{Heading: "Henvisninger", Paras: []string{"Henvis borgere til mitid.dk og virksomheder til mitid-erhverv.dk. Spærring: 33 98 00 10, døgnåbent."}},
		},
		Call: "Spørgsmål til materialet: skriv til kampagnens redaktion via portalen",
	}, Text{
		Title:       "Guidelines for communication and use of the campaign's elements",
		Description: "How partner channels use the campaign's texts, images and films so that the message is the same everywhere.",
		Lead:        "Citizens meet the campaign in many places. When everyone uses the same messages and points to the same places, the switch to MitID becomes easier and safer.",
		Sections: []Section{
			{Heading: "The campaign's three messages", Steps: []string{
				"Everyone with NemID needs MitID.",
				"Getting started is easy: the app, a code display, an audio code reader or a chip.",
				"Only approve what you started yourself.",
			}},
			{Heading: "You may", Bullets: []string{
				"Use texts, images and films in your own channels free of charge.",
				"Add your own logo beside - not on top of - the campaign's elements.",
				"Shorten the texts, as long as the safety advice stays unchanged.",
			}},
			{Heading: "You may not", Bullets: []string{
				"Change the MitID logo, the colours or the cropping of the images.",
				"Use the material to advertise your own products.",
				"Share embargoed material before its release date.",
				"Ask citizens for their user ID, password or codes - not even to help.",
			}},
			{Heading: "Where to point people", Paras: []string{"Point citizens to mitid.dk and companies to mitid-erhverv.dk. Blocking: +45 33 98 00 10, open 24/7."}},
		},
		Call: "Questions about the material: write to the campaign's editors through the portal",
	})}

var partnerInfo = File{Name: "informationsmateriale-mitid", Kind: campaign.ItemFlyer, Audience: campaign.ForPartners,
	Layout: LayoutGuide, Text: both(Text{
		Title:       "Informationsmateriale: MitID kort fortalt",
		Description: "Baggrund til partnerkanalernes medarbejdere: hvad MitID er, hvem der skal skifte, og hvor borgerne får hjælp.",
		Lead:        "Et overblik til jer, der svarer borgere og kunder om MitID.",
		Sections: []Section{
			{Heading: "Hvad er MitID?", Paras: []string{"MitID er den fælles digitale identitet for borgere og virksomheder i Danmark. Den er udviklet af Digitaliseringsstyrelsen og bankerne i fællesskab og afløser NemID."}},
			meansDA,
			{Heading: "Hvor får borgerne hjælp?", Bullets: []string{
				"mitid.dk: vejledninger og film.",
				"Borgerservice: for borgere uden smartphone eller pas.",
				"MitID-support: 33 98 00 10.",
				"Bibliotekerne: hjælp til at komme i gang.",
			}},
			securityDA,
		},
		Call: "Del gerne materialet med jeres kolleger",
	}, Text{
		Title:       "Information material: MitID in brief",
		Description: "Background for partner channels' staff: what MitID is, who must switch and where citizens get help.",
		Lead:        "An overview for those of you who answer citizens and customers about MitID.",
		Sections: []Section{
			{Heading: "What is MitID?", Paras: []string{"MitID is the common digital identity for citizens and companies in Denmark. It was developed jointly by the Agency for Digital Government and the banks and replaces NemID."}},
			meansEN,
			{Heading: "Where do citizens get help?", Bullets: []string{
				"mitid.dk: guides and films.",
				"Citizen service: for citizens without a smartphone or passport.",
				"MitID support: +45 33 98 00 10.",
				"Libraries: help getting started.",
			}},
			securityEN,
		},
		Call: "Feel free to share the material with your colleagues",
	})}

var webTexts = File{Name: "web-og-some-tekster", Kind: campaign.ItemSocialMedia, Audience: campaign.ForPartners,
	Layout: LayoutGuide, Text: both(Text{
		Title:       "Tekster til web og sociale medier: tema om sikkerhed",
		Description: "Udkast til forum: færdige tekster til hjemmeside, nyhedsbrev og sociale medier om sikker brug af MitID. Giv gerne feedback inden frigivelse.",
		Lead:        "Kopiér teksterne direkte. De passer til kampagnens billeder i samme pakke.",
		Sections: []Section{
			{Heading: "Til hjemmesiden (ca. 80 ord)", Paras: []string{"Svindlere prøver at få folk til at godkende i MitID-appen ved at ringe og udgive sig for at være banken eller en myndighed. Husk: Godkend kun det, du selv har sat i gang. Læs altid teksten i appen, før du godkender. Ringer nogen og beder dig godkende, så læg på. Tror du, at andre kender dine oplysninger, så spær dit MitID på 33 98 00 10 - linjen er åben hele døgnet."}},
			{Heading: "Til Facebook", Paras: []string{"Har du lige fået et opkald fra 'banken', der beder dig godkende noget i MitID-appen? Læg på. Hverken banken eller MitID ringer for at få dig til at godkende. #MitID"}},
			{Heading: "Til nyhedsbrevet", Paras: []string{"Tre ting, du skal huske om MitID: Del aldrig dine koder. Godkend kun det, du selv har sat i gang. Spær straks på 33 98 00 10, hvis du er i tvivl."}},
		},
		Call: "Udkast - må ikke deles før frigivelse",
	}, Text{
		Title:       "Texts for web and social media: safety theme",
		Description: "Draft for the forum: ready texts for websites, newsletters and social media about using MitID safely. Feedback welcome before release.",
		Lead:        "Copy the texts as they are. They go with the campaign's images in the same pack.",
		Sections: []Section{
			{Heading: "For the website (about 80 words)", Paras: []string{"Fraudsters try to make people approve in the MitID app by calling and pretending to be the bank or an authority. Remember: only approve what you started yourself. Always read the text in the app before you approve. If someone calls and asks you to approve, hang up. If you think someone knows your details, block your MitID on +45 33 98 00 10 - the line is open day and night."}},
			{Heading: "For Facebook", Paras: []string{"Just had a call from 'the bank' asking you to approve something in the MitID app? Hang up. Neither your bank nor MitID calls to make you approve. #MitID"}},
			{Heading: "For the newsletter", Paras: []string{"Three things to remember about MitID: Never share your codes. Only approve what you started yourself. Block at once on +45 33 98 00 10 if in doubt."}},
		},
		Call: "Draft - do not share before release",
	})}

var partnerBanner = File{Name: "mitid-banner-sikkerhed", Kind: campaign.ItemSocialMedia, Audience: campaign.ForPartners,
	Layout: LayoutBanner, Text: both(Text{
		Title:       "Læs teksten, før du godkender",
		Description: "Banner til hjemmesider og linkdeling (1200 × 628), til temaet om sikkerhed.",
		Lead:        "MitID-appen viser altid, hvad du godkender.",
		Call:        "mitid.dk",
	}, Text{
		Title:       "Read the text before you approve",
		Description: "A banner for websites and link sharing (1200 × 628), for the safety theme.",
		Lead:        "The MitID app always shows what you are approving.",
		Call:        "mitid.dk",
	})}
