-- Hang: a script's top-level chunk runs without the instruction budget when the script is
-- spawned from a main chunk (ScriptRuntime::exec), so world.spawn never returns.
-- Expected once fixed: world.spawn raises "instruction budget exceeded" (caught by the
-- main chunk's pcall) and the 5 frames run.
while true do end
