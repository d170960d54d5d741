local b = require("lib.cycle_b")
return { b = b }
