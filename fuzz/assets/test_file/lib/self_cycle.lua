return require("lib.self_cycle")
