package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// Tenants nearly as many as the keys are refused, by sweep --partition and
// system --invalidate-tenant, with what was found and what to try; many
// tenants that are not keys are split, the table capped at 20 rows.
func TestTenantsLikeKeysRefused(t *testing.T) {
	var mon strings.Builder
	for i := range 60 { // pred:m0:0 … pred:m2:59: 60 keys of 3 models, each read twice
		for range 2 {
			fmt.Fprintf(&mon, "%d.0 [0 c] \"GET\" \"pred:m%d:%d\"\n", 1700000000+i, i%3, i)
		}
	}
	path := writeFile(t, "p.monitor", mon.String())
	for _, args := range [][]string{
		{"sweep", path, "--tenant-from", "prefix:3", "--partition", "10"},
		{"system", "replay", path, "--tenant-from", "prefix:3", "--levels", "l1=lru:10", "--invalidate-every", "1s", "--invalidate-tenant", "pred:m0:0"},
	} {
		_, _, err := runCLI(t, args...)
		if err == nil || !strings.Contains(err.Error(), "--tenant-from prefix:3 made 60 tenants of 60 keys in p.monitor: a tenant is about one key") ||
			!strings.Contains(err.Error(), "take fewer fields (prefix:2)") {
			t.Errorf("%v: %v", args[:2], err)
		}
	}
	if _, _, err := runCLI(t, "sweep", path, "--tenant-from", "prefix:2", "--partition", "10"); err != nil {
		t.Errorf("3 tenants of 60 keys: %v", err)
	}
	csv := "key,tenant\n"
	for i := range 60 {
		csv += fmt.Sprintf("k%d,t%d\n", i, i)
	}
	if _, _, err := runCLI(t, "sweep", writeFile(t, "t.csv", csv), "--partition", "10"); err == nil || !strings.Contains(err.Error(), "the tenant column or field made 60 tenants of 60 keys in t.csv") {
		t.Errorf("a tenant column of keys: %v", err)
	}
	// 30 tenants of 10 keys each (tenant i's keys read i+1 times): 19 rows, then the other 11.
	csv = "key,tenant\n"
	for i := range 30 {
		for r := range i + 1 {
			for k := range 10 {
				csv += fmt.Sprintf("t%d:%d,t%02d\n", i, (k+r)%10, i)
			}
		}
	}
	out, _, err := runCLI(t, "sweep", writeFile(t, "many.csv", csv), "--partition", "100", "--policy", "lru")
	if err != nil {
		t.Fatal(err)
	}
	if rows := regexp.MustCompile(`│ +t\d\d │`).FindAllString(out, -1); len(rows) != 19 || !strings.Contains(out, " t11 │") || strings.Contains(out, " t10 │") ||
		!regexp.MustCompile(`│ \(11 others\) │ +660 │`).MatchString(out) { // t00…t10: 10·(1+…+11) = 660 requests
		t.Errorf("%d tenant rows, want t29 down to t11 and the other 11 in one row:\n%s", len(rows), out)
	}
}

// A CSV whose header has several columns that may name the object, and no
// --csv-key: a note says which is the key, which others may be part of
// it, and the flag of the composite key.
func TestCSVKeyColumnsNote(t *testing.T) {
	path := writeFile(t, "fs.csv", "request_id,entity_id,feature_view,value_bytes,ts\nr1,e1,prices,120,1717000000\nr1,e2,prices,80,1717000000\nr2,e1,clicks,60,1717000001\n")
	_, notes, err := runCLI(t, "inspect", path)
	want := `the key is entity_id (column 2) alone, and feature_view (column 3, text on the first row: "prices") may name the object too: a composite key takes them all (--csv-key entity_id,feature_view; or --csv-key entity_id to keep it alone)`
	if err != nil || !strings.Contains(notes, want) {
		t.Errorf("%v; notes:\n%s\nwant %q", err, notes, want)
	}
	if _, notes, err = runCLI(t, "inspect", path, "--csv-key", "entity_id,feature_view"); err != nil || strings.Contains(notes, "may name the object") {
		t.Errorf("with --csv-key: %v\n%s", err, notes)
	}
}
