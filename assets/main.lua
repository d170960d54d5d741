-- The crescent demo: a spawner keeps a swarm of movers alive inside an arena.
-- Movers bounce off the walls (the Rust movement system moves them, their scripts
-- steer), live a few seconds, then despawn themselves; the scoreboard tallies them.
-- Run it with `cargo run --release -- run` and read the report.

local arena = require("lib.arena")

world.spawn({
  name = "spawner",
  script = "scripts/spawner.lua",
  props = { max_movers = 40, every = 0.1 },
})

world.spawn({
  name = "scoreboard",
  script = "scripts/scoreboard.lua",
  props = { every = 2.0 },
})

log.info(string.format("demo ready: arena %dx%d", arena.width, arena.height))
