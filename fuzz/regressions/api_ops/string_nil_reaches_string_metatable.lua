-- Found while minimising package_nil_reaches_shared_modules.lua (same root cause).
-- Replay: see ../README.md (api_ops row): this is fuzz.lua, next to victim.lua.
--
-- What goes wrong: each script gets its own shallow copy of `string`, but the string
-- metatable's __index is the shared base `string`. Once the script sets its own `string`
-- to nil, `string` names that shared table (the environment's __index fallback), and
-- replacing `string.upper` there changes `("x"):upper()` in every script: the
-- bystander's view shows 'poison' where it had 'X'. Same for the other base tables
-- (`table`, `math`, `coroutine`, ...): every environment made later (a script spawned
-- later, a module loaded later) copies the poisoned functions.
--
-- Expected once fixed: the bystander's view does not change.
return {
  update = function(self, dt)
    string = nil
    pcall(function() string.upper = function() return "poison" end end)
  end,
}
