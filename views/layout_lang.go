package views

// language is one of the portal's languages, named in itself.
type language struct{ code, name string }

var languages = []language{{"da", "Dansk"}, {"en", "English"}}

// languagesCurrentFirst lists the languages with the current one first.
func languagesCurrentFirst(current string) []language {
	out := make([]language, 0, len(languages))
	for _, l := range languages {
		if l.code == current {
			out = append(out, l)
		}
	}
	for _, l := range languages {
		if l.code != current {
			out = append(out, l)
		}
	}
	return out
}
