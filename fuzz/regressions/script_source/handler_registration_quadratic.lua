-- Found by the api_ops target (timeout, 22 Nov 2026: a generated program whose update
-- called self:on 130 times in a loop, 24 times over), minimised by hand.
--
-- What goes wrong: each `self:on(...)` costs time proportional to the handlers the
-- instance already has (keys::connect -> sync_lent -> sync_keys rebuilds the entity's
-- ScriptHandlers from every handler key of its instances, registry.keys_of, after
-- every call; crates/crescent_script/src/frame/keys.rs), so registering is quadratic;
-- none of it is counted by the instruction budget (it is Rust work). Nothing caps handlers per
-- instance either (max_event_names bounds distinct names only; here the name is always
-- the same), so the registry grows by 2 x N entries a frame (two instances). Measured
-- with N = 3,000 per call: frames of 0.6, 1.4, 2.1, 2.6, 3.9 s under ASan (11 to 13 s
-- for the 5 frames, each slower than the last; 5.5 s in a debug build); with
-- N = 10,000: 66 s for the 5 frames in a debug build (crescent test). 12,000 handlers
-- registered in one `init` take 4 s under ASan. This file uses N = 20,000 so that it
-- clearly outlasts any watchdog (quadratic: about 4 times the N = 10,000 time).
--
-- Expected once fixed: each frame costs about the same (registration in constant time),
-- or `self:on` fails past a per-instance limit; the replay finishes well within 10 s
-- (20,000 calls are well within the instruction budget of 10^6).
return {
  update = function(self)
    for i = 1, 20000 do pcall(self.on, self, "same", function() end) end
  end,
}
