-- Bounces inside the arena (the Rust movement system moves it; this script steers),
-- tells the scoreboard about each bounce, and despawns itself when its lifetime is up.
local arena = require("lib.arena")

local mover = {}

function mover.init(self)
  self.bounces = 0
  self.scoreboard = world.find("scoreboard")
  task.delay(self.lifetime, function()
    self.entity:despawn()
  end)
end

function mover.fixed_update(self, dt)
  local p = self.entity:get("Position")
  local v = self.entity:get("Velocity")
  local bounced = false
  if (p.x < 0 and v.x < 0) or (p.x > arena.width and v.x > 0) then
    v.x = -v.x
    bounced = true
  end
  if (p.y < 0 and v.y < 0) or (p.y > arena.height and v.y > 0) then
    v.y = -v.y
    bounced = true
  end
  if bounced then
    self.bounces = self.bounces + 1
    self.entity:set("Velocity", v)
    if self.scoreboard then
      self.scoreboard:send("bounced", { bounces = self.bounces })
    end
  end
end

function mover.final(self)
  arena.expired = arena.expired + 1
  world.emit("mover_expired", { bounces = self.bounces })
end

return mover
