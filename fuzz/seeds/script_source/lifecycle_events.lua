-- Lifecycle names used as events: refused at the call (they raise).
local s = {}
local names = { "init", "update", "fixed_update", "final", "on_reload" }
function s.init(self)
  for _, n in ipairs(names) do
    pcall(self.entity.send, self.entity, n, "x")
    pcall(world.broadcast, n, "x")
    pcall(world.emit, n, {})
    pcall(self.on, self, n, function(self, a) self.last = n end)
  end
end
function s.update(self, dt)
  local other = world.spawn({ script = "fuzz.lua", props = { n = 2 } })
  other:send("init")
end
function s.fixed_update(self, dt)
  world.broadcast("update", dt)
end
function s.final(self)
  world.broadcast("final")
end
function s.on_reload(self) self.entity:send("on_reload") end
return s
