-- The other half of the cycle (see cycle_a.lua).
local a = require("testing.cycle_a")
return { a = a }
