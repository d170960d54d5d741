//! Lesson two from mlua's history: an `Rc` handed to Lua lives until Lua's GC frees its
//! holder. After despawn, the periodic GC alone must bring it back (no `gc_collect` here),
//! and Lua memory must come back down.

mod common;

use std::rc::Rc;

use common::{exec, game, install_token_factory, step, temp_assets};
use crescent::script::ScriptStats;

const HOLDER: &str = r#"
local holder = {}
function holder.init(self)
  self.token = make_token()
  self.ballast = {}
  for i = 1, 20 do self.ballast[i] = { i, tostring(i) } end
end
function holder.update(self, dt) end
return holder
"#;

#[test]
fn rc_held_by_a_despawned_script_is_released_by_the_periodic_gc() {
    let assets = temp_assets(&[("holder.lua", HOLDER)]);
    let mut game = game(assets.path());
    let token = Rc::new(());
    install_token_factory(&mut game, &token);
    exec(
        &mut game,
        r#"for i = 1, 200 do world.spawn{ name = "h" .. i, script = "holder.lua" } end"#,
    );
    step(&mut game, 30);
    assert_eq!(Rc::strong_count(&token), 201, "every instance holds one");

    exec(
        &mut game,
        r#"for i = 1, 200 do world.find("h" .. i):despawn() end"#,
    );
    let mut frames = 0;
    while Rc::strong_count(&token) > 1 && frames < 120 {
        step(&mut game, 1);
        frames += 1;
    }
    assert_eq!(
        Rc::strong_count(&token),
        1,
        "released within {frames} frames"
    );
    let stats = game.app.world().resource::<ScriptStats>();
    assert_eq!((stats.instances, stats.handlers, stats.entities), (0, 0, 0));
}

#[test]
fn lua_memory_comes_back_down_after_mass_despawn() {
    let assets = temp_assets(&[("holder.lua", HOLDER)]);
    let mut game = game(assets.path());
    let token = Rc::new(());
    install_token_factory(&mut game, &token);
    step(&mut game, 5);
    let baseline = game.app.world().resource::<ScriptStats>().lua_memory_bytes;

    exec(
        &mut game,
        r#"for i = 1, 1000 do world.spawn{ name = "h" .. i, script = "holder.lua" } end"#,
    );
    step(&mut game, 5);
    let loaded = game.app.world().resource::<ScriptStats>().lua_memory_bytes;
    assert!(
        loaded > baseline + 500_000,
        "1000 instances with ballast: {baseline} -> {loaded}"
    );

    exec(
        &mut game,
        r#"for i = 1, 1000 do world.find("h" .. i):despawn() end"#,
    );
    step(&mut game, 60);
    let after = game.app.world().resource::<ScriptStats>().lua_memory_bytes;
    assert!(
        after < baseline + (loaded - baseline) / 10,
        "memory back down: baseline {baseline}, loaded {loaded}, after {after}"
    );
    assert_eq!(Rc::strong_count(&token), 1);
}
