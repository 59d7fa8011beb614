package system

// Setting names a setting of a system simulation in a ConfigError, so that
// a caller can word the error with its own name for the setting (a
// command-line flag, a key of a configuration file).
type Setting string

// The settings a ConfigError may name.
const (
	SettingLevels             Setting = "levels"              // Config.Levels, ParseLevels
	SettingInstances          Setting = "instances"           // Config.Instances
	SettingAssign             Setting = "assign"              // Config.Assign, ParseAssignment
	SettingExclusive          Setting = "exclusive"           // Config.Exclusive
	SettingStampede           Setting = "stampede"            // Config.Stampede, ParseStampede
	SettingBeta               Setting = "beta"                // Config.Beta
	SettingWrites             Setting = "write policy"        // Config.Writes, ParseWritePolicy
	SettingFlushInterval      Setting = "flush interval"      // Config.FlushInterval
	SettingInvalidationDelay  Setting = "invalidation delay"  // Config.InvalidationDelay
	SettingInvalidationPeriod Setting = "invalidation period" // Config.InvalidateEvery
	SettingDipWindow          Setting = "dip window"          // Config.DipWindow
	SettingWarmup             Setting = "warm-up"             // Config.Warmup
	SettingPrewarm            Setting = "prewarm"             // ParsePrewarm
	SettingVary               Setting = "vary"                // SweepOptions.Vary
)

// ConfigError is a setting that is malformed, out of bounds, or cannot run
// on the trace at hand. Its text names the setting in words ("instances:
// 10000000 exceeds the maximum of 10000 (…)"); callers that know the
// setting by another name reword it from Setting and Problem.
type ConfigError struct {
	Setting Setting
	// Problem says what is wrong, starting with the value given when it
	// matters, and how to fix it.
	Problem string
}

func (e *ConfigError) Error() string { return string(e.Setting) + ": " + e.Problem }

// MaxInstances bounds Config.Instances. Each instance holds a private
// first level: an empty cache takes 0.4 to 7 KB depending on the policy
// (a sketch sized for a large capacity, up to megabytes), and every write
// invalidates the key in every other instance's first level, so memory and
// the work per write grow with the instances. Ten thousand covers fleets
// of thousands of replicas, and keeps the empty first levels of the common
// policies under 100 MB.
const MaxInstances = 10_000

// MaxLevels bounds the levels of a hierarchy: every request may look up
// each one, and real hierarchies have two to four.
const MaxLevels = 16
