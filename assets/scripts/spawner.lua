-- Spawns a mover every `self.every` seconds while fewer than `self.max_movers` live.
-- The spawning loop is a task: it waits on the world's virtual clock.
local arena = require("lib.arena")

local spawner = {}

function spawner.init(self)
  task.spawn(function()
    while true do
      task.wait(self.every)
      if arena.spawned - arena.expired < self.max_movers then
        arena.spawned = arena.spawned + 1
        world.spawn({
          name = "mover" .. arena.spawned,
          script = "scripts/mover.lua",
          props = { lifetime = arena.random(1.0, 4.0) },
          Position = { x = arena.width / 2, y = arena.height / 2 },
          Velocity = { x = arena.random(-60, 60), y = arena.random(-60, 60) },
        })
      end
    end
  end)
end

return spawner
