package policy

import (
	"fmt"
	"strconv"
)

// Int returns parameter k as an int64 in [lo, hi], or def when absent.
func (p Params) Int(k string, def, lo, hi int64) (int64, error) {
	v, ok := p[k]
	if !ok {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("parameter %s=%q: expected an integer from %d to %d", k, v, lo, hi)
	}
	return n, nil
}

// Fraction returns parameter k as a float64 in [lo, hi], or def when absent.
func (p Params) Fraction(k string, def, lo, hi float64) (float64, error) {
	f, err := p.Float(k, def)
	if err != nil {
		return 0, err
	}
	if !(f >= lo && f <= hi) {
		return 0, fmt.Errorf("parameter %s=%v: expected a number from %g to %g", k, f, lo, hi)
	}
	return f, nil
}

// Bool returns parameter k as a bool, or def when absent.
func (p Params) Bool(k string, def bool) (bool, error) {
	v, ok := p[k]
	if !ok {
		return def, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("parameter %s=%q: expected true or false", k, v)
	}
	return b, nil
}
