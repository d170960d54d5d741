-- Hang: a test file's top level runs without the instruction budget (when its tests are
-- collected), so run_file never returns.
-- Expected once fixed: the file fails to load with "instruction budget exceeded".
while true do end
