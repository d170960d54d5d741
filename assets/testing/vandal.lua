-- Tries to break the built-ins for everyone else; each attempt must stay in this script.
local vandal = {}

function vandal.init(self)
  string.format = nil
  math.floor = function() return "vandalised" end
  rawset(string, "rep", nil)
  table.insert = nil
  world.spawn = nil
  print = nil
  _G.pairs = nil
  rawset(_G, "ipairs", nil)
  self.string_meta = getmetatable("")
  self.env_meta = getmetatable(_G)
  self.ok = pcall(function() getmetatable("").__index.upper = nil end)
  local copy = require("string")
  copy.lower = nil
  package.loaded.string = { fake = true }
end

return vandal
