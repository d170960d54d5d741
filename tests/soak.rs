//! Soak: 50 scripted entities spawned and despawned every frame (with tasks, events and
//! an `Rc` handed to each) must leave Lua memory, handler count and `Rc` counts flat.
//! The CI version runs 3,000 frames; `cargo test --test soak -- --ignored` runs 100,000.

mod common;

use std::rc::Rc;

use crescent::game::Game;
use crescent::script::ScriptStats;

struct Sample {
    memory: usize,
    handlers: usize,
    instances: usize,
    tasks: usize,
    tokens: usize,
}

fn sample(game: &Game, token: &Rc<()>) -> Sample {
    let stats = game.app.world().resource::<ScriptStats>();
    Sample {
        memory: stats.lua_memory_bytes,
        handlers: stats.handlers,
        instances: stats.instances,
        tasks: stats.tasks,
        tokens: Rc::strong_count(token) - 1,
    }
}

fn soak(frames: usize) {
    let mut game = common::game(&common::repo_assets());
    let token = Rc::new(());
    common::install_token_factory(&mut game, &token);
    common::exec(
        &mut game,
        "world.spawn{ script = 'testing/churn_driver.lua', props = { per_frame = 50 } }",
    );
    common::step(&mut game, 300);
    let early = sample(&game, &token);
    common::step(&mut game, frames - 300);
    let late = sample(&game, &token);
    let errors = game.app.world().resource::<ScriptStats>().errors;
    assert_eq!(errors, 0, "the churn runs clean");
    assert!(
        early.instances > 100,
        "a steady population: {}",
        early.instances
    );
    assert!(
        late.memory as f64 <= early.memory as f64 * 1.3,
        "Lua memory: {} after 300 frames, {} after {frames}",
        early.memory,
        late.memory
    );
    for (what, a, b) in [
        ("handlers", early.handlers, late.handlers),
        ("instances", early.instances, late.instances),
        ("tasks", early.tasks, late.tasks),
        ("Rc tokens held by Lua", early.tokens, late.tokens),
    ] {
        assert!(
            b as f64 <= a as f64 * 1.3 + 10.0,
            "{what}: {a} after 300 frames, {b} after {frames}"
        );
    }
}

#[test]
fn churn_3000_frames_stays_flat() {
    soak(3_000);
}

#[test]
#[ignore = "long: 100,000 frames (about 4 minutes in release); run with --ignored"]
fn churn_100000_frames_stays_flat() {
    soak(100_000);
}
