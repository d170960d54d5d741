-- A module the reload tests replace; `count` is shared state that must survive.
local M = { count = 0 }

function M.greet()
  M.count = M.count + 1
  return "hello"
end

return M
