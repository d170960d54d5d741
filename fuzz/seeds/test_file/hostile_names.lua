-- Huge names, ever-new event names and lifecycle names as events, from a test.
test("huge and unique names", function(t)
  local long = string.rep("x", 4000)
  local e = world.spawn({ script = "helper.lua" })
  t:step(1)
  pcall(e.send, e, long, long)
  pcall(world.broadcast, long)
  pcall(world.emit, long, { long })
  pcall(world.spawn, { name = long })
  pcall(function() world.spawn({}):set("Name", long) end)
  local s = e:script("helper.lua")
  for i = 1, 2000 do
    pcall(world.broadcast, "u" .. i, i)
    pcall(e.send, e, "v" .. i)
    pcall(s.on, s, "h" .. i, function() end)
  end
  t:step(2)
  t:eq(e:alive(), true)
end)

test("lifecycle names are not events", function(t)
  local e = world.spawn({ script = "helper.lua" })
  t:step(1)
  for _, n in ipairs({ "init", "update", "fixed_update", "final", "on_reload" }) do
    t:raises(function() e:send(n) end, n)
    t:raises(function() world.broadcast(n, 1) end, n)
    pcall(world.emit, n, {})
  end
  t:step(1)
  t:eq(e:alive(), true)
end)
