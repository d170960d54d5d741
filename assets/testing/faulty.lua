-- Fails in `update` when `self.fail_update` is set, in `init` when `self.fail_init` is set.
local journal = require("testing.journal")

local faulty = {}

function faulty.init(self)
  if self.fail_init then
    error("init refused")
  end
  journal.add("faulty:init")
end

function faulty.update(self, dt)
  if self.fail_update then
    error("update broke")
  end
  journal.add("faulty:update")
end

function faulty.final(self)
  journal.add("faulty:final")
end

return faulty
