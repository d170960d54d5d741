-- Writes to tables that look shared: package.loaded, package.path, the string library.
local s = {}
function s.init(self)
  pcall(function() package.loaded.string.format = nil end)
  pcall(function() package.loaded.injected = "poison" end)
  pcall(function() package.path = "/etc/?;" .. string.rep("?", 4096) end)
  pcall(function() package.config = "poison"; package.cpath = "?.so" end)
  pcall(function() string.x = 1; string.rep = nil; string.format = print end)
  pcall(function() getmetatable("").__index = { len = function() return -1 end } end)
  pcall(function() getmetatable("").__index.upper = nil end)
  pcall(function() table.insert = nil; math.floor = nil; coroutine.resume = nil end)
  pcall(function() package.loaded.package = nil; package.loaded.fuzz = false end)
  pcall(function() package.searchers = {} ; package.preload.evil = function() return 1 end end)
  pcall(function() setmetatable(package.loaded, { __index = function() return 1 end }) end)
  pcall(function() _G.world = nil; _ENV.task = nil end)
  pcall(require, "evil")
  pcall(require, "string")
end
function s.update(self, dt)
  self.view = table.concat({ type(string.format), tostring(package.path), type(require("string").rep) }, "|")
  package = nil
  pcall(require, "fuzz")
end
return s
