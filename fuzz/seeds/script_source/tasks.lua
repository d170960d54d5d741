local s = {}
function s.init(self)
  self.log = {}
  self.t = task.spawn(function(a)
    while true do
      self.log[#self.log + 1] = a
      task.wait(1 / 60)
    end
  end, "tick")
  task.delay(0.05, function() task.cancel(self.t); self.entity:detach("fuzz.lua") end)
end
function s.final(self) print("final", #self.log) end
return s
