-- Ever-new unique event names: sent, broadcast, emitted, listened to.
local s = {}
local uid = 0
function s.init(self)
  self.conns = {}
end
function s.update(self, dt)
  for i = 1, 300 do
    uid = uid + 1
    local name = "u" .. uid
    pcall(world.broadcast, name, i)
    pcall(self.entity.send, self.entity, "v" .. uid, i)
    pcall(world.emit, "m" .. uid, { i = i })
    local ok, c = pcall(self.on, self, "h" .. uid, function(self, p) self.got = p end)
    if ok and i % 2 == 0 then c:disconnect() end
  end
end
function s.fixed_update(self, dt)
  uid = uid + 1
  world.broadcast("f" .. uid .. string.rep("z", uid % 900))
end
return s
