local a = require("lib/cycle_a")
return { a = a }
