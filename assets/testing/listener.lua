-- Records every event it receives as "<tag>:<event>:<payload.n>:<sender tag or nil>".
local journal = require("testing.journal")

local listener = {}

local function record(self, event, payload, sender)
  local from = "nil"
  if sender then
    local s = sender:script("testing/listener.lua")
    from = s and s.tag or tostring(sender:id())
  end
  journal.add(string.format("%s:%s:%s:%s", self.tag, event, tostring(payload and payload.n), from))
end

function listener.ping(self, payload, sender)
  record(self, "ping", payload, sender)
end

function listener.pong(self, payload, sender)
  record(self, "pong", payload, sender)
end

-- Sends `payload.count` pings to `payload.to`, one per delivery, from inside delivery.
function listener.relay(self, payload, sender)
  record(self, "relay", payload, sender)
  if payload.n > 1 then
    payload.to:send("relay", { n = payload.n - 1, to = self.entity })
  end
end

function listener.die(self)
  self.entity:despawn()
end

function listener.final(self)
  journal.add(self.tag .. ":final")
  if self.on_final_send then
    self.on_final_send:send("ping", { n = 99 })
  end
end

return listener
