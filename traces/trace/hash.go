package trace

// SpatialHash mixes a key into a uniformly distributed 64-bit value (the
// murmur3 finaliser): sampling by key hash keeps a random subset of the keys
// even when the keys are sequential block numbers, and the generators and
// instance assignment use it wherever a key must decide something at random.
func SpatialHash(key uint64) uint64 {
	key ^= key >> 33
	key *= 0xff51afd7ed558ccd
	key ^= key >> 33
	key *= 0xc4ceb9fe1a85ec53
	key ^= key >> 33
	return key
}
