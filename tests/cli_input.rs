//! Command-line input that used to panic or mislead: slow frame rates, closed pipes,
//! symlink loops, a file or a missing folder as the assets path, `--frames 0`, a main
//! script raising a table, bad `test()` calls.

mod common;

use std::{
    io::Read,
    process::{Command, Output, Stdio},
};

use common::temp_assets;

fn crescent(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crescent"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run crescent")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn json(out: &Output) -> serde_json::Value {
    assert!(out.status.success(), "stderr: {}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

/// A game whose script counts frames, fixed steps and the time it saw.
const CLOCK: &[(&str, &str)] = &[
    (
        "main.lua",
        "world.spawn{ name = 'clock', script = 'clock.lua' }",
    ),
    (
        "clock.lua",
        "local c = {}\n\
         function c.init(self) self.frames, self.fixed = 0, 0 end\n\
         function c.fixed_update(self) self.fixed = self.fixed + 1 end\n\
         function c.update(self, dt)\n\
           self.frames = self.frames + 1\n\
           world.emit('clock', { frames = self.frames, fixed = self.fixed, dt = dt, elapsed = time.elapsed })\n\
           if self.frames == 3 then error(string.format('frames=%d fixed=%d dt=%g elapsed=%g', self.frames, self.fixed, dt, time.elapsed)) end\n\
         end\n\
         return c",
    ),
];

#[test]
fn slow_frame_rates_still_advance_exactly_one_over_hz_with_one_fixed_step() {
    let assets = temp_assets(CLOCK);
    let dir = assets.path().to_string_lossy().into_owned();
    for (hz, dt) in [("1", "1"), ("2", "0.5"), ("0.5", "2"), ("4", "0.25")] {
        let out = crescent(&["run", &dir, "--frames", "3", "--hz", hz, "--report", "json"]);
        let report = json(&out);
        let message = report["errors"][0]["message"].as_str().unwrap_or_default();
        let elapsed = 3.0 / hz.parse::<f64>().expect("hz");
        assert!(
            message.ends_with(&format!("frames=3 fixed=3 dt={dt} elapsed={elapsed}")),
            "--hz {hz}: {message}"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_closed_stdout_does_not_panic() {
    for args in [
        &["run", "assets", "--frames", "5", "--report", "json"][..],
        &["types"][..],
        &["check", "assets"][..],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_crescent"))
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        // Close our end of stdout at once: every write the child makes hits a broken pipe.
        drop(child.stdout.take());
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .expect("stderr")
            .read_to_string(&mut stderr)
            .expect("read stderr");
        let status = child.wait().expect("wait");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(status.success(), "{args:?}: {status} {stderr}");
    }
}

#[cfg(unix)]
#[test]
fn symlink_loops_end_and_each_test_file_runs_once() {
    let assets = temp_assets(&[("t/one.lua", "test('one', function(t) t:eq(1, 1) end)")]);
    let root = assets.path();
    std::os::unix::fs::symlink(root, root.join("t/loop")).expect("link");
    std::os::unix::fs::symlink(root.join("t/one.lua"), root.join("t/again.lua")).expect("link");
    let dir = root.join("t").to_string_lossy().into_owned();
    let out = crescent(&["test", "--assets", "assets", &dir]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout} {}", text(&out.stderr));
    assert!(stdout.ends_with("1 passed, 0 failed\n"), "{stdout}");
    let check = crescent(&["check", &root.to_string_lossy()]);
    assert!(check.status.success(), "{}", text(&check.stdout));
    assert!(
        text(&check.stdout).contains("checked 1 scripts"),
        "{}",
        text(&check.stdout)
    );
}

#[test]
fn a_missing_or_file_assets_path_is_refused_by_every_command() {
    let out = crescent(&["test", "--assets", "no/such/assets", "tests/lua/attach.lua"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("assets folder not found: no/such/assets"),
        "{}",
        text(&out.stderr)
    );
    for args in [
        &["run", "Cargo.toml", "--frames", "1"][..],
        &["check", "Cargo.toml"][..],
        &["test", "--assets", "Cargo.toml", "tests/lua/attach.lua"][..],
    ] {
        let out = crescent(args);
        assert!(!out.status.success(), "{args:?}");
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains(
                "the assets path Cargo.toml is a file; give the folder that holds main.lua and scripts/"
            ),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn zero_frames_report_what_main_built() {
    let assets = temp_assets(CLOCK);
    let dir = assets.path().to_string_lossy().into_owned();
    let report = json(&crescent(&[
        "run", &dir, "--frames", "0", "--report", "json",
    ]));
    assert_eq!(report["frames"], 0);
    assert_eq!(report["scripts"], 1, "{report}");
    assert!(
        report["lua_memory_bytes"].as_u64().unwrap_or(0) > 0,
        "{report}"
    );
}

#[test]
fn a_main_script_raising_a_table_prints_no_address() {
    let assets = temp_assets(&[("main.lua", "error({ code = 1 })")]);
    let dir = assets.path().to_string_lossy().into_owned();
    let out = crescent(&["run", &dir, "--frames", "1"]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("(error object is a table value)"),
        "{stderr}"
    );
    assert!(!stderr.contains("0x"), "{stderr}");
}

#[test]
fn bad_test_calls_are_failures_with_a_message() {
    let assets = temp_assets(&[
        ("five.lua", "test('five', 5)"),
        ("nameless.lua", "test(nil, function() end)"),
    ]);
    let root = assets.path();
    let out = crescent(&["test", &root.join("five.lua").to_string_lossy()]);
    assert!(!out.status.success());
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("test(name, fn) expects a function as its second argument, got number"),
        "{stdout}"
    );
    let out = crescent(&["test", &root.join("nameless.lua").to_string_lossy()]);
    assert!(!out.status.success());
    assert!(
        text(&out.stdout).contains("test(name, fn) expects a string name, got nil"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn a_cyclic_require_from_main_says_so() {
    let assets = temp_assets(&[
        ("main.lua", "require('a')"),
        ("a.lua", "return require('b')"),
        ("b.lua", "return require('a')"),
    ]);
    let dir = assets.path().to_string_lossy().into_owned();
    let out = crescent(&["run", &dir, "--frames", "1"]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("cyclic require of 'a': a.lua -> b.lua -> a.lua"),
        "{stderr}"
    );
    assert!(!stderr.contains("stack overflow"), "{stderr}");
}
