-- Huge names: entity names, Name sets, event names, world.emit names and payloads.
local s = {}
local long = string.rep("n", 5000)
function s.init(self)
  pcall(world.spawn, { name = long })
  pcall(world.spawn, { name = string.rep("\0", 1025), script = "fuzz.lua" })
  local e = world.spawn({ name = "short" })
  pcall(e.set, e, "Name", long)
  pcall(e.send, e, long, { x = 1 })
  pcall(world.broadcast, long, long)
  pcall(world.emit, long, {})
  pcall(world.emit, "big", { text = string.rep("x", 2 * 1024 * 1024) })
  pcall(self.on, self, long, function() end)
  pcall(world.find, long)
end
function s.update(self, dt)
  local n = string.rep("e", 1000 + time.frame * 8)
  pcall(self.entity.send, self.entity, n, n)
  pcall(world.broadcast, n, { n = n })
  pcall(world.emit, n, { [n] = n })
  local wide = {}
  for i = 1, 5000 do wide[i] = { i, tostring(i) } end
  pcall(world.emit, "wide", wide)
end
return s
