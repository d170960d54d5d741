-- Hang: time spent inside C library functions is not counted by the instruction budget
-- (the count hook only sees VM instructions), so one string.find with a backtracking
-- pattern runs for hours inside a budgeted update handler.
-- Expected once fixed: the update handler is stopped and reported as a ScriptError
-- within the budget, and the 5 frames run.
return { update = function() string.find(string.rep("a", 1000), ".-.-.-.-.-b") end }
