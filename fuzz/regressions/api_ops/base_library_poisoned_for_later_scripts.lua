-- Found while minimising package_nil_reaches_shared_modules.lua (same root cause).
-- Replay: see ../README.md (api_ops row): this is fuzz.lua, next to victim.lua; the
-- finding is reported through the bystander's `bad` list, which the replay checks.
--
-- What goes wrong: after `coroutine = nil`, `coroutine` names the shared base table from
-- which every new environment copies its libraries; replacing `coroutine.resume` there
-- gives every script spawned afterwards the attacker's function (here it returns
-- "hijacked"; it could just as well run anything, inside the victim's calls). Likewise
-- `time = nil` then `time.dt = ...` writes into the shared clock table: scripts that run
-- later in the same frame read the attacker's time.dt / time.frame.
--
-- Expected once fixed: the late instance sees the real `coroutine.resume` and time, so
-- it reports nothing.
local s = {}
local function report(what)
  local v = world.find("victim")
  local b = v and v:script("victim.lua")
  if b and b.bad then b.bad[#b.bad + 1] = what end
end
function s.init(self)
  if self.late then
    local ok, r = coroutine.resume(coroutine.create(function() return "real" end))
    if r ~= "real" then report("a later script's coroutine.resume returned " .. tostring(r)) end
  end
end
function s.update(self, dt)
  if self.late then
    if time.dt ~= dt then report("time.dt is " .. tostring(time.dt) .. ", dt is " .. tostring(dt)) end
    return
  end
  if self.n == nil and not self.done then
    self.done = true
    coroutine = nil
    pcall(function() coroutine.resume = function() return true, "hijacked" end end)
    world.spawn({ script = "fuzz.lua", props = { late = true } })
  end
  if self.n == nil then
    time = nil
    pcall(function() time.dt = 1234 end)
  end
end
return s
