-- Sends events from `update` as configured in props: `self.sends` is a list of
-- { to = <entity or nil for broadcast>, event = <name>, n = <number> }.
local sender = {}

function sender.update(self, dt)
  for _, s in ipairs(self.sends or {}) do
    if s.to then
      s.to:send(s.event, { n = s.n })
    else
      world.broadcast(s.event, { n = s.n })
    end
  end
  self.sends = nil
end

return sender
