//! Arbitrary bytes as a Lua test file (`fuzz_test.lua`), run by the same runner as
//! `crescent test`: every `test(...)` it declares runs in a fresh world.
//!
//! The assets folder also holds a small helper script (`helper.lua`) and module
//! (`lib/util.lua`) so that test files can spawn and `require` something real; the test
//! file itself lives in the assets folder too, so it can also be spawned as a script.
//!
//! No input may panic, abort or hang.

#![no_main]

use std::{path::PathBuf, sync::OnceLock};

use libfuzzer_sys::fuzz_target;

/// A script with lifecycle handlers, a custom event, a task and a dynamic handler.
const HELPER: &str = r#"local util = require("lib.util")
local helper = {}
function helper.init(self)
  self.n = self.n or 0
  self.conn = self:on("poke", function(self, payload) self.n = self.n + 1 end)
  task.delay(0.05, function() self.delayed = true end)
end
function helper.update(self, dt) self.n = util.inc(self.n) end
function helper.fixed_update(self, dt) self.fixed = (self.fixed or 0) + 1 end
function helper.ping(self, payload, sender)
  if sender then sender:send("pong", payload) end
end
function helper.final(self) world.emit("helper_final", { n = self.n }) end
return helper
"#;

/// A module for `require("lib.util")`.
const UTIL: &str = "local util = {}\nfunction util.inc(n) return (n or 0) + 1 end\nreturn util\n";

/// A fixed assets folder per process, created once.
fn assets() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!(
            "crescent-fuzz-test_file-{}",
            std::process::id()
        ));
        std::fs::create_dir_all(dir.join("lib")).expect("create the fuzz assets folder");
        std::fs::write(dir.join("helper.lua"), HELPER).expect("write helper.lua");
        std::fs::write(dir.join("lib/util.lua"), UTIL).expect("write lib/util.lua");
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
