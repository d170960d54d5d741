-- Logs the tally every `self.every` seconds (visible with CRESCENT_LOG=info).
local arena = require("lib.arena")

local scoreboard = {}

function scoreboard.init(self)
  self.next_report = self.every
end

function scoreboard.update(self, dt)
  if time.elapsed >= self.next_report then
    self.next_report = self.next_report + self.every
    log.info(string.format(
      "t=%.1fs frame %d: %d spawned, %d expired, %d entities",
      time.elapsed, time.frame, arena.spawned, arena.expired, world.count()
    ))
  end
end

return scoreboard
