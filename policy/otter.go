package policy

func init() {
	Register(Info{
		Name: "otter",
		Summary: "models the Go cache library otter v2 (github.com/maypok86/otter/v2, checked against v2.4.0) with " +
			"MaximumSize set to the capacity: Caffeine's adaptive W-TinyLFU as wtinylfu, with otter's defaults " +
			"(1% window, 80% protected, the simple hill climber); Weigher caches are modelled by byte capacities",
		Traits: Randomised,
		Params: []Param{
			BoolParam("initial-capacity", false, "the cache is built with InitialCapacity equal to MaximumSize: its "+
				"frequency sketch counts from the first request, not from when the cache is half full"),
		},
		New: func(c Config) (Cache, error) {
			return newWTinyLFU(c.Capacity, wtinylfuOptions{
				Climber:   "simple",
				Window:    0.01,
				Protected: 0.8,
				Presized:  c.Values.Bool("initial-capacity"),
				Seed:      c.Seed,
			}), nil
		},
	})
}
