package workload_test

import (
	"errors"
	"fmt"
	"io"

	"github.com/cachesim/cachesim/traces/trace"
	"github.com/cachesim/cachesim/workload"
)

// Parse a spec and read its requests. A loop requests keys start,
// start+1, …, start+keys-1 in order, over and over; String writes the spec
// back with the request count and the seed, whose defaults it makes
// explicit.
func ExampleParse() {
	w, err := workload.Parse("loop:requests=7,keys=3,start=10,size=100")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(w)
	fmt.Printf("%d requests, fields %+v\n", w.Requests(), w.Fields())
	r, err := w.Reader()
	if err != nil {
		fmt.Println(err)
		return
	}
	var req trace.Request
	var keys []uint64
	sizes := map[uint32]int{} // requests per size
	for {
		if err := r.Read(&req); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			fmt.Println(err)
			return
		}
		keys = append(keys, req.Key)
		sizes[req.Size]++
	}
	fmt.Println(keys, sizes)
	// Output:
	// loop:keys=3,start=10,requests=7,size=100,seed=42
	// 7 requests, fields {Time:false Size:true TTL:false Op:false Latency:false Marks:false Tenant:false Tokens:false}
	// [10 11 12 10 11 12 10] map[100:7]
}
