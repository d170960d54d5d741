-- Spawns a recorder child (tag "child") from its `init`.
local spawner = {}

function spawner.init(self)
  self.child = world.spawn({ script = "testing/recorder.lua", props = { tag = "child" } })
end

return spawner
