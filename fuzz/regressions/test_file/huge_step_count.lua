-- Hang (hours): t:step(n) runs n frames with no upper bound, so one line of a test file
-- keeps run_file busy for hours (~50 us per empty frame here: 10^8 frames is ~1.5 h).
-- Not a budget bypass: each frame is cheap, there are just too many of them. A design
-- decision for the test runner (a cap on n, or a per-test frame/time limit that fails
-- the test); recorded so that the decision is made, not stumbled on.
-- Expected once decided: the test fails quickly with a clear message (or the file is
-- removed from regressions/ if unbounded t:step is the intended contract).
test("forever", function(t) t:step(100000000) end)
