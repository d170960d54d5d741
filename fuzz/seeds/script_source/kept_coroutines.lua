-- A task's coroutine kept and driven later: resume/close are refused for task threads.
local s = {}
local kept = {}
function s.init(self)
  task.spawn(function()
    kept[#kept + 1] = coroutine.running()
    local w = task.wait(0.02)
    self.waited = w
  end)
  self.t = task.spawn(function()
    local me = coroutine.running()
    kept[#kept + 1] = me
    pcall(coroutine.resume, me)
    pcall(coroutine.close, me)
    while true do task.wait(0) end
  end)
  for _, co in ipairs(kept) do
    pcall(coroutine.resume, co, "injected")
    pcall(coroutine.close, co)
    pcall(coroutine.wrap, co)
  end
end
function s.update(self, dt)
  for _, co in ipairs(kept) do
    local st = coroutine.status(co)
    pcall(coroutine.resume, co, dt)
    pcall(coroutine.close, co)
  end
  if time.frame == 3 then task.cancel(self.t) end
  task.delay(0, function() kept[#kept + 1] = coroutine.running(); coroutine.yield() end)
end
return s
