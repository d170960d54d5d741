-- A hostile script's tricks: lifecycle names as events, oversized names and payloads,
-- driving another task's coroutine, poisoning `package`, aliased and cyclic modules.

local journal = require("testing.journal")

local function messages(t)
  local out = {}
  for _, e in ipairs(t:errors()) do
    out[#out + 1] = e.message
  end
  return out
end

test("lifecycle handler names cannot be sent or broadcast", function(t)
  journal.clear()
  local e = world.spawn({ script = "testing/recorder.lua", props = { tag = "r" } })
  t:step(1)
  journal.clear()
  local refused = "is a lifecycle handler, not an event; it cannot be sent or broadcast"
  t:raises(function() e:send("final") end, "e:send: 'final' " .. refused)
  t:raises(function() e:send("init") end, "e:send: 'init' " .. refused)
  t:raises(function() e:send("on_reload") end, "e:send: 'on_reload' " .. refused)
  t:raises(function() world.broadcast("update", "x") end, "world.broadcast: 'update' " .. refused)
  t:raises(function() world.broadcast("fixed_update") end, "world.broadcast: 'fixed_update' " .. refused)
  t:step(1)
  t:eq(journal.count("r:final"), 0, "final did not run on a live entity")
  t:eq(journal.count("r:init"), 0, "init did not run again")
  t:eq(journal.count("r:update"), 1, "update ran once, from the frame")
  t:eq(#t:errors(), 0, "refused at the call, nothing left to report")
end)

test("names longer than max_name_bytes are refused", function(t)
  local long = string.rep("x", 2000)
  local e = world.spawn({ script = "testing/counter.lua" })
  t:step(1)
  t:raises(function() e:send(long) end,
    "e:send: event name 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...': 2000 bytes exceeds the limit max_name_bytes = 1024")
  t:raises(function() world.broadcast(long) end,
    "world.broadcast: event name 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...': 2000 bytes exceeds the limit max_name_bytes = 1024")
  local self_ = e:script("testing/counter.lua")
  t:raises(function() self_:on(long, function() end) end,
    "event name 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...': 2000 bytes exceeds the limit max_name_bytes = 1024")
  t:raises(function() world.spawn({ name = long }) end,
    "world.spawn: name 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...': 2000 bytes exceeds the limit max_name_bytes = 1024")
  t:raises(function() world.spawn({}):set("Name", long) end,
    "e:set: Name 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...': 2000 bytes exceeds the limit max_name_bytes = 1024")
  t:raises(function() world.emit(long, {}) end,
    "world.emit: message name 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...': 2000 bytes exceeds the limit max_name_bytes = 1024")
end)

test("world.emit refuses payloads over max_payload_bytes", function(t)
  world.emit("small", { text = string.rep("x", 1000) })
  t:raises(function() world.emit("big", { text = string.rep("x", 2 * 1024 * 1024) }) end,
    "world.emit('big'): the payload: more than 1048576 bytes exceeds the limit max_payload_bytes = 1048576")
  local wide = {}
  for i = 1, 200000 do wide[i] = i end
  t:raises(function() world.emit("wide", wide) end, "max_payload_bytes")
end)

test("load refuses a chunk over max_source_bytes, even one read piece by piece", function(t)
  local piece = "--" .. string.rep("x", 1024 * 1024 - 3) .. "\n"
  local n = 0
  local function reader()
    n = n + 1
    if n > 20 then return nil end
    return piece
  end
  t:raises(function() load(reader) end,
    "load: the chunk: 17825792 bytes or more exceeds the limit max_source_bytes = 16777216")
  t:eq(n, 17, "the reader is not called past the limit")
  t:eq(load("return 1")(), 1)
end)

test("a task's coroutine cannot be resumed or closed by script code", function(t)
  local kept, resumed
  task.spawn(function()
    kept = coroutine.running()
    resumed = task.wait(1)
  end)
  t:eq(coroutine.status(kept), "suspended")
  t:raises(function() coroutine.resume(kept, "injected") end,
    "coroutine.resume: this coroutine is a task; only the task scheduler resumes it")
  t:raises(function() coroutine.close(kept) end,
    "coroutine.close: this coroutine is a task; stop it with task.cancel")
  t:step(60)
  t:near(resumed, 1.0, 1e-6, "the task got the scheduler's value, not the injected one")
  t:eq(coroutine.status(kept), "dead")
  local next_thread
  task.spawn(function() next_thread = coroutine.running() end)
  t:ok(not rawequal(next_thread, kept), "a finished task's thread is not reused")
  -- Ordinary coroutines are still the script's own to drive.
  local co = coroutine.create(function(x) return x * 2 end)
  t:eq(select(2, coroutine.resume(co, 21)), 42)
  t:eq(coroutine.close(coroutine.create(function() end)), true)
end)

test("package is each script's own: writes do not reach other scripts", function(t)
  world.spawn({ script = "testing/package_vandal.lua" })
  local reader = world.spawn({ script = "testing/package_reader.lua" })
  t:step(1)
  local seen = reader:script("testing/package_reader.lua")
  t:eq(seen.format, "function")
  t:eq(seen.insert, "function")
  t:eq(seen.config, "/\n;\n?\n!\n-\n")
  t:eq(seen.path, "?.lua")
  t:eq(seen.journal, "table")
  t:eq(seen.injected, nil)
  t:eq(seen.same_string, true)
  t:eq(seen.math, "table")
  t:eq(type(package.loaded.string.format), "function")
  t:ok(rawequal(package.loaded["testing.journal"], require("testing.journal")))
  t:eq(package.loaded.injected, nil)
  t:eq(getmetatable(package.loaded), false, "the modules table behind package.loaded is hidden")
  t:eq(#t:errors(), 0)
end)

test("a module has one name whatever the spelling", function(t)
  t:ok(rawequal(require("testing/journal"), require("testing.journal")))
  t:ok(rawequal(package.loaded["testing.journal"], require("testing/journal")))
  t:eq(package.loaded["testing/journal"], nil, "loaded under its canonical name only")
  for _, name in ipairs({ "testing.//journal", "testing..journal", ".testing.journal", "testing.journal." }) do
    t:raises(function() require(name) end,
      "invalid script path '" .. name .. "': modules are named like 'a.b' (non-empty segments")
  end
end)

test("a cyclic require says so", function(t)
  t:raises(function() require("testing.cycle_a") end,
    "cyclic require of 'testing.cycle_a': testing/cycle_a.lua -> testing/cycle_b.lua -> testing/cycle_a.lua")
end)

test("print runs __tostring whatever the log level", function(t)
  local calls = 0
  print(setmetatable({}, { __tostring = function() calls = calls + 1 return "x" end }))
  t:eq(calls, 1)
end)

test("self:on with a lifecycle name is a lifecycle handler, called by the runtime only", function(t)
  local log = {}
  local e = world.spawn({ script = "testing/counter.lua" })
  t:step(1)
  local s = e:script("testing/counter.lua")
  s:on("update", function(self, dt) log[#log + 1] = "update " .. type(dt) end)
  s:on("final", function(self) log[#log + 1] = "final" end)
  s:on("init", function(self) log[#log + 1] = "init" end)
  t:step(1)
  e:despawn()
  t:step(1)
  t:eq(log, { "update number", "final" })
end)

test("a script that clears its own copy of a library finds nothing behind it", function(t)
  string, package, coroutine, time = nil, nil, nil, nil
  t:eq(string, nil, "not the shared string table")
  t:eq(package, nil, "not the shared package")
  t:eq(coroutine, nil)
  t:eq(time, nil, "not the clock every script reads")
  t:eq(("x"):upper(), "X", "the string methods every script uses are untouched")
  t:eq(type(print), "function", "shared functions stay reachable")
end)

test("an instance holds at most MAX_HANDLERS_PER_INSTANCE handlers", function(t)
  local e = world.spawn({ script = "testing/counter.lua" })
  t:step(1)
  local s = e:script("testing/counter.lua")
  local f = function() end
  local n = 0
  local ok = true
  while ok and n < 70000 do
    -- small stretches: a debug build on a loaded CI core must stay well inside 50 ms
    for _ = 1, 1000 do
      ok = pcall(s.on, s, "same", f)
      if not ok then break end
      n = n + 1
    end
    t:step(1) -- each stretch (and frame) of a test has its own budget
  end
  t:raises(function() s:on("same", f) end,
    "self:on: this script instance's handlers: 65536 handlers exceeds the limit MAX_HANDLERS_PER_INSTANCE = 65536")
  t:ok(n > 60000 and n <= 65536, n)
end)
