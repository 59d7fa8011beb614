package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/cachesim/cachesim/sim"
)

// maxMemory parses --max-memory; "" means half of the machine's memory.
func maxMemory(flag string) (int64, error) {
	if flag == "" {
		return physicalMemory() / 2, nil
	}
	v, err := sim.ParseSize(flag)
	if err != nil || (!v.Bytes() && v.N != 0) {
		return 0, fmt.Errorf("--max-memory %q: expected a size with a unit, e.g. 4GiB (0: no bound)", flag)
	}
	return v.N, nil
}

// physicalMemory returns the machine's memory from /proc/meminfo, or 4 GiB
// where that cannot be read.
func physicalMemory() int64 {
	const fallback = 4 << 30
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return fallback
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "MemTotal:" {
			if kb, err := strconv.ParseInt(fields[1], 10, 64); err == nil {
				return kb << 10
			}
		}
	}
	return fallback
}
