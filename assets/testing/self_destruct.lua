-- Despawns its own entity in the first update after `self.after` updates.
local journal = require("testing.journal")

local self_destruct = {}

function self_destruct.init(self)
  self.count = 0
  self.after = self.after or 0
end

function self_destruct.update(self, dt)
  journal.add("sd:update")
  if self.count >= self.after then
    self.entity:despawn()
    self.entity:despawn() -- idempotent
    journal.add(self.entity:alive() and "sd:alive" or "sd:dead")
  end
  self.count = self.count + 1
end

function self_destruct.final(self)
  journal.add("sd:final")
end

return self_destruct
