-- Requires cycle_b, which requires this module back: a cycle.
local b = require("testing.cycle_b")
return { b = b }
