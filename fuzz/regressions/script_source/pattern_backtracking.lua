-- Was a hang: time spent inside C library functions is not counted by the instruction
-- budget (the count hook only sees VM instructions), so one string.find with a
-- backtracking pattern ran for hours inside a budgeted update handler.
-- Fixed: pattern matching counts its steps; past 10,000,000 in one call it raises
-- "string.find: pattern too complex (more than 10000000 steps)" (crescent_lua's
-- `limits`), so the update handler fails each frame and the 5 frames run.
return { update = function() string.find(string.rep("a", 1000), ".-.-.-.-.-b") end }
