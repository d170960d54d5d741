-- Was a hang (minutes): the instruction budget counted VM instructions only, not the
-- work done inside C library functions, so a loop of ~100k cheap-looking calls (well
-- under the 1,000,000-instruction budget) that each scan a 16 MiB string ran for minutes
-- in one update handler. Same root cause as pattern_backtracking.lua, but linear work
-- per call, so limiting pattern complexity alone does not fix it.
-- Fixed: a plain find charges the bytes it examines to the instruction budget (one
-- instruction per 128: 131,072 per scan), so the loop exceeds the budget within its
-- first ten scans and the update handler is reported as "instruction budget exceeded".
return { update = function()
  local s = string.rep("a", 1 << 24)
  for i = 1, 100000 do s:find("b", 1, true) end
end }
