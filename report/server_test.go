package report

import (
	"bytes"
	"strings"
	"testing"
)

// A memcached run reports the slab pages it really held against its limit
// and the memory per item from its chunks: 28 one-MiB pages against 4 MiB
// is 7.0×, and 22,407,944 bytes of chunks for 36,153 items 619.8 bytes each
// (worked by hand). A Redis run has none of these rows.
func TestServerRunSlabRows(t *testing.T) {
	mc := ServerRun{Workload: "w", Target: "memcached", MaxMemory: 4 << 20, Policy: "memcached",
		Server: ServerCounters{MemoryLimit: 4 << 20, Keys: 36153, SlabMemory: 28 << 20, ChunkMemory: 22407944, SlabClasses: 28}}
	var b bytes.Buffer
	if err := mc.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"28 MiB / 4 MiB (7.0×)", "28 (each gets its first page even beyond the limit)", "619.8 B"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
	b.Reset()
	if err := (ServerSweep{mc}).WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(b.String(), "\n"); !strings.HasSuffix(lines[0], ",slab_memory") || !strings.HasSuffix(lines[1], ","+"29360128") {
		t.Errorf("CSV without the slab memory:\n%s", b.String())
	}
	redis := mc
	redis.Server = ServerCounters{MemoryLimit: 4 << 20, Keys: 10, UsedMemory: 1 << 20}
	b.Reset()
	if err := redis.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "slab") {
		t.Errorf("a Redis run reports slabs:\n%s", b.String())
	}
}
