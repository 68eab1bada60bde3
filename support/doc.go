// Package support is the shared public support desk: the one phone line and set of opening
// hours for MitID, MitID Erhverv, Digital Post, NemKonto, Virk and borger.dk. It owns the
// desk's rules (the Danish holiday calendar, opening hours, deadlines counted in opening
// time), its cases with their append-only timelines, queues, Danish full-text search and
// canned replies. It knows nothing of HTTP or languages:
// names are message IDs the handlers translate.
package support
