//! Arbitrary bytes as a script's source: `fuzz.lua` in an assets folder, spawned twice
//! from a main chunk (once plain, once with props), then five frames, with the
//! instruction budget and a 64 MiB memory limit on.
//!
//! No input may panic, abort or hang: the runtime must turn every broken, hostile or
//! runaway script into a Lua error or a `ScriptError`.

#![no_main]

use std::{path::PathBuf, sync::OnceLock};

use libfuzzer_sys::fuzz_target;

/// The main chunk: spawns the fuzzed script; a load error is caught by `pcall`.
const MAIN: &[u8] = b"pcall(world.spawn, { script = 'fuzz.lua' }) \
pcall(world.spawn, { script = 'fuzz.lua', props = { n = 1 } })";

/// A fixed assets folder per process (created once, so each run only writes a file).
fn assets() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!(
            "crescent-fuzz-script_source-{}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).expect("create the fuzz assets folder");
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let dir = assets();
    std::fs::write(dir.join("fuzz.lua"), data).expect("write fuzz.lua");

    let mut cfg = crescent::game::GameConfig::new(dir.clone());
    cfg.script.memory_limit = Some(64 << 20);
    cfg.script.budget = crescent::script::ScriptBudget::Instructions { per_call: 1_000_000, per_frame: Some(5_000_000) };
    let mut game = crescent::game::Game::new(cfg).expect("the assets folder exists");
    let main = crescent::script::ScriptRuntime::exec(game.app.world_mut(), MAIN, "main.lua");
    for _ in 0..5 {
        game.step();
    }
    if verbose() {
        // Replaying one input by hand: say what happened (not while fuzzing: it is slow).
        eprintln!("main.lua: {main:?}");
        eprintln!("frame times (ms): {:?}", game.frame_times_ms());
        eprintln!("{}", game.report().to_text());
    }
});

/// `CRESCENT_FUZZ_VERBOSE=1` prints the run's report after each input.
fn verbose() -> bool {
    static VERBOSE: OnceLock<bool> = OnceLock::new();
    *VERBOSE.get_or_init(|| std::env::var_os("CRESCENT_FUZZ_VERBOSE").is_some())
}
