-- Bounces inside the arena; despawns itself when its lifetime runs out.
local arena = require("lib.arena")

local mover = {}

function mover.init(self)
  self.age = 0
  self.bounces = 0
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
  end
end

function mover.update(self, dt)
  self.age = self.age + dt
  if self.age >= self.lifetime then
    self.entity:despawn()
  end
end

function mover.final(self)
  arena.expired = arena.expired + 1
end

return mover
