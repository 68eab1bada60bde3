package bench

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The summary lines every benchmark prints, one per figure, so that a script can read a run:
//
//	figure=NAME value=12.3ms baseline=4.1ms ratio=3.00 target=<=3x ok
//
// ratio is value/baseline where a raw baseline was measured in the same run (the targets are
// ratios because the absolute figures move with the machine's load), "-" otherwise. The verdict
// is "ok" when the target holds and "short" when it does not.

// figure prints a figure without a baseline.
func figure(name string, value float64, unit, target string, ok bool) {
	printFigure(name, value, math.NaN(), unit, target, ok)
}

// atLeast prints a figure measured against a raw baseline in the same run whose ratio must be
// at least min (throughput: higher is better).
func atLeast(name string, value, baseline float64, unit string, min float64) bool {
	ok := baseline > 0 && value/baseline >= min
	printFigure(name, value, baseline, unit, ">="+trim(min)+"x", ok)
	return ok
}

// atMost prints a figure measured against a raw baseline in the same run whose ratio must be at
// most max (latency, memory: lower is better).
func atMost(name string, value, baseline float64, unit string, max float64) bool {
	ok := baseline > 0 && value/baseline <= max
	printFigure(name, value, baseline, unit, "<="+trim(max)+"x", ok)
	return ok
}

func printFigure(name string, value, baseline float64, unit, target string, ok bool) {
	verdict := "short"
	if ok {
		verdict = "ok"
	}
	base, ratio := "-", "-"
	if !math.IsNaN(baseline) {
		base = trim(baseline) + unit
		if baseline > 0 {
			ratio = strconv.FormatFloat(value/baseline, 'f', 2, 64)
		}
	}
	fmt.Printf("figure=%s value=%s%s baseline=%s ratio=%s target=%s %s\n", name, trim(value), unit, base, ratio, target, verdict)
}

// trim formats f with two decimals at most and no trailing zeros.
func trim(f float64) string {
	s := strconv.FormatFloat(f, 'f', 2, 64)
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}
