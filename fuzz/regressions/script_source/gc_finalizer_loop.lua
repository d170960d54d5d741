-- Hang: a __gc metamethod runs when the collector finalizes its object, which happens in
-- the frame's GC phase (crescent_script gc.rs -> Lua::gc_collect), outside any budgeted
-- call, so an endless finalizer hangs app.update(). Backtrace of the hang:
--   luaV_execute <- GCTM <- callallpendingfinalizers <- luaC_fullgc <- lua_gc
--   <- mlua Lua::gc_collect <- crescent_script gc.rs:94 (run) <- systems.rs gc_phase
-- Expected once fixed: the finalizer is stopped (budget or no finalizers from scripts),
-- reported, and the 5 frames run.
return { init = function(self)
  self.x = setmetatable({}, { __gc = function() while true do end end })
  self.entity:despawn()
end }
