package traces

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/cachesim/cachesim/traces/trace"
	"github.com/klauspost/compress/zstd"
)

// Parser benchmarks: each reads 1M generated requests from memory and
// reports MB/s (b.SetBytes) and requests/s.

const benchN = 1 << 20

// parseCase is a generated input of one format and how to read it.
type parseCase struct {
	name string
	data []byte
	open func(io.Reader) trace.Reader
}

// benchData builds n records by calling line(i, key) for Zipf-ish keys.
func benchData(n int, line func(b []byte, i int, key uint64) []byte) []byte {
	z := rand.NewZipf(rand.New(rand.NewPCG(3, 4)), 1.1, 1, 1<<24)
	var b []byte
	for i := 0; i < n; i++ {
		b = line(b, i, z.Uint64())
	}
	return b
}

func benchReader(b *testing.B, data []byte, open func(io.Reader) trace.Reader) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	n := 0
	var req trace.Request
	for b.Loop() {
		r := open(bytes.NewReader(data))
		for {
			err := r.Read(&req)
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "req/s")
}

func lines(kind string) func(io.Reader) trace.Reader {
	return func(r io.Reader) trace.Reader {
		o := Options{}
		if kind == "csv" {
			o.Line.Columns = Columns{Key: 5, Time: 2, Op: 3, Size: 4}
		}
		rd, err := openLines(kind)("bench", r, o)
		if err != nil {
			panic(err)
		}
		return rd
	}
}

// parseCases returns n generated requests in every format.
func parseCases(n int) []parseCase {
	text := benchData(n, func(b []byte, _ int, k uint64) []byte { return fmt.Appendf(b, "%d\n", k) })
	cases := []parseCase{
		{"text", text, lines("text")},
		{"lirs", text, lines("lirs")},
		{"csv", benchData(n, func(b []byte, i int, k uint64) []byte {
			return fmt.Appendf(b, "1,%d,2a,%d,%d\n", 5633898+i/16, 512*(1+k%16), k)
		}), lines("csv")},
		{"arc", benchData(n, func(b []byte, _ int, k uint64) []byte { return fmt.Appendf(b, "%d %d 0 0\n", k*8, 1+k%4) }),
			func(r io.Reader) trace.Reader { return NewARCReader("bench", r, Options{}) }},
		{"oracleGeneral", benchData(n, func(b []byte, i int, k uint64) []byte {
			return oracleBytes2(b, uint32(i/16), k, uint32(1+k%4096), -1)
		}), func(r io.Reader) trace.Reader { return NewOracleReader("bench", r, Options{}) }},
		{"vscsi", benchData(n, func(b []byte, i int, k uint64) []byte { return append(b, vscsiV1(0x28, 4096, k, uint64(i))...) }),
			func(r io.Reader) trace.Reader { return NewVSCSIReader("bench", r, Options{}) }},
		{"cache2k", benchData(n, func(b []byte, _ int, k uint64) []byte { return be.AppendUint32(b, uint32(k)) }),
			func(r io.Reader) trace.Reader { return NewCache2kReader("bench", r, Options{}) }},
		{"twitter", benchData(n, func(b []byte, i int, k uint64) []byte {
			return fmt.Appendf(b, "%d,key%07dxyzABC,18,%d,%d,get,0\n", i/64, k, 100+k%900, k%97)
		}), func(r io.Reader) trace.Reader { return NewTwitterReader("bench", r, Options{}) }},
		{"accesslog", benchData(n, func(b []byte, i int, k uint64) []byte {
			return fmt.Appendf(b, "10.0.%d.%d - - [10/Oct/2000:13:%02d:%02d -0700] \"GET /static/obj%d.jpg HTTP/1.1\" 200 %d \"-\" \"Mozilla/5.0\"\n",
				k%256, i%256, i/60%60, i%60, k, 1000+k%50000)
		}), func(r io.Reader) trace.Reader { return NewAccessLogReader("bench", r, Options{}) }},
		{"monitor", benchData(n, func(b []byte, i int, k uint64) []byte {
			return fmt.Appendf(b, "%d.%06d [0 127.0.0.1:60866] \"GET\" \"user:%d\"\n", 1339518083+i/1000, i%1000000, k)
		}), func(r io.Reader) trace.Reader { return NewMonitorReader("bench", r, Options{}) }},
		{"monitor-mixed", benchData(n, func(b []byte, i int, k uint64) []byte {
			// 512 keys and 256 hash fields, so that the sizes of all are
			// soon known: once they are, reading allocates nothing.
			k %= 512
			t := fmt.Sprintf("%d.%06d [0 127.0.0.1:60866]", 1339518083+i/1000, i%1000000)
			switch i % 8 {
			case 0:
				return fmt.Appendf(b, "%s \"SET\" \"user:%d\" \"%0*d\" \"EX\" \"60\"\n", t, k, 10+int(k%50), k)
			case 1:
				return fmt.Appendf(b, "%s \"HSET\" \"h:%d\" \"f%d\" \"%d\"\n", t, k%64, k%4, k)
			case 2:
				return fmt.Appendf(b, "%s \"MGET\" \"user:%d\" \"user:%d\"\n", t, k, k+1)
			case 3:
				return fmt.Appendf(b, "%s \"HGET\" \"h:%d\" \"f%d\"\n", t, k%64, k%4)
			case 4:
				return fmt.Appendf(b, "%s \"PING\"\n", t)
			}
			return fmt.Appendf(b, "%s \"GET\" \"user:%d\"\n", t, k)
		}), func(r io.Reader) trace.Reader { return NewMonitorReader("bench", r, Options{}) }},
		{"jsonl", benchData(n, func(b []byte, i int, k uint64) []byte {
			return fmt.Appendf(b, "{\"time\": %d.25, \"key\": \"user:%d\", \"size\": %d, \"op\": \"get\"}\n", 1700000000+i/100, k, 100+k%900)
		}), func(r io.Reader) trace.Reader { return NewJSONReader("bench", r, Options{}) }},

		// Multi-key requests and tenants (batch.go): request ids, lists of
		// keys, MULTI/EXEC blocks, tenant columns and tenants from keys.
		{"csv-batches", benchData(n, func(b []byte, i int, k uint64) []byte {
			return fmt.Appendf(b, "r%d,e%d,model_%d\n", i/50, k, i/50%4)
		}), func(r io.Reader) trace.Reader {
			rd, _ := openLines("csv")("bench", r, Options{Line: LineOptions{Columns: Columns{Request: 1, Key: 2, Tenant: 3}}})
			return rd
		}},
		{"jsonl-batches", benchData(n, func(b []byte, i int, k uint64) []byte {
			return fmt.Appendf(b, "{\"keys\": [\"e%d\", \"e%d\", %d], \"tenant\": \"m%d\", \"size\": 64}\n", k, k+1, k+2, i%3)
		}), func(r io.Reader) trace.Reader { return NewJSONReader("bench", r, Options{}) }},
		{"monitor-tenants", benchData(n, func(b []byte, i int, k uint64) []byte {
			t := fmt.Sprintf("%d.%06d [0 127.0.0.1:60866]", 1339518083+i/1000, i%1000000)
			switch i % 4 {
			case 0:
				return fmt.Appendf(b, "%s \"MULTI\"\n", t)
			case 3:
				return fmt.Appendf(b, "%s \"EXEC\"\n", t)
			}
			return fmt.Appendf(b, "%s \"MGET\" \"pred:m%d:%d\" \"pred:m%d:%d\"\n", t, k%5, k, k%3, k+1)
		}), func(r io.Reader) trace.Reader {
			rule := TenantRule{Fields: 2, Sep: ':'}
			return NewMonitorReader("bench", r, Options{TenantFrom: &rule})
		}},
	}
	var zs bytes.Buffer
	zw, _ := zstd.NewWriter(&zs)
	zw.Write(text)
	zw.Close()
	return append(cases, parseCase{"text.zst", zs.Bytes(), func(r io.Reader) trace.Reader {
		f, err := NewFile("bench.zst", r, Options{Format: "text"})
		if err != nil {
			panic(err)
		}
		return f
	}})
}

func BenchmarkParse(b *testing.B) {
	for _, c := range parseCases(benchN) {
		b.Run(c.name, func(b *testing.B) { benchReader(b, c.data, c.open) })
	}
}

func oracleBytes2(b []byte, t uint32, id uint64, size uint32, next int64) []byte {
	b = le.AppendUint32(b, t)
	b = le.AppendUint64(b, id)
	b = le.AppendUint32(b, size)
	return le.AppendUint64(b, uint64(next))
}

// TestReadersDoNotAllocate checks that no reader allocates per request once
// it is running.
func TestReadersDoNotAllocate(t *testing.T) {
	for _, c := range parseCases(12000) {
		r := c.open(bytes.NewReader(c.data))
		var req trace.Request
		read := func() {
			for i := 0; i < 1000; i++ {
				if err := r.Read(&req); err != nil {
					t.Fatalf("%s: %v", c.name, err)
				}
			}
		}
		read() // warm up (buffers, decoders)
		if c.name == "text.zst" {
			continue // the zstd decoder allocates per block
		}
		// Averaged over 10 runs (AllocsPerRun rounds down): Mallocs is
		// process-wide, and a stray allocation by a background goroutine (the
		// zstd decoder's, say) must not count against this reader.
		if a := testing.AllocsPerRun(10, read); a != 0 {
			t.Errorf("%s: %.0f allocations per 1000 requests, want 0", c.name, a)
		}
	}
}
