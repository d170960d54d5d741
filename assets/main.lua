-- The crescent demo: a spawner keeps a swarm of movers alive inside an arena.
-- Movers bounce off the walls (the Rust movement system moves them, their scripts
-- steer), send the scoreboard an event per bounce, and despawn themselves when a
-- delayed task fires; the scoreboard tallies it all from a task of its own.
-- Run it with `cargo run --release -- run` and read the report.

local arena = require("lib.arena")

world.spawn({
  name = "scoreboard",
  script = "scripts/scoreboard.lua",
  props = { every = 2.0 },
})

world.spawn({
  name = "spawner",
  script = "scripts/spawner.lua",
  props = { max_movers = 40, every = 0.1 },
})

log.info(string.format("demo ready: arena %dx%d", arena.width, arena.height))
