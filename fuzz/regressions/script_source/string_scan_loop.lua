-- Hang (minutes): the instruction budget counts VM instructions only, not the work done
-- inside C library functions, so a loop of ~100k cheap-looking calls (well under the
-- 1,000,000-instruction budget) that each scan a 16 MiB string runs for minutes in one
-- update handler. Same root cause as pattern_backtracking.lua, but linear work per call,
-- so limiting pattern complexity alone does not fix it.
-- Expected once fixed: the update handler is stopped and reported as a ScriptError, and
-- the 5 frames run within seconds.
return { update = function()
  local s = string.rep("a", 1 << 24)
  for i = 1, 100000 do s:find("b", 1, true) end
end }
