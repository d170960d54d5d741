-- Tasks on the world's virtual clock.
local journal = require("testing.journal")

test("task.wait wakes within one frame of the requested time and returns the time waited", function(t)
  local e = world.spawn({ script = "testing/waiter.lua", props = { wait = 0.5 } })
  t:step(1)
  t:eq(journal.entries, { "start@1" })
  t:step(29)
  t:eq(journal.entries, { "start@1" })
  t:step(1)
  t:eq(journal.entries, { "start@1", "woke@31" })
  t:near(e:script("testing/waiter.lua").waited, 0.5, 1e-6)
end)

test("task.delay starts the function later with its arguments", function(t)
  world.spawn({ script = "testing/waiter.lua", props = { delay = 0.25 } })
  t:step(15)
  t:eq(journal.entries, {})
  t:step(1)
  t:eq(journal.entries, { "delayed@16" })
end)

test("task.spawn runs at once until the first wait", function(t)
  local order = {}
  task.spawn(function(a, b)
    order[#order + 1] = a .. b
    task.wait()
    order[#order + 1] = "after"
  end, "x", "y")
  order[#order + 1] = "caller"
  t:eq(order, { "xy", "caller" })
  t:step(1)
  t:eq(order, { "xy", "caller", "after" })
end)

test("task.cancel: the task never runs again", function(t)
  local ran = 0
  local handle = task.delay(0.1, function() ran = ran + 1 end)
  t:eq(task.cancel(handle), true)
  t:eq(task.cancel(handle), false)
  t:step(20)
  t:eq(ran, 0)
end)

test("tasks are cancelled when their entity despawns: side effects never happen", function(t)
  local e = world.spawn({ script = "testing/waiter.lua", props = { forever = 0.1, delay = 0.5 } })
  t:step(13)
  t:eq(journal.entries, { "tick@7", "tick@13" })
  e:despawn()
  t:step(60)
  t:eq(journal.entries, { "tick@7", "tick@13" })
end)

test("tasks are cancelled when their script is detached", function(t)
  local e = world.spawn({ script = "testing/waiter.lua", props = { forever = 0.1 } })
  t:step(7)
  e:detach("testing/waiter.lua")
  t:step(30)
  t:eq(journal.entries, { "tick@7" })
end)

test("an error inside a task is a script error", function(t)
  world.spawn({ script = "testing/waiter.lua", props = { fail = true } })
  t:step(2)
  local errors = t:errors()
  t:eq(#errors, 1)
  t:eq(errors[1].script, "testing/waiter.lua")
  t:eq(errors[1].event, "task")
  t:ok(errors[1].message:find("testing/waiter.lua:23: task failed on purpose", 1, true), errors[1].message)
end)

test("task.wait outside a task is a clear error at the caller's line", function(t)
  local err = t:raises(function() task.wait(1) end, "task.wait can only be called inside a task")
  t:ok(err:find("tasks.lua:%d+:"), err)
  -- Inside a task, a bad argument is the task's error, reported like any other.
  task.spawn(function() task.wait("soon") end)
  task.spawn(function() task.wait(-1) end)
  local errors = t:errors()
  t:eq(#errors, 2)
  t:ok(errors[1].message:find("tasks.lua:%d+: task.wait expects a number of seconds, got string"), errors[1].message)
  t:ok(errors[2].message:find("non-negative", 1, true), errors[2].message)
end)

test("a coroutine inside a task cannot task.wait through it", function(t)
  local err
  task.spawn(function()
    local co = coroutine.create(function() task.wait(1) end)
    local ok, e = coroutine.resume(co)
    err = e
  end)
  t:ok(err and err:find("inside a task", 1, true), tostring(err))
end)
