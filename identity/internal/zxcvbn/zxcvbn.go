// Package zxcvbn is github.com/ccojocar/zxcvbn-go's password strength estimator with its
// dictionaries built on first use instead of in package init.
//
// Upstream decodes five frequency lists (about 100,000 words) in frequency's init() and builds
// a ranked map of each in matching's init(): some 7 MB of live heap and 18 MB of allocations
// in every process that imports it, although the portal needs them only when someone chooses
// a password. This package is upstream's matching package (v1.0.4, MIT licence, LICENSE.txt)
// with the init() replaced by load, run once by the first PasswordStrength; the scoring,
// entropy, adjacency graphs and the bundled data still come from the upstream module, so the
// estimates are upstream's and an update is a version bump plus a diff of these files against
// upstream's matching/ (only zxcvbn.go differs beyond the package name).
package zxcvbn

import (
	"encoding/json"
	"fmt"
	"sort"
	"sync"

	"github.com/ccojocar/zxcvbn-go/adjacency"
	"github.com/ccojocar/zxcvbn-go/data"
	"github.com/ccojocar/zxcvbn-go/match"
	"github.com/ccojocar/zxcvbn-go/scoring"
)

// PasswordStrength is upstream's zxcvbn.PasswordStrength without the matcher filters and the
// timing: the lowest-entropy sequence of matches over password, with userInputs (the username,
// the birth date) as a dictionary an attacker tries first.
func PasswordStrength(password string, userInputs []string) scoring.MinEntropyMatch {
	load()
	return scoring.MinimumEntropyMatchSequence(password, omnimatch(password, userInputs))
}

// Passwords is upstream's "Passwords" frequency list (most common first), decoded on first use.
func Passwords() []string {
	load()
	return lists["Passwords"]
}

// The state upstream's frequency and matching packages build in init(); written once by load.
var (
	lists              map[string][]string
	dictionaryMatchers []match.Matcher
	matchers           []match.Matcher
	adjacencyGraphs    []adjacency.Graph
	l33tTable          adjacency.Graph
	sequences          map[string]string
)

// load is upstream's frequency.init and matching.loadFrequencyList, once per process.
var load = sync.OnceFunc(func() {
	lists = make(map[string][]string, 5)
	for _, name := range []string{"MaleNames", "FemaleNames", "Surname", "English", "Passwords"} {
		lists[name] = decodeList(name)
	}
	for n, list := range lists {
		dictionaryMatchers = append(dictionaryMatchers, match.Matcher{MatchingFunc: buildDictMatcher(n, buildRankedDict(list)), ID: n})
	}

	l33tTable = adjacency.GraphMap["l33t"]
	adjacencyGraphs = []adjacency.Graph{adjacency.GraphMap["qwerty"], adjacency.GraphMap["dvorak"],
		adjacency.GraphMap["keypad"], adjacency.GraphMap["macKeypad"]}
	sequences = map[string]string{
		"lower":  "abcdefghijklmnopqrstuvwxyz",
		"upper":  "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
		"digits": "0123456789",
	}

	matchers = append(matchers, dictionaryMatchers...)
	matchers = append(matchers, match.Matcher{MatchingFunc: spatialMatch, ID: spatialMatcherName})
	matchers = append(matchers, match.Matcher{MatchingFunc: repeatMatch, ID: repeatMatcherName})
	matchers = append(matchers, match.Matcher{MatchingFunc: sequenceMatch, ID: sequenceMatcherName})
	matchers = append(matchers, match.Matcher{MatchingFunc: l33tMatch, ID: L33TMatcherName})
	matchers = append(matchers, match.Matcher{MatchingFunc: dateSepMatcher, ID: dateSepMatcherName})
	matchers = append(matchers, match.Matcher{MatchingFunc: dateWithoutSepMatch, ID: dateWithOutSepMatcherName})
})

// assetName maps a list's name to its file in upstream's data package ("Surname" is the one
// whose name and file differ).
var assetName = map[string]string{"MaleNames": "MaleNames", "FemaleNames": "FemaleNames",
	"Surname": "Surnames", "English": "English", "Passwords": "Passwords"}

// decodeList is upstream's frequency.getStringListFromAsset. The assets are compiled into the
// binary, so a failure is a broken build: upstream panics (or log.Fatal) too.
func decodeList(name string) []string {
	raw, err := data.Asset("data/" + assetName[name] + ".json")
	if err != nil {
		panic(fmt.Sprintf("zxcvbn: asset %s: %v", name, err))
	}
	var l struct{ List []string }
	if err := json.Unmarshal(raw, &l); err != nil {
		panic(fmt.Sprintf("zxcvbn: asset %s: %v", name, err))
	}
	return l.List
}

// omnimatch is upstream's matching.Omnimatch without filters.
func omnimatch(password string, userInputs []string) (matches []match.Match) {
	if userInputs != nil {
		userInputMatcher := buildDictMatcher("user_inputs", buildRankedDict(userInputs))
		matches = userInputMatcher(password)
	}
	for _, matcher := range matchers {
		matches = append(matches, matcher.MatchingFunc(password)...)
	}
	sort.Sort(match.Matches(matches))
	return matches
}
