package support

// Canned is a built-in reply an agent starts from and edits before sending. Its title and
// text are messages in the locale files (TitleID, BodyID), in Danish and English; the text is
// a template taking the data of CannedData: {{.Name}} (may be empty), {{.Ref}} and {{.Phone}}.
// The web layer translates BodyID in the case's language (Case.Lang) with that data.
type Canned struct {
	ID      string
	TitleID string
	BodyID  string
}

// CannedReplies are the built-in replies, in the order the reply form lists them.
var CannedReplies = []Canned{
	canned("received"),
	canned("need_info"),
	canned("call_us"),
	canned("mitid_blocked"),
	canned("letter_sent"),
	canned("resolved"),
}

func canned(id string) Canned {
	return Canned{ID: id, TitleID: "support.canned." + id + ".title", BodyID: "support.canned." + id + ".body"}
}

// CannedByID returns the canned reply with that ID.
func CannedByID(id string) (Canned, bool) {
	for _, c := range CannedReplies {
		if c.ID == id {
			return c, true
		}
	}
	return Canned{}, false
}

// CannedData is the template data for a canned reply on case c; phone is the desk's phone
// number as the contact page shows it.
func CannedData(c Case, phone string) map[string]any {
	return map[string]any{"Name": c.Name, "Ref": c.Ref, "Phone": phone}
}
