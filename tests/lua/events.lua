-- Events: send, broadcast, FIFO order, same-frame delivery, senders, dynamic handlers.
local journal = require("testing.journal")

local function listener(tag, extra)
  local props = { tag = tag }
  for k, v in pairs(extra or {}) do props[k] = v end
  return world.spawn({ name = tag, script = "testing/listener.lua", props = props })
end

test("events sent in update arrive the same frame, after update, in FIFO order, with the sender", function(t)
  local a = listener("a")
  local b = listener("b")
  world.spawn({ script = { "testing/sender.lua", "testing/listener.lua" }, props = { tag = "s", sends = {
    { to = a, event = "ping", n = 1 },
    { to = b, event = "pong", n = 2 },
    { to = a, event = "pong", n = 3 },
  } } })
  t:step(1)
  t:eq(journal.entries, { "a:ping:1:s", "b:pong:2:s", "a:pong:3:s" })
end)

test("broadcast reaches every subscriber in spawn order, and only subscribers", function(t)
  listener("a")
  world.spawn({ script = "testing/counter.lua" }) -- no ping handler
  listener("b")
  t:step(1)
  world.broadcast("ping", { n = 7 })
  t:step(1)
  t:eq(journal.entries, { "a:ping:7:nil", "b:ping:7:nil" })
end)

test("events sent while delivering are delivered in the same frame", function(t)
  local a = listener("a")
  local b = listener("b")
  t:step(1)
  a:send("relay", { n = 4, to = b })
  t:step(1)
  t:eq(journal.entries, { "a:relay:4:nil", "b:relay:3:a", "a:relay:2:b", "b:relay:1:a" })
end)

test("events to a despawned or despawning entity are dropped", function(t)
  local a = listener("a")
  local b = listener("b")
  t:step(1)
  a:despawn()
  a:send("ping", { n = 1 })
  b:send("ping", { n = 2 })
  t:step(1)
  -- Despawned between frames: gone (final called) before the next frame's events.
  t:eq(journal.entries, { "a:final", "b:ping:2:nil" })
  a:send("ping", { n = 3 })
  t:step(1)
  t:eq(journal.count("a:ping:3:nil"), 0)
end)

test("events sent from final are delivered in the next frame", function(t)
  local b = listener("b")
  local a = listener("a", { on_final_send = b })
  t:step(1)
  a:send("die")
  t:step(1)
  t:eq(journal.entries, { "a:final" })
  t:step(1)
  t:eq(#journal.entries, 2)
  t:ok(journal.entries[2]:find("^b:ping:99:"), journal.entries[2])
end)

test("self:on adds a handler; disconnect removes it and is idempotent", function(t)
  local e = listener("a")
  t:step(1)
  local s = e:script("testing/listener.lua")
  local got = {}
  local conn = s:on("custom", function(self, payload, sender)
    got[#got + 1] = payload.n
    t:ok(self == s, "self is the instance")
  end)
  t:eq(conn:connected(), true)
  e:send("custom", { n = 1 })
  t:step(1)
  conn:disconnect()
  conn:disconnect()
  t:eq(conn:connected(), false)
  e:send("custom", { n = 2 })
  t:step(1)
  t:eq(got, { 1 })
end)

test("dynamic handlers go when the entity despawns", function(t)
  local e = listener("a")
  t:step(1)
  local calls = 0
  local conn = e:script("testing/listener.lua"):on("update", function() calls = calls + 1 end)
  t:step(2)
  t:eq(calls, 2)
  e:despawn()
  t:step(2)
  t:eq(calls, 2)
  t:eq(conn:connected(), false)
end)

test("world.query iterates entities with all the named components, in spawn order", function(t)
  local a = world.spawn({ name = "a", Position = {}, Velocity = {} })
  world.spawn({ name = "b", Position = {} })
  local c = world.spawn({ name = "c", Position = {}, Velocity = {} })
  local found = {}
  for e in world.query("Position", "Velocity") do
    found[#found + 1] = e:get("Name")
  end
  t:eq(found, { "a", "c" })
  c:despawn()
  found = {}
  for e in world.query("Velocity") do found[#found + 1] = e:get("Name") end
  t:eq(found, { "a" })
  t:raises(function() world.query("Nope") end, "unknown component 'Nope'")
end)
