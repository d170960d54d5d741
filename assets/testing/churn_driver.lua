-- Spawns `self.per_frame` churners every frame (soak tests and benches).
local driver = {}

function driver.init(self)
  self.spawned = 0
end

function driver.update(self, dt)
  for i = 1, self.per_frame do
    self.spawned = self.spawned + 1
    world.spawn({
      script = "testing/churner.lua",
      props = { n = self.spawned },
      Position = { x = i, y = 0 },
    })
  end
end

return driver
