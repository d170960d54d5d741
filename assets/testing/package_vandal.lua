-- Writes everything `package` lets a script reach; none of it may change what other
-- scripts, modules or tests see.
local function vandalise()
  pcall(function() package.loaded.string.format = nil end)
  pcall(function() package.loaded.table.insert = nil end)
  package.config = "poison"
  package.path = "/tmp/?.lua"
  package.loaded["testing.journal"] = "poison"
  package.loaded.injected = { evil = true }
  package.loaded.package = "poison"
  package.loaded.math = nil
end

vandalise()

local vandal = {}

function vandal.init(self)
  vandalise()
  self.done = true
end

return vandal
