-- Records every lifecycle call as "<tag>:<event>" in the journal.
local journal = require("testing.journal")

local recorder = {}

function recorder.init(self)
  journal.add(self.tag .. ":init")
end

function recorder.fixed_update(self, dt)
  journal.add(self.tag .. ":fixed")
end

function recorder.update(self, dt)
  journal.add(self.tag .. ":update")
end

function recorder.final(self)
  journal.add(self.tag .. ":final")
end

return recorder
