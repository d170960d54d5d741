//! Inputs the fuzzer found (see `fuzz/regressions/`), replayed: each must finish.

mod common;

use std::path::Path;

use crescent::script::ScriptRuntime;

fn regression(target: &str, name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target)
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// What the `script_source` fuzz target does with its input.
fn run_script_source(source: &[u8]) -> crescent::game::Game {
    let assets = common::temp_assets(&[]);
    std::fs::write(assets.path().join("fuzz.lua"), source).expect("write");
    let mut game = common::game(assets.path());
    let _ = ScriptRuntime::exec(
        game.app.world_mut(),
        b"pcall(world.spawn, { script = 'fuzz.lua' }) pcall(world.spawn, { script = 'fuzz.lua', props = { n = 1 } })",
        "main.lua",
    );
    common::step(&mut game, 5);
    game
}

#[test]
fn a_script_whose_top_level_never_ends_is_stopped() {
    let source = regression("script_source", "toplevel_infinite_loop.lua");
    let assets = common::temp_assets(&[]);
    std::fs::write(assets.path().join("fuzz.lua"), &source).expect("write");
    let mut game = common::game(assets.path());
    let err =
        common::eval::<()>(&mut game, "world.spawn{ script = 'fuzz.lua' }").expect_err("stopped");
    assert!(err.contains("fuzz.lua: error while loading"), "{err}");
    assert!(err.contains("instruction budget exceeded"), "{err}");
    let game = run_script_source(&source);
    assert_eq!(game.frame_times_ms().len(), 5);
}

#[test]
fn a_test_whose_body_or_file_never_ends_fails_instead_of_hanging() {
    for (name, expected) in [
        ("test_body_infinite_loop.lua", "spins"),
        ("toplevel_infinite_loop.lua", "toplevel_infinite_loop.lua"),
    ] {
        let dir = common::temp_assets(&[]);
        let file = dir.path().join(name);
        std::fs::write(&file, regression("test_file", name)).expect("write");
        let outcomes = crescent::testing::run_file(&common::repo_assets(), &file);
        assert_eq!(outcomes.len(), 1, "{name}");
        assert!(
            outcomes[0].name.ends_with(expected),
            "{name}: {:?}",
            outcomes[0]
        );
        let failure = outcomes[0].failure.clone().unwrap_or_default();
        assert!(
            failure.contains("instruction budget exceeded"),
            "{name}: {failure}"
        );
    }
}

#[test]
fn a_script_cannot_install_a_finalizer_that_never_ends() {
    let game = run_script_source(&regression("script_source", "gc_finalizer_loop.lua"));
    assert_eq!(game.frame_times_ms().len(), 5);
    let log = game
        .app
        .world()
        .resource::<crescent::script::ScriptErrorLog>();
    assert!(
        log.errors
            .iter()
            .any(|e| e.event == "init" && e.message.contains("__gc metamethods are not available")),
        "{:?}",
        log.errors
    );
}
