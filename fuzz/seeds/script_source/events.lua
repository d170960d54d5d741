local s = {}
function s.init(self)
  self.got = {}
  self.conn = self:on("tick", function(self, payload, sender)
    self.got[#self.got + 1] = payload and payload.n
    if #self.got >= 3 then self.conn:disconnect() end
  end)
end
function s.update(self, dt)
  world.broadcast("tick", { n = time.frame })
  self.entity:send("ping", { n = self.n })
  world.emit("fuzz", { frame = time.frame, dt = time.dt, elapsed = time.elapsed })
end
function s.ping(self, payload, sender) self.pings = (self.pings or 0) + 1 end
return s
