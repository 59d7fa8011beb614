package sim

// shardsCurve for the tests of package sim_test.
var SHARDSCurve = shardsCurve
