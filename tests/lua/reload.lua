-- Hot reload through t:reload, the same path the file watcher takes.

local V2 = [[
local shared = require("testing.shared_mod")
local M = {}
function M.init(self) self.version = 2 end
function M.update(self, dt) self.updates = self.updates + 10 self.greeting = shared.greet() end
function M.fixed_update(self, dt) self.fixed = (self.fixed or 0) + 1 end
function M.on_reload(self) self.reloaded = (self.reloaded or 0) + 1 self.version = "2r" end
return M
]]

test("reload keeps self, swaps handlers and calls on_reload", function(t)
  local e = world.spawn({ script = "testing/reloadable.lua", props = { tag = "x" } })
  t:step(2)
  local s = e:script("testing/reloadable.lua")
  t:eq(s.updates, 2)
  t:eq(t:reload("testing/reloadable.lua", V2), true)
  t:ok(e:script("testing/reloadable.lua") == s, "the same self")
  t:eq(s.reloaded, 1)
  t:eq(s.version, "2r", "init does not run again")
  t:eq(s.tag, "x")
  t:step(1)
  t:eq(s.updates, 12, "the new update runs")
  t:eq(s.fixed, 1, "a handler that appeared takes effect")
end)

test("new instances use the reloaded source", function(t)
  t:reload("testing/reloadable.lua", V2)
  local e = world.spawn({ script = "testing/reloadable.lua" })
  t:step(1)
  t:eq(e:script("testing/reloadable.lua").version, 2)
end)

test("handlers that disappear stop", function(t)
  local e = world.spawn({ script = "testing/reloadable.lua" })
  t:step(1)
  t:reload("testing/reloadable.lua", "return { init = function(self) end }")
  t:step(3)
  t:eq(e:script("testing/reloadable.lua").updates, 1)
end)

test("a broken reload keeps the old handlers and reports file:line", function(t)
  local e = world.spawn({ script = "testing/reloadable.lua" })
  t:step(1)
  t:reload("testing/reloadable.lua", "local M = {}\nfunction M.update(self\nreturn M\n")
  t:step(1)
  t:eq(e:script("testing/reloadable.lua").updates, 2, "old update still runs")
  local errors = t:errors()
  t:eq(#errors, 1)
  t:eq(errors[1].event, "reload")
  t:eq(errors[1].script, "testing/reloadable.lua")
  t:ok(errors[1].message:find("testing/reloadable.lua:3:", 1, true), errors[1].message)
  t:reload("testing/reloadable.lua", "return 5")
  t:ok(t:errors()[2].message:find("must return a table", 1, true))
end)

test("dynamic handlers and tasks survive a reload", function(t)
  local e = world.spawn({ script = "testing/reloadable.lua" })
  t:step(1)
  local s = e:script("testing/reloadable.lua")
  local pings, ticks = 0, 0
  s:on("ping", function() pings = pings + 1 end)
  task.spawn(function() end)
  t:reload("testing/reloadable.lua", V2)
  e:send("ping")
  t:step(1)
  t:eq(pings, 1)
end)

test("a reloaded module keeps its data and its users see the new functions", function(t)
  local e = world.spawn({ script = "testing/reloadable.lua" })
  t:step(3)
  t:eq(require("testing.shared_mod").count, 3)
  t:reload("testing/shared_mod.lua", [[
local M = { count = 0 }
function M.greet() M.count = M.count + 100 return "hi" end
return M
]])
  local s = e:script("testing/reloadable.lua")
  t:eq(s.reloaded, nil, "v1 has no on_reload, but the script was reloaded")
  t:step(1)
  t:eq(s.greeting, "hi", "the script that required it reloaded")
  t:eq(s.updates, 4, "and kept its self")
  t:eq(require("testing.shared_mod").count, 103, "data carried over; the new function updated it")
end)
