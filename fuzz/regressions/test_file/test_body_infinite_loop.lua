-- Hang: a test's body runs without the instruction budget (the runner resumes it outside
-- any budgeted call), so run_file never returns.
-- Expected once fixed: the test fails with "instruction budget exceeded".
test("spins", function(t) while true do end end)
