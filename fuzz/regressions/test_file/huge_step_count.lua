-- Hang (hours): t:step(n) runs n frames with no upper bound, so one line of a test file
-- keeps run_file busy for hours (~50 us per empty frame here: 10^8 frames is ~1.5 h).
-- Not a budget bypass: each frame is cheap, there are just too many of them. A design
-- decision for the test runner (a cap on n, or a per-test frame/time limit that fails
-- the test); recorded so that the decision is made, not stumbled on.
-- Decided (issue 12): a test may step at most `MAX_FRAMES_PER_TEST` (100,000) frames in
-- all; this one fails at once with a message saying so.
test("forever", function(t) t:step(100000000) end)
