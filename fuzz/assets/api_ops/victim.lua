-- The bystander of the api_ops target: checks every frame that its view of the shared
-- tables is what it was, that its own handlers are called the way the runtime calls
-- them, and that its tasks are resumed by the scheduler only. What it finds goes to
-- self.bad; the target reads it after the frames and panics if it is not empty.
-- Not in the view: the fields of a module table (`util.inc`): a module is one table
-- shared by every script that requires it (by design: modules are how scripts share
-- state), so another script may change them.
local util = require("lib.util")
local function view()
  -- pcall: a refused read is a stable answer too
  return table.concat({
    type(string.format), type(package.loaded.string.format), tostring(package.config),
    tostring(package.path), type(table.insert), type(coroutine.resume),
    type(require("string").rep), tostring(package.loaded.injected),
    tostring(rawequal(require("lib/util"), util)), ("x"):upper(), type(math.floor),
    select(2, pcall(function() return tostring(getmetatable("").__index == string) end)),
  }, "|")
end
local victim = {}
function victim.init(self)
  self.bad = {}
  self.view = view()
  self.inits = (self.inits or 0) + 1
  if self.inits > 1 then self.bad[#self.bad + 1] = "init ran twice" end
end
function victim.update(self, dt)
  if type(dt) ~= "number" then self.bad[#self.bad + 1] = "update got dt " .. tostring(dt) end
  local now = view()
  if now ~= self.view then self.bad[#self.bad + 1] = "view changed: " .. now end
  task.spawn(function()
    local waited = task.wait(0)
    if type(waited) ~= "number" then self.bad[#self.bad + 1] = "task got " .. tostring(waited) end
  end)
end
function victim.fixed_update(self, dt)
  if type(dt) ~= "number" then self.bad[#self.bad + 1] = "fixed_update got dt " .. tostring(dt) end
end
function victim.final(self)
  world.emit("victim_final", {})
end
return victim
