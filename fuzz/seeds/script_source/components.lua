local s = {}
function s.init(self)
  self.entity:set("Position", { x = 1, y = 2 })
  self.entity:set("Velocity", { x = 10, y = -3 })
  self.other = world.spawn({ name = "other", Position = { x = 0, y = 0 } })
end
function s.update(self, dt)
  local p = self.entity:get("Position")
  if p and p.x > 1.5 then self.entity:remove("Velocity") end
  for e in world.query("Position") do
    if e ~= self.entity and e:has("Position") then e:despawn() end
  end
  self.count = world.count()
  if world.find("other") == nil then self.entity:despawn() end
end
return s
