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
    assert!(err.contains("time budget exceeded"), "{err}");
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
            failure.contains("time budget exceeded"),
            "{name}: {failure}"
        );
    }
}

#[test]
fn a_test_that_steps_without_end_fails_with_a_clear_message() {
    let dir = common::temp_assets(&[]);
    let file = dir.path().join("huge_step_count.lua");
    std::fs::write(&file, regression("test_file", "huge_step_count.lua")).expect("write");
    let outcomes = crescent::testing::run_file(&common::repo_assets(), &file);
    assert_eq!(outcomes.len(), 1);
    let failure = outcomes[0].failure.clone().unwrap_or_default();
    assert_eq!(
        failure,
        "t:step(100000000) takes the test past 100000 frames, the most one test may run"
    );
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

// ---------------------------------------------------------------------------------------
// Every file of every regression folder, replayed the way its fuzz target runs it, on a
// thread of its own with a watchdog: a hang fails the test instead of hanging
// `cargo test` (the hung thread is left behind), a panic fails it too.

use std::{sync::mpsc, thread, time::Duration};

/// The fuzz targets' configuration: 64 MiB memory limit, 10^6 instructions per call and
/// 5 * 10^6 per frame.
fn fuzz_game(assets: &Path) -> crescent::game::Game {
    let mut cfg = crescent::game::GameConfig::new(assets);
    cfg.script.memory_limit = Some(64 << 20);
    cfg.script.budget = crescent::script::ScriptBudget::Instructions {
        per_call: 1_000_000,
        per_frame: Some(5_000_000),
    };
    crescent::game::Game::new(cfg).expect("game")
}

/// Files the `test_file` target puts next to the fuzzed test file (`fuzz/assets/test_file/`).
const TEST_FILE_ASSETS: &[(&str, &str)] = &[(
    "helper.lua",
    include_str!("../fuzz/assets/test_file/helper.lua"),
)];

/// The shared modules (`fuzz/assets/test_file/lib/`) both `test_file` and `api_ops` put
/// next to their input.
const LIB_ASSETS: &[(&str, &str)] = &[
    (
        "lib/util.lua",
        include_str!("../fuzz/assets/test_file/lib/util.lua"),
    ),
    (
        "lib/cycle_a.lua",
        include_str!("../fuzz/assets/test_file/lib/cycle_a.lua"),
    ),
    (
        "lib/cycle_b.lua",
        include_str!("../fuzz/assets/test_file/lib/cycle_b.lua"),
    ),
    (
        "lib/self_cycle.lua",
        include_str!("../fuzz/assets/test_file/lib/self_cycle.lua"),
    ),
];

/// Files the `api_ops` target puts next to the generated `fuzz.lua`.
const API_OPS_ASSETS: &[(&str, &str)] = &[(
    "victim.lua",
    include_str!("../fuzz/assets/api_ops/victim.lua"),
)];

/// `script_source`: the input as `fuzz.lua`, spawned twice from a main chunk, 5 frames.
fn replay_script_source(source: Vec<u8>) -> Result<(), String> {
    let assets = common::temp_assets(&[]);
    std::fs::write(assets.path().join("fuzz.lua"), source).expect("write");
    let mut game = fuzz_game(assets.path());
    let _ = ScriptRuntime::exec(
        game.app.world_mut(),
        b"pcall(world.spawn, { script = 'fuzz.lua' }) pcall(world.spawn, { script = 'fuzz.lua', props = { n = 1 } })",
        "main.lua",
    );
    common::step(&mut game, 5);
    Ok(())
}

/// `test_file`: the input as `fuzz_test.lua` next to the target's helper files, run by
/// the test runner.
fn replay_test_file(source: Vec<u8>) -> Result<(), String> {
    let assets = common::temp_assets(&[TEST_FILE_ASSETS, LIB_ASSETS].concat());
    let file = assets.path().join("fuzz_test.lua");
    std::fs::write(&file, source).expect("write");
    let _ = crescent::testing::run_file(assets.path(), &file);
    Ok(())
}

/// `api_ops`: the kept file is the program the target generated (printed with
/// `CRESCENT_FUZZ_VERBOSE=1`), run as `fuzz.lua` next to the bystander; 6 frames; the
/// bystander must have seen nothing.
fn replay_api_ops(source: Vec<u8>) -> Result<(), String> {
    let assets = common::temp_assets(&[API_OPS_ASSETS, LIB_ASSETS].concat());
    std::fs::write(assets.path().join("fuzz.lua"), source).expect("write");
    let mut game = fuzz_game(assets.path());
    let _ = ScriptRuntime::exec(
        game.app.world_mut(),
        b"world.spawn({ name = 'victim', script = 'victim.lua' }) \
          pcall(world.spawn, { script = 'fuzz.lua' }) \
          pcall(world.spawn, { script = 'fuzz.lua', props = { n = 1 } })",
        "main.lua",
    );
    common::step(&mut game, 6);
    let check = ScriptRuntime::exec(
        game.app.world_mut(),
        b"local v = world.find('victim') \
          if v and v:alive() then local s = v:script('victim.lua') \
          if s and s.bad and #s.bad > 0 then error('VICTIM: ' .. table.concat(s.bad, '; '), 0) end end",
        "check.lua",
    );
    match check {
        Err(err) if err.to_string().contains("VICTIM:") => Err(err.to_string()),
        _ => Ok(()),
    }
}

/// Regressions still open (they hang, take minutes, or let a script change another's
/// view): listed here, skipped by
/// [`every_regression_finishes`], replayed by the ignored
/// [`known_open_regressions`] (`cargo test --test fuzz_regressions -- --ignored`).
/// Move a file out of this list once its bug is fixed.
const KNOWN_OPEN: &[(&str, &str)] = &[];

/// Replays one input the way its fuzz target does; `Err` says what the target would
/// have panicked with.
type Replay = fn(Vec<u8>) -> Result<(), String>;

const TARGETS: &[(&str, Replay)] = &[
    ("script_source", replay_script_source),
    ("test_file", replay_test_file),
    ("api_ops", replay_api_ops),
];

/// Replays `files` of `target` one by one, each within `limit`; returns the failures.
fn replay_all(
    target: &str,
    replay: Replay,
    files: &[std::path::PathBuf],
    limit: Duration,
) -> Vec<String> {
    let mut failures = Vec::new();
    for path in files {
        let source = std::fs::read(path).expect("read");
        let (done, finished) = mpsc::channel();
        thread::spawn(move || {
            let outcome = replay(source); // a panic drops `done`: recv errors below
            let _ = done.send(outcome);
        });
        match finished.recv_timeout(limit) {
            Ok(Ok(())) => {}
            Ok(Err(e)) => failures.push(format!("{target}/{}: {e}", path.display())),
            Err(e) => failures.push(format!(
                "{target}/{}: did not finish ({e:?})",
                path.display()
            )),
        }
    }
    failures
}

fn regression_files(target: &str) -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<_> = entries
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "lua"))
        .collect();
    files.sort();
    files
}

fn is_known_open(target: &str, path: &Path) -> bool {
    KNOWN_OPEN
        .iter()
        .any(|(t, name)| *t == target && path.file_name().is_some_and(|f| f == *name))
}

#[test]
fn every_regression_finishes() {
    let mut failures = Vec::new();
    let mut replayed = 0;
    for (target, replay) in TARGETS {
        let files: Vec<_> = regression_files(target)
            .into_iter()
            .filter(|p| !is_known_open(target, p))
            .collect();
        replayed += files.len();
        // Generous: debug builds are slower than the fuzz build's release + ASan.
        failures.extend(replay_all(target, *replay, &files, Duration::from_secs(60)));
    }
    assert!(replayed > 0, "no regression files found");
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn the_known_open_list_names_existing_files() {
    for (target, name) in KNOWN_OPEN {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fuzz/regressions")
            .join(target)
            .join(name);
        assert!(path.is_file(), "{}", path.display());
    }
}

#[test]
#[ignore = "open regressions: they hang or fail until fixed"]
fn known_open_regressions() {
    let mut failures = Vec::new();
    for (target, replay) in TARGETS {
        let files: Vec<_> = regression_files(target)
            .into_iter()
            .filter(|p| is_known_open(target, p))
            .collect();
        failures.extend(replay_all(target, *replay, &files, Duration::from_secs(60)));
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
