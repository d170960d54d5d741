local util = require("lib.util")
local helper = {}
function helper.init(self)
  self.n = self.n or 0
  self.conn = self:on("poke", function(self, payload) self.n = self.n + 1 end)
  task.delay(0.05, function() self.delayed = true end)
end
function helper.update(self, dt) self.n = util.inc(self.n) end
function helper.fixed_update(self, dt) self.fixed = (self.fixed or 0) + 1 end
function helper.ping(self, payload, sender)
  if sender then sender:send("pong", payload) end
end
function helper.final(self) world.emit("helper_final", { n = self.n }) end
return helper
