-- Found by the api_ops target (its seed seeds/api_ops/package.bin, first run), minimised
-- by hand. Replay: see ../README.md (api_ops row): this is fuzz.lua, next to victim.lua.
--
-- What goes wrong: a script's environment falls back (__index) to the shared base
-- globals. Once the script sets its own `package` to nil, `package` names the runtime's
-- shared package table, and `package.loaded` the shared module cache behind every
-- script's own `package.loaded` (through its __index) and behind `require`. The writes
-- below then reach every other script: the bystander's `package.loaded.injected` becomes
-- 'poison', and its `require("lib/util")` returns 'poison' instead of the module.
-- (Seen at HEAD 4c595cb + work tree, 22 Nov 2026.)
--
-- Expected once fixed: the bystander's view does not change (the writes fail, or stay
-- in this script), so the replay's check passes.
return {
  update = function(self, dt)
    package = nil
    pcall(function() package.loaded.injected = "poison" end)
    pcall(function() package.loaded["lib.util"] = "poison" end)
  end,
}
