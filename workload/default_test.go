package workload

import (
	"io"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/cachesim/cachesim/traces/trace"
)

// The sampler follows the exact Zipf pmf for exponents below, at and above 1:
// Pearson's chi-square over n ranks stays under the 0.1% critical value.
func TestZipfSamplerAnyExponent(t *testing.T) {
	const n, draws = 20, 200000
	const critical = 43.82 // chi-square, 19 degrees of freedom, p = 0.001
	for _, s := range []float64{0.3, 0.5, 1, 1.5, 3} {
		z, err := NewZipfSampler(n, s, rand.New(rand.NewPCG(7, uint64(s*100))))
		if err != nil {
			t.Fatal(err)
		}
		var counts [n + 1]float64
		for i := 0; i < draws; i++ {
			k := z.Next()
			if k < 1 || k > n {
				t.Fatalf("s=%g: rank %d out of 1…%d", s, k, n)
			}
			counts[k]++
		}
		var h float64
		for k := 1; k <= n; k++ {
			h += math.Pow(float64(k), -s)
		}
		var chi2 float64
		for k := 1; k <= n; k++ {
			e := draws * math.Pow(float64(k), -s) / h
			chi2 += (counts[k] - e) * (counts[k] - e) / e
		}
		if chi2 > critical {
			t.Errorf("s=%g: chi-square %.1f > %.1f", s, chi2, critical)
		}
	}
	for _, s := range []float64{0, -1, math.NaN(), math.Inf(1)} {
		if _, err := NewZipfSampler(10, s, rand.New(rand.NewPCG(1, 1))); err == nil {
			t.Errorf("exponent %v accepted", s)
		}
	}
}

func TestDefaultWorkloadIsDeterministic(t *testing.T) {
	read := func(w Zipf) []uint64 {
		r, err := w.Reader()
		if err != nil {
			t.Fatal(err)
		}
		var keys []uint64
		var req trace.Request
		for r.Read(&req) != io.EOF {
			keys = append(keys, req.Key)
		}
		return keys
	}
	a, b := read(Default), read(Default)
	if len(a) != 10000 {
		t.Fatalf("%d requests, want 10000", len(a))
	}
	same := true
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("same seed, request %d differs", i)
		}
		if a[i] < 1 || a[i] > 1000 {
			t.Fatalf("key %d outside 1…1000", a[i])
		}
	}
	other := Default
	other.Seed = 43
	c := read(other)
	for i := range a {
		if a[i] != c[i] {
			same = false
			break
		}
	}
	if same {
		t.Fatal("different seeds gave the same stream")
	}
}
