package main

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
)

// handBatchCSV is sim's hand trace of five requests (a=1, b=2, c=3) as a
// feature store logs them: one row per entity, rows of one request
// sharing its id.
const handBatchCSV = "request_id,entity_id\n" +
	"r1,a\nr1,b\n" +
	"r2,a\nr2,b\n" +
	"r3,c\n" +
	"r4,a\nr4,c\nr4,a\n" +
	"r5,b\nr5,c\n"

// The replay of the hand trace at 2 objects, worked out by hand in
// sim/batch_test.go: 1 of 5 requests served whole; per request 10, 1, 10,
// 10, 10 ms with a parallel backend at hit 1ms, miss 10ms (mean 8.2ms).
func TestReplayBatchesCSV(t *testing.T) {
	path := writeFile(t, "batches.csv", handBatchCSV)
	out, errOut, err := runCLI(t, "replay", path, "--size", "2", "--hit-latency", "1ms", "--miss-latency", "10ms", "--format", "json")
	if err != nil {
		t.Fatal(err, errOut)
	}
	var rep struct {
		Requests int `json:"requests"`
		Batch    struct {
			Requests   int       `json:"requests"`
			Hits       int       `json:"hits"`
			FetchedP50 int       `json:"fetched_p50"`
			HitShares  []float64 `json:"hit_share_distribution"`
		} `json:"batch"`
		Latency struct {
			Rows []struct {
				Batch struct {
					MeanMS float64 `json:"mean_ms"`
				} `json:"batch"`
			} `json:"points"`
			BatchUncached struct {
				MeanMS float64 `json:"mean_ms"`
			} `json:"batch_without_cache"`
		} `json:"latency"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err, out)
	}
	b := rep.Batch
	if rep.Requests != 10 || b.Requests != 5 || b.Hits != 1 || b.FetchedP50 != 1 || len(b.HitShares) != 11 || b.HitShares[10] != 0.2 {
		t.Errorf("replay: %+v", rep)
	}
	if got := rep.Latency.Rows[0].Batch.MeanMS; got < 8.2-1e-9 || got > 8.2+1e-9 || rep.Latency.BatchUncached.MeanMS != 10 {
		t.Errorf("batch latency mean %g (want 8.2), uncached %g (want 10)", got, rep.Latency.BatchUncached.MeanMS)
	}
	if !strings.Contains(errOut, "10 keys in 5 requests of 1 to 3 keys (mean 2.0), grouped by the request id column") {
		t.Errorf("no note of the grouping: %q", errOut)
	}
	// With dedup and a single backend call (10ms + 2ms a key): 14, 1, 12,
	// 12, 12 (mean 10.2).
	out, _, err = runCLI(t, "replay", path, "--size", "2", "--hit-latency", "1ms", "--miss-latency", "10ms", "--dedup-batch",
		"--batch-backend", "single", "--miss-latency-per-key", "2ms", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if got := rep.Latency.Rows[0].Batch.MeanMS; got < 10.2-1e-9 || got > 10.2+1e-9 || rep.Requests != 9 {
		t.Errorf("dedup, single: mean %g (want 10.2), %d lookups (want 9)", got, rep.Requests)
	}
}

// A sweep on the hand trace: the batch columns of the CSV, from the LRU
// curve (1 of 5 at 2 objects, 3 of 5 at 3), and --metric batch's target.
func TestSweepBatches(t *testing.T) {
	path := writeFile(t, "batches.csv", handBatchCSV)
	out, errOut, err := runCLI(t, "sweep", path, "--sizes", "1,2,3", "--metric", "batch", "--target-hit-ratio", "0.5", "--format", "csv")
	if err != nil {
		t.Fatal(err, errOut)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, n := range rows[0] {
		col[n] = i
	}
	want := map[string][]string{"batch_hits": {"0", "1", "3"}, "batch_hit_ratio": {"0", "0.2", "0.6"},
		"batch_requests": {"5", "5", "5"}}
	for name, vals := range want {
		i, ok := col[name]
		if !ok {
			t.Fatalf("no column %s in %v", name, rows[0])
		}
		for r, v := range vals {
			if rows[1+r][i] != v {
				t.Errorf("size %s: %s = %q, want %q", rows[1+r][1], name, rows[1+r][i], v)
			}
		}
	}
	if by := rows[3][col["recommended_by"]]; !strings.Contains(by, "target") || strings.Contains(rows[2][col["recommended_by"]], "target") {
		t.Errorf("the target rule should pick 3 objects (60%%), not 2 (20%%): %v", rows)
	}
}

// The batch flags are errors where they have no effect.
func TestBatchFlagErrors(t *testing.T) {
	plain := writeFile(t, "plain.txt", "1\n2\n1\n")
	jsonl := writeFile(t, "t.jsonl", `{"key": "a"}`+"\n")
	batches := writeFile(t, "batches.csv", handBatchCSV)
	timed := writeFile(t, "timed.csv", "key,time,request_id\n1,0,1\n2,0,1\n1,1,2\n")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"replay", timed, "--batch-backend", "single"}, "counts backend calls per second in the peak report, in windows of time (give --interval 1m)"},
		{[]string{"replay", plain, "--dedup-batch"}, "--dedup-batch has no effect: plain.txt has no multi-key requests"},
		{[]string{"sweep", plain, "--metric", "batch"}, "--metric batch has no effect"},
		{[]string{"sweep", plain, "--metric", "token"}, "--metric token has no effect: plain.txt is not a prompt trace"},
		{[]string{"replay", plain, "--plot", "t.png", "--metric", "token"}, "--metric token: the timeline is not drawn for prompt traces"},
		{[]string{"sweep", batches, "--batch-backend", "single"}, "--batch-backend has no effect here: it times whole requests (give --miss-latency) and counts backend calls per second, which needs batches.csv to have timestamps"},
		{[]string{"sweep", batches, "--batch-backend", "single", "--miss-latency-per-key", "1ms"}, "--miss-latency-per-key times the backend call of a multi-key request: give --miss-latency too"},
		{[]string{"sweep", batches, "--interval", "1m"}, "--interval, --peak-csv: batches.csv has no timestamps: the peak needs timestamps"},
		{[]string{"sweep", batches, "--interval", "1000"}, "--interval 1000: the peak is a rate per second"},
		{[]string{"sweep", batches, "--miss-latency", "5ms", "--miss-latency-per-key", "1ms"}, "give --batch-backend single"},
		{[]string{"sweep", batches, "--miss-latency", "5ms", "--batch-backend", "serial"}, `--batch-backend "serial": expected parallel or single`},
		{[]string{"sweep", batches, "--metric", "batch", "--sample-rate", "0.5"}, "--metric batch needs every key"},
		{[]string{"replay", batches, "--plot", "t.png", "--metric", "batch"}, "--metric batch: the timeline counts keys"},
		{[]string{"replay", jsonl, "--csv-request", "2"}, "--csv-request applies to csv or text traces"},
	} {
		t.Run(caseName(tc.args), func(t *testing.T) {
			_, _, err := runCLI(t, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%v: error %v, want %q", tc.args, err, tc.want)
			}
		})
	}
}
