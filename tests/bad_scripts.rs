//! Bad input from script files: each error names the file (and line where there is one).

mod common;

use common::{eval, game, temp_assets};

fn spawn_error(files: &[(&str, &str)], script: &str) -> String {
    let assets = temp_assets(files);
    let mut game = game(assets.path());
    let source = format!("world.spawn{{ script = {script:?} }}");
    let err = eval::<()>(&mut game, &source).expect_err("spawn must fail");
    let count: i64 = eval(&mut game, "return world.count()").expect("count");
    assert_eq!(count, 0, "a failed spawn leaves no entity");
    err
}

#[test]
fn syntax_error_names_file_and_line() {
    let err = spawn_error(
        &[(
            "scripts/broken.lua",
            "local M = {}\nfunction M.update(self)\n  if then\nend\nreturn M\n",
        )],
        "scripts/broken.lua",
    );
    assert!(err.contains("scripts/broken.lua:3:"), "{err}");
}

#[test]
fn missing_script_names_the_path() {
    let err = spawn_error(&[], "scripts/ghost.lua");
    assert!(
        err.contains("script not found: 'scripts/ghost.lua'"),
        "{err}"
    );
}

#[test]
fn script_not_returning_a_table_names_file_and_type() {
    let err = spawn_error(&[("s.lua", "return 'nope'")], "s.lua");
    assert!(
        err.contains("s.lua: a script must return a table of handlers, but it returned string"),
        "{err}"
    );
    let err = spawn_error(&[("s.lua", "local x = 1")], "s.lua");
    assert!(err.contains("but it returned nil"), "{err}");
}

#[test]
fn script_raising_while_loading_names_the_file() {
    let err = spawn_error(&[("s.lua", "error('not today')\nreturn {}")], "s.lua");
    assert!(
        err.contains("s.lua: error while loading: s.lua:1: not today"),
        "{err}"
    );
}

#[test]
fn lifecycle_field_that_is_not_a_function_is_refused() {
    let err = spawn_error(&[("s.lua", "return { init = true }")], "s.lua");
    assert!(
        err.contains("s.lua: handler 'init' must be a function, but it is a boolean"),
        "{err}"
    );
}

#[test]
fn paths_outside_the_assets_root_are_refused() {
    let err = spawn_error(&[], "/etc/passwd");
    assert!(err.contains("absolute paths are not allowed"), "{err}");
    let err = spawn_error(&[], "../outside.lua");
    assert!(err.contains("'..' would leave the assets root"), "{err}");
}

#[test]
fn script_files_compile_once_and_share_handlers() {
    let assets = temp_assets(&[(
        "s.lua",
        "LOADS = (LOADS or 0) + 1\nlocal M = {}\nfunction M.init(self) self.loads = LOADS self.fn = M.init end\nreturn M",
    )]);
    let mut game = game(assets.path());
    common::exec(
        &mut game,
        "world.spawn{ name = 'a', script = 's.lua' } world.spawn{ name = 'b', script = 's.lua' }",
    );
    common::step(&mut game, 1);
    let (loads_a, loads_b, shared): (i64, i64, bool) = eval(
        &mut game,
        "local a, b = world.find('a'):script('s.lua'), world.find('b'):script('s.lua')\nreturn a.loads, b.loads, a.fn == b.fn and a ~= b",
    )
    .expect("eval");
    assert_eq!(
        (loads_a, loads_b),
        (1, 1),
        "the file ran once for both instances"
    );
    assert!(shared, "one handler function, two self tables");
}
