package report

import (
	"math"
	"strconv"
	"strings"

	"github.com/cachesim/cachesim/traces"
)

// Numbers for people. Tables and notes print numbers through these, so
// that none is ever written with an exponent (4.92e+06): counts with
// thousands separators (Count), measured amounts to a few significant
// digits (Sig) or to cents (Amount), parameters as given (Param); sizes go
// through sim.FormatSize (binary units) and ratios are percentages with
// two decimals. CSV and JSON keep plain machine numbers (fmtFloat).

// integer is any integer type a count comes in.
type integer interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

// Count renders a count with thousands separators: 1,234,567.
func Count[T integer](n T) string {
	if n > 0 && uint64(n) > math.MaxInt64 {
		return group(strconv.FormatUint(uint64(n), 10))
	}
	return traces.Thousands(int64(n))
}

// group puts thousands separators into the integer part of a plain
// decimal number ("-1234567.5" → "-1,234,567.5").
func group(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac := s, ""
	if i := strings.IndexByte(s, '.'); i >= 0 {
		whole, frac = s[:i], s[i:]
	}
	for i := len(whole) - 3; i > 0; i -= 3 {
		whole = whole[:i] + "," + whole[i:]
	}
	return sign + whole + frac
}

// Sig renders v to digits significant digits, without an exponent and
// with thousands separators: Sig(4.92e6, 3) is "4,920,000", Sig(0.0000123,
// 2) "0.000012", Sig(3.14159, 3) "3.14", Sig(2.5, 4) "2.5".
func Sig(v float64, digits int) string {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	digits = max(digits, 1)
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'e', digits-1, 64), 64) // rounded to the digits
	exp := int(math.Floor(math.Log10(math.Abs(r))))
	s := strconv.FormatFloat(r, 'f', max(digits-1-exp, 0), 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return group(s)
}

// Amount renders a measured amount (money, a rate): whole and grouped by
// thousands from 1,000 on (503,500), else with at most two decimals
// (3.14), and three significant digits below 1 (0.000304).
func Amount(v float64) string {
	a := math.Abs(v)
	switch {
	case a >= 999.995:
		return group(strconv.FormatFloat(math.Round(v), 'f', 0, 64))
	case a >= 1 || a == 0:
		return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
	}
	return Sig(v, 3)
}

// Param renders a parameter as it was given, without an exponent: 0.0001,
// 1000000, 2.5.
func Param(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
