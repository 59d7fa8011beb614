package traces_test

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cachesim/cachesim/traces"
	"github.com/cachesim/cachesim/traces/trace"
)

// Open a CSV trace and stream its requests. The format comes from the
// name; with AutoColumns the header's names set the columns. Times count
// from the first request, in seconds by default; a decimal key is used as
// it is.
func ExampleOpen() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "requests.csv")
	csv := "time,key,size,op\n100,42,512,get\n100.5,7,2048,set\n102,42,512,get\n"
	if err := os.WriteFile(path, []byte(csv), 0o644); err != nil {
		fmt.Println(err)
		return
	}
	f, err := traces.Open(path, traces.Options{Line: traces.LineOptions{AutoColumns: true}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	var r trace.Request
	for {
		if err := f.Read(&r); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%v %v key %d, %d bytes\n", time.Duration(r.Time), r.Op, r.Key, r.Size)
	}
	fmt.Printf("%s, fields %+v\n", f.Format, f.Fields())
	// Output:
	// 0s get key 42, 512 bytes
	// 500ms set key 7, 2048 bytes
	// 2s get key 42, 512 bytes
	// csv, fields {Time:true Size:true TTL:false Op:true Latency:false Marks:false Tenant:false Tokens:false}
}

// NewFile reads a stream that is already open; the name only guides the
// format detection (here one key per line) and error messages. ReadAll
// loads it into the columnar Trace a sweep shares.
func ExampleNewFile() {
	f, err := traces.NewFile("keys.txt", strings.NewReader("1\n2\n1\n3\n"), traces.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	t, err := traces.ReadAll("keys.txt", f)
	if err != nil {
		fmt.Println(err)
		return
	}
	var r trace.Request
	var keys []uint64
	for i := range t.Len() {
		t.At(i, &r)
		keys = append(keys, r.Key)
	}
	fmt.Println(f.Format, keys)
	// Output:
	// text [1 2 1 3]
}
