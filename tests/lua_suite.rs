//! Runs the Lua test files in `tests/lua` through the same runner as `crescent test`.

use std::path::Path;

use crescent::testing;

#[test]
fn lua_test_files_pass() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let files = testing::discover(&[root.join("tests/lua")]).expect("tests/lua exists");
    assert!(!files.is_empty(), "no Lua test files found");
    let summary = testing::run_files(&root.join("assets"), &files, |outcome| {
        println!("{}", outcome.line())
    });
    println!("{}", summary.closing_line());
    assert!(summary.passed() > 0, "no Lua test ran");
    assert_eq!(
        summary.failed(),
        0,
        "Lua tests failed: {}",
        summary.closing_line()
    );
}
