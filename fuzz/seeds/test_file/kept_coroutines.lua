-- Task coroutines kept and driven later; writes to package and string.
test("kept task coroutines", function(t)
  local kept = {}
  for i = 1, 3 do
    task.spawn(function() kept[#kept + 1] = coroutine.running() task.wait(i / 60) end)
  end
  task.delay(0.01, function() kept[#kept + 1] = coroutine.running() end)
  for _, co in ipairs(kept) do
    pcall(coroutine.resume, co, "injected")
    pcall(coroutine.close, co)
  end
  t:step(5)
  for _, co in ipairs(kept) do
    t:eq(coroutine.status(co), "dead")
    pcall(coroutine.resume, co)
  end
end)

test("package and string writes stay here", function(t)
  package.loaded.string.format = nil
  package.loaded.injected = "poison"
  package.path = string.rep("?", 3000)
  string.x = 1
  pcall(function() getmetatable("").__index = {} end)
  local e = world.spawn({ script = "helper.lua" })
  t:step(2)
  t:eq(e:script("helper.lua").n, 2)
end)
