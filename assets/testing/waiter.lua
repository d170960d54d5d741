-- Starts tasks from `init` as configured: waits, delays, failures, spawns.
local journal = require("testing.journal")

local waiter = {}

function waiter.init(self)
  if self.wait then
    task.spawn(function()
      journal.add("start@" .. time.frame)
      local waited = task.wait(self.wait)
      self.waited = waited
      journal.add("woke@" .. time.frame)
    end)
  end
  if self.delay then
    self.delayed = task.delay(self.delay, function(tag)
      journal.add(tag .. "@" .. time.frame)
    end, "delayed")
  end
  if self.fail then
    task.spawn(function()
      task.wait(0)
      error("task failed on purpose")
    end)
  end
  if self.forever then
    task.spawn(function()
      while true do
        task.wait(self.forever)
        journal.add("tick@" .. time.frame)
      end
    end)
  end
end

return waiter
