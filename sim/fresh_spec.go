package sim

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// TTLForms documents what ParseTTLs accepts; errors quote it.
const TTLForms = `accepted forms: a list "1m,10m,1h"; log-spaced points "start:stop:log" (10 points)
or "start:stop:logN" (N points); a range "start:stop:step" ("5m:1h:5m"); durations
take a unit: ms, s, m, h or d (days), e.g. "30s", "1h30m", "2d"`

// ParseDuration parses a duration as time.ParseDuration does, and days:
// "2d", "1d12h".
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	var days time.Duration
	if i := strings.IndexByte(s, 'd'); i > 0 {
		n, err := strconv.ParseFloat(s[:i], 64)
		if err != nil || n < 0 || n > 1e5 {
			return 0, fmt.Errorf("%q: expected a duration such as 30s, 5m, 1h or 2d", s)
		}
		days, s = time.Duration(n*24*float64(time.Hour)), s[i+1:]
		if s == "" {
			return days, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q: expected a duration such as 30s, 5m, 1h or 2d", s)
	}
	return days + d, nil
}

// ParseTTLs parses a list or range of TTLs (see TTLForms): every TTL > 0,
// ascending, without duplicates; log-spaced points are rounded to the
// millisecond below a second, the second below a minute, the minute below
// an hour, 5 minutes below a day and the hour above.
func ParseTTLs(spec string) ([]time.Duration, error) {
	fail := func(err error) ([]time.Duration, error) {
		return nil, fmt.Errorf("%q: %v\n%s", spec, err, TTLForms)
	}
	var out []time.Duration
	for _, part := range strings.Split(spec, ",") {
		f := strings.Split(part, ":")
		switch len(f) {
		case 1:
			d, err := ParseDuration(f[0])
			if err != nil {
				return fail(err)
			}
			out = append(out, d)
		case 3:
			lo, err := ParseDuration(f[0])
			if err != nil {
				return fail(err)
			}
			hi, err := ParseDuration(f[1])
			if err != nil {
				return fail(err)
			}
			if lo > hi || lo <= 0 {
				return fail(fmt.Errorf("range %s: expected 0 < start <= stop", part))
			}
			if step := strings.ToLower(strings.TrimSpace(f[2])); strings.HasPrefix(step, "log") {
				n := DefaultLogPoints
				if rest := step[3:]; rest != "" {
					if n, err = strconv.Atoi(rest); err != nil || n < 2 || n > maxTTLs {
						return fail(fmt.Errorf("%q: expected log or logN with 2 <= N <= %d", f[2], maxTTLs))
					}
				}
				out = append(out, LogTTLs(lo, hi, n)...)
				continue
			}
			st, err := ParseDuration(f[2])
			if err != nil || st <= 0 {
				return fail(fmt.Errorf("step %q: expected a positive duration, log or logN", f[2]))
			}
			if (hi-lo)/st >= maxTTLs {
				return fail(fmt.Errorf("range %s gives more than %d TTLs", part, maxTTLs))
			}
			for d := lo; d <= hi; d += st {
				out = append(out, d)
			}
		default:
			return fail(fmt.Errorf("%q is neither a duration nor start:stop:step", part))
		}
	}
	slices.Sort(out)
	out = slices.Compact(out)
	if out[0] <= 0 {
		return fail(fmt.Errorf("a TTL must be above 0 (push invalidation, without a TTL, runs beside every sweep)"))
	}
	if len(out) > maxTTLs {
		return fail(fmt.Errorf("%d TTLs: at most %d", len(out), maxTTLs))
	}
	return out, nil
}

// maxTTLs bounds the TTLs of one sweep.
const maxTTLs = 100

// LogTTLs returns n TTLs from lo to hi evenly spaced in log scale, rounded
// (see ParseTTLs), without duplicates.
func LogTTLs(lo, hi time.Duration, n int) []time.Duration {
	out := make([]time.Duration, 0, n)
	for i := range n {
		d := time.Duration(float64(lo) * math.Pow(float64(hi)/float64(lo), float64(i)/float64(n-1)))
		if i == n-1 {
			d = hi
		}
		switch {
		case d >= 24*time.Hour:
			d = d.Round(time.Hour)
		case d >= time.Hour:
			d = d.Round(5 * time.Minute)
		case d >= time.Minute:
			d = d.Round(time.Minute)
		case d >= time.Second:
			d = d.Round(time.Second)
		default:
			d = max(d.Round(time.Millisecond), time.Millisecond)
		}
		out = append(out, d)
	}
	return slices.Compact(out)
}

// FormatTTL renders a TTL briefly: 45s, 5m, 1h30m, 2d.
func FormatTTL(d time.Duration) string {
	if d >= 24*time.Hour && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return shortDuration(d)
}

// ParseRate parses a rate of changes per key: "1/h", "0.5/min", "3/d",
// "1/30m". It returns changes per second.
func ParseRate(s string) (float64, error) {
	bad := fmt.Errorf("%q: expected changes per key per time, e.g. 1/h, 0.5/min, 3/d or 1/30m", s)
	num, per, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return 0, bad
	}
	n, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || !(n > 0) || math.IsInf(n, 0) {
		return 0, bad
	}
	per = strings.TrimSpace(per)
	if words := map[string]string{"sec": "s", "second": "s", "min": "m", "minute": "m", "hour": "h", "day": "d"}; words[per] != "" {
		per = words[per]
	}
	if per != "" && (per[0] < '0' || per[0] > '9') && per[0] != '.' {
		per = "1" + per
	}
	d, err := ParseDuration(per)
	if err != nil || d <= 0 {
		return 0, bad
	}
	return n / d.Seconds(), nil
}
