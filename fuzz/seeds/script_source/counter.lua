local counter = {}
function counter.init(self) self.updates = 0; self.fixed = 0 end
function counter.update(self, dt) self.updates = self.updates + 1 end
function counter.fixed_update(self, dt) self.fixed = self.fixed + 1 end
function counter.final(self) log.info("counter done", self.updates) end
return counter
