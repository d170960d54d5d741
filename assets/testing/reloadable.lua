-- Version 1 of a script the reload tests replace.
local shared = require("testing.shared_mod")

local M = {}

function M.init(self)
  self.version = 1
  self.updates = 0
end

function M.update(self, dt)
  self.updates = self.updates + 1
  self.greeting = shared.greet()
end

return M
