//! Arbitrary bytes as a Lua test file (`fuzz_test.lua`), run by the same runner as
//! `crescent test`: every `test(...)` it declares runs in a fresh world.
//!
//! The assets folder also holds a small helper script (`helper.lua`) and modules
//! (`lib/util.lua`, and cyclic ones) so that test files can spawn and `require` something
//! real; the test file itself lives in the assets folder too, so it can also be spawned
//! as a script or required as a module (`require("fuzz_test")`).
//!
//! No input may panic, abort or hang.

#![no_main]

use std::{path::PathBuf, sync::OnceLock};

use libfuzzer_sys::fuzz_target;

/// The files next to the fuzzed test file (`fuzz/assets/test_file/`, the same files
/// `tests/fuzz_regressions.rs` writes when it replays `regressions/test_file/`):
/// `helper.lua`, a script with lifecycle handlers, a custom event, a task and a dynamic
/// handler; `lib/util.lua`, a module; `lib/cycle_a.lua` and `lib/cycle_b.lua`, modules
/// that require each other (under two spellings); `lib/self_cycle.lua`, one that
/// requires itself.
const FILES: &[(&str, &str)] = &[
    ("helper.lua", include_str!("../assets/test_file/helper.lua")),
    (
        "lib/util.lua",
        include_str!("../assets/test_file/lib/util.lua"),
    ),
    (
        "lib/cycle_a.lua",
        include_str!("../assets/test_file/lib/cycle_a.lua"),
    ),
    (
        "lib/cycle_b.lua",
        include_str!("../assets/test_file/lib/cycle_b.lua"),
    ),
    (
        "lib/self_cycle.lua",
        include_str!("../assets/test_file/lib/self_cycle.lua"),
    ),
];

/// A fixed assets folder per process, created once.
fn assets() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir =
            std::env::temp_dir().join(format!("crescent-fuzz-test_file-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("lib")).expect("create the fuzz assets folder");
        for (name, text) in FILES {
            std::fs::write(dir.join(name), text).expect("write a helper file");
        }
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let dir = assets();
    let path = dir.join("fuzz_test.lua");
    std::fs::write(&path, data).expect("write fuzz_test.lua");
    let outcomes = crescent::testing::run_file(dir, &path);
    if verbose() {
        // Replaying one input by hand: print what `crescent test` would.
        for outcome in &outcomes {
            eprintln!("{}", outcome.line());
        }
    }
});

/// `CRESCENT_FUZZ_VERBOSE=1` prints each test's outcome after each input.
fn verbose() -> bool {
    static VERBOSE: OnceLock<bool> = OnceLock::new();
    *VERBOSE.get_or_init(|| std::env::var_os("CRESCENT_FUZZ_VERBOSE").is_some())
}
