-- Counts the movers' bounces (events) and logs a tally every `self.every` seconds
-- (visible with CRESCENT_LOG=info).
local arena = require("lib.arena")

local scoreboard = {}

function scoreboard.init(self)
  self.bounces = 0
  task.spawn(function()
    while true do
      task.wait(self.every)
      log.info(string.format(
        "t=%.1fs frame %d: %d spawned, %d expired, %d bounces, %d entities",
        time.elapsed, time.frame, arena.spawned, arena.expired, self.bounces, world.count()
      ))
    end
  end)
end

function scoreboard.bounced(self, payload, sender)
  self.bounces = self.bounces + 1
end

return scoreboard
