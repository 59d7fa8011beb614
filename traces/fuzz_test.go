package traces

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cachesim/cachesim/traces/trace"
)

// Fuzz tests: every parser, fed arbitrary bytes, must return requests, a
// clean io.EOF or a *ParseError naming the file, and never panic or loop;
// with SkipBad it must never fail. `go test` runs the seeds below; `make
// fuzz` runs each target for longer.

// maxFuzzReads bounds a fuzz read: ARC lines may legitimately expand to MaxARCCount requests.
const maxFuzzReads = 1 << 14

func fuzzReader(t *testing.T, data []byte, open func(r io.Reader, opt Options) (trace.Reader, error)) {
	for _, skip := range []bool{false, true} {
		r, err := open(bytes.NewReader(data), Options{SkipBad: skip})
		if err != nil {
			return // rejected up front (e.g. detection found no format)
		}
		var req trace.Request
		for n := 0; n < maxFuzzReads; n++ {
			err := r.Read(&req)
			if err == io.EOF {
				break
			}
			if err == nil {
				continue
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				if strings.HasPrefix(err.Error(), "fuzz:") {
					break // a decompression error, named by file
				}
				t.Fatalf("error is not a *ParseError: %v", err)
			}
			if skip {
				t.Fatalf("SkipBad still failed: %v", err)
			}
			if pe.File != "fuzz" || pe.Line < 0 || pe.Offset < 0 {
				t.Fatalf("bad error position: %+v", pe)
			}
			break
		}
	}
}

// seeds adds each seed to f.
func seeds(f *testing.F, s ...string) {
	for _, x := range s {
		f.Add([]byte(x))
	}
}

func fuzzWith(f *testing.F, open func(r io.Reader, opt Options) (trace.Reader, error)) {
	f.Fuzz(func(t *testing.T, data []byte) { fuzzReader(t, data, open) })
}

// fuzzFormat fuzzes the reader that the format table opens for the format
// name, seeded with its sample (testdata/formats/name.*, see
// TestFormatRecipe) besides f's own seeds: each input is read once per
// tweak, which adjusts the options (none: read as they come). A Fuzz
// target calling it covers that format; TestFormatRecipe checks that every
// format has one.
func fuzzFormat(f *testing.F, name string, tweaks ...func(*Options)) {
	fm, err := lookupFormat(name)
	if err != nil || fm.name != name {
		f.Fatalf("fuzzFormat(%q): no such format in the table", name)
	}
	samples, _ := filepath.Glob(filepath.Join("testdata", "formats", name+".*"))
	for _, p := range samples {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	if len(tweaks) == 0 {
		tweaks = []func(*Options){func(*Options) {}}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, tweak := range tweaks {
			fuzzReader(t, data, func(r io.Reader, o Options) (trace.Reader, error) {
				tweak(&o)
				return fm.open("fuzz", r, o)
			})
		}
	})
}

func FuzzText(f *testing.F) {
	seeds(f, "1\n2\n3", "a b c\n\n  d\r\n", strings.Repeat("x", 100)+"\n")
	fuzzFormat(f, "text", func(o *Options) { o.Line.Columns = Columns{Key: 1, Size: 2, TTL: 3} })
}

func FuzzCSV(f *testing.F) {
	seeds(f, "version,time,op,size,lbn\n1,5633898,2a,512,42932745\n", `"a,b",1,2,get,5`+"\n", "1,2.5,\"x\"\"y\",3,del\n")
	fuzzFormat(f, "csv", func(o *Options) { o.Line.Columns = Columns{Key: 5, Time: 2, Op: 3, Size: 4} })
}

func FuzzCSVHeader(f *testing.F) {
	seeds(f, "version,time,op,size,lbn\n1,5633898,2a,512,42932745\n", "ID,ts,ttl\n\"a\",1.5,3\n", "key,key,key\n1,2,3\n",
		"\xEF\xBB\xBFts,entity_id,feature_group,bytes,latency_us\n1717000000001,e1,fg1,100,3.5\n", "a,b\nc,1\n", "user_id,item_id\nu,i\n")
	fuzzFormat(f, "csv", func(o *Options) { o.Line.AutoColumns = true })
}

func FuzzCSVNames(f *testing.F) {
	seeds(f, "key,size\na,1\n", "k,size\n", "\n\nkey,x,size\n1,2,3", "size,key\n\"1\",\"\"\n")
	fuzzFormat(f, "csv", func(o *Options) { o.Line.Spec, o.Line.AutoColumns = ColumnSpec{Key: "key,2", Size: "size"}, true })
}

func FuzzLIRS(f *testing.F) {
	seeds(f, "1\r\n*\r\n\r\n2\r\n", "*\n*\n", "-5\n")
	fuzzFormat(f, "lirs")
}

func FuzzARC(f *testing.F) {
	seeds(f, "5 3 0 0\n100 1 0 0\n", "x 1 0 0\n", "18446744073709551615 2 0 0\n", "1\n")
	fuzzFormat(f, "arc")
}

func FuzzOracleGeneral(f *testing.F) {
	f.Add(oracleBytes([4]int64{100, 7, 512, 3}, [4]int64{101, 8, 0, -1}, [4]int64{102, 7, 512, -1}))
	f.Add(oracleBytes([4]int64{1, 1, 1, 1})[:30])
	fuzzFormat(f, "oracleGeneral")
}

func FuzzVSCSI(f *testing.F) {
	f.Add(append(vscsiV1(0x2a, 4096, 9, 1000), vscsiV1(0x28, 512, 10, 2500)...))
	f.Add(append(vscsiV2(0x2a, 4096, 9, 1000), vscsiV2(0x28, 512, 10, 2500)[:20]...))
	f.Add(make([]byte, 40))
	fuzzFormat(f, "vscsi")
}

func FuzzCache2k(f *testing.F) {
	f.Add([]byte{0, 0, 0, 1, 0xff, 0xff, 0xff, 0xfe, 0, 0, 1})
	fuzzFormat(f, "cache2k")
}

func FuzzTwitter(f *testing.F) {
	seeds(f, twitterTrace, "1,a,1,1,1,get,1.5\n", ",,,,,,\n")
	fuzzFormat(f, "twitter")
}

func FuzzAccessLog(f *testing.F) {
	seeds(f, accessLog, `www.example.com:80 127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.1" 200 5 "-" "curl"`,
		`a b c [99/Xyz/2000:13:55:36 -0700] "GET" 200 1`, `a b c [] "\"" 1 1`)
	fuzzFormat(f, "accesslog", func(o *Options) { o.AccessLog.WithHost = true })
}

func FuzzMonitor(f *testing.F) {
	seeds(f, monitorLog, `1.0 [0 x] "MSET" "a"`, `1.0 [0 x] "SET" "k" "v" "EX"`, `1 [ "GET" "\x`,
		`1.0 [0 x] "HSET" "h" "f" "v" "g"`, `1.0 [0 x] "HDEL" "h" "f"`, `1.0 [0 x] "SET" "k" "v" "PXAT" "-9223372036854775808"`,
		`1.0 [0 x] "GETEX" "k" "EXAT" "1"`, `1.0 [0 x] "HINCRBY" "h" "f"`)
	if data, err := os.ReadFile("testdata/redis.monitor"); err == nil {
		f.Add(data)
	}
	// Hashes whole and by field.
	fuzzFormat(f, "monitor", func(o *Options) { o.Monitor.Fields = false }, func(o *Options) { o.Monitor.Fields = true })
}

func FuzzJSONLines(f *testing.F) {
	seeds(f, jsonLines, `{"key": [1, {"a": "]"}], "key": 5}`, `{"key":"a","op":null,"time":"1.5"}`, `{"key"`, `{"a":{"b":{"c":`)
	fuzzFormat(f, "jsonl")
}

func FuzzPrompts(f *testing.F) {
	seeds(f, `{"time": 1, "blocks": [1, 2, "x"], "tokens": 40, "duration": 1.5}`, `{"token_ids": [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17]}`,
		`{"blocks": []}`, `{"blocks": [1], "tokens": -1}`, `{"token_ids": [1.5]}`, `{"blocks": [1`)
	// The default block size, and one of 4 tokens (more blocks from fewer ids).
	fuzzFormat(f, "prompts", func(*Options) {}, func(o *Options) { o.BlockTokens = 4 })
}

func FuzzMooncake(f *testing.F) {
	seeds(f, `{"timestamp": 0, "input_length": 1200, "hash_ids": [0, 1, 2]}`, `{"timestamp": 3, "input_length": 10, "hash_ids": [0, 1]}`,
		`{"timestamp": 1.5, "input_length": 9999, "hash_ids": [7], "block_size": 16}`, `{"hash_ids": [1, 2]}`, `{"input_length": 1, "hash_ids": []}`,
		`{"timestamp": 1, "input_length": 600, "hash_ids": [1`)
	// The format's block size and time unit, and others given.
	fuzzFormat(f, "mooncake", func(*Options) {}, func(o *Options) { o.BlockTokens, o.Line.TimeUnit = 4, 1e9 })
}

// FuzzDetect runs detection and then whichever reader it picks.
func FuzzDetect(f *testing.F) {
	seeds(f, accessLog, monitorLog, jsonLines, twitterTrace, "5 3 0 0\n", "a\nb\n", "k,1\n", "\x1f\x8b\x08\x00", "\x28\xb5\x2f\xfd\x00")
	f.Add(oracleBytes([4]int64{1, 7, 5, 3}, [4]int64{1, 8, 5, -1}, [4]int64{2, 7, 5, -1}))
	f.Add(vscsiV1(0x28, 1, 2, 3))
	fuzzWith(f, func(r io.Reader, o Options) (trace.Reader, error) {
		file, err := NewFile("fuzz", r, o)
		if err != nil {
			return nil, err
		}
		return file, nil
	})
}
