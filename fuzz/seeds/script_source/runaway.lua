local s = {}
function s.update(self, dt)
  local t, s = {}, "y"
  while true do s = s .. s; t[#t + 1] = s end
end
function s.fixed_update(self, dt)
  while true do pcall(function() while true do end end) end
end
return s
