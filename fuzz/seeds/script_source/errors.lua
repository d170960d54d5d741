local s = {}
local function recurse(n) if n > 200 then error("deep") end return recurse(n + 1) + 1 end
local loop = setmetatable({}, { __index = function(t, k) return t[k] end }) -- C stack overflow
function s.init(self)
  self.entity:attach("fuzz.lua", { nested = true })
  if self.nested then error({ "a table error" }) end
end
function s.update(self, dt)
  pcall(recurse, 1)
  pcall(function() return loop.x end)
  local ok, err = pcall(function() return self.entity:get("NoSuchComponent") end)
  local big = string.rep("x", 1 << 16)
  self.big = (self.big or "") .. big
  if time.frame > 2 then error("boom at frame " .. time.frame) end
end
function s.fixed_update(self, dt)
  local e = world.spawn({})
  e:despawn()
  pcall(e.get, e, "Position")
end
function s.final(self) error(setmetatable({}, { __tostring = function() return "final error" end })) end
return s
