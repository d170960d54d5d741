-- Hang (grows every frame): an init that attaches its own script again adds up to
-- max_init_rounds (16) instances per frame per entity, without bound, and every update
-- may burn its whole instruction budget. Deep recursion makes the budget expensive: one
-- update that recurses until the budget stops it takes ~0.2 s even without ASan (CallInfo
-- mallocs in luaE_extendCI, luaD_reallocstack/correctstack, luaE_shrinkCI), ~30 times a
-- flat `while true do end`. Measured at 4a79b23: 5 frames took 110 s in a release build
-- without sanitizer (frame 5: 37 s; 162 instances, 640 handler calls) and 330 s under ASan.
-- Found by the fuzzer (timeout-d33336bd...), minimised by hand.
-- Fixed by the frame budget (issue 12): all of a frame's calls share one cap
-- (`ScriptBudget::{Time,Instructions}::per_frame`; the fuzz configuration has 5 * 10^6
-- instructions), so a frame stops after a few burnt budgets with a reported error.
local function recurse(n) return recurse(n + 1) + 1 end
return {
  init = function(self) self.entity:attach("fuzz.lua") end,
  update = function() recurse(1) end,
}
