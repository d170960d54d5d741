-- Shared by every script of the demo: `require` loads it once per runtime.
local arena = {
  width = 200,
  height = 120,
  spawned = 0,
  expired = 0,
}

-- A small deterministic pseudo-random generator (same seed, same run).
local state = 12345
function arena.random(lo, hi)
  state = (state * 1103515245 + 12345) % 2147483648
  return lo + (hi - lo) * (state / 2147483648)
end

return arena
