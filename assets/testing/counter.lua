-- Counts its own calls in `self`, and remembers the dt it was given.
local counter = {}

function counter.init(self)
  self.inits = (self.inits or 0) + 1
  self.updates = 0
  self.fixed = 0
end

function counter.update(self, dt)
  self.updates = self.updates + 1
  self.last_dt = dt
end

function counter.fixed_update(self, dt)
  self.fixed = self.fixed + 1
  self.last_fixed_dt = dt
end

return counter
