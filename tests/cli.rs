//! The command line: `crescent run` and `crescent test`, their output and exit codes.

mod common;

use std::process::{Command, Output};

use common::{repo_assets, temp_assets};

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

#[test]
fn run_prints_a_json_report_with_every_field() {
    let out = crescent(&["run", "assets", "--frames", "120", "--report", "json"]);
    assert!(out.status.success(), "stderr: {}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    for field in [
        "frames",
        "entities",
        "scripts",
        "handlers",
        "handler_calls",
        "events_delivered",
        "events_dropped",
        "errors",
        "lua_memory_bytes",
        "gc",
        "frame_time_ms",
    ] {
        assert!(
            report.get(field).is_some(),
            "missing field {field}: {report}"
        );
    }
    assert_eq!(report["frames"], 120);
    assert!(report["entities"].as_u64().unwrap_or(0) >= 2, "{report}");
    assert!(
        report["handler_calls"].as_u64().unwrap_or(0) > 120,
        "{report}"
    );
    assert!(
        report["gc"]["steps"].as_u64().unwrap_or(0) >= 120,
        "{report}"
    );
    for field in ["median", "p99", "max"] {
        assert!(
            report["frame_time_ms"][field]
                .as_f64()
                .is_some_and(|v| v > 0.0),
            "{report}"
        );
    }
    assert!(
        report["errors"].as_array().is_some_and(Vec::is_empty),
        "{report}"
    );
}

#[test]
fn run_text_report_is_a_short_table() {
    let out = crescent(&["run", "--frames", "30"]);
    assert!(out.status.success(), "stderr: {}", text(&out.stderr));
    let stdout = text(&out.stdout);
    for label in [
        "frames",
        "entities",
        "handler calls",
        "lua memory",
        "frame time",
        "errors",
    ] {
        assert!(stdout.contains(label), "missing {label}: {stdout}");
    }
}

#[test]
fn run_reports_script_errors_and_still_exits_zero() {
    let assets = temp_assets(&[
        ("main.lua", r#"world.spawn{ script = "boom.lua" }"#),
        (
            "boom.lua",
            "return { update = function(self) error('kaboom') end }\n",
        ),
    ]);
    let dir = assets.path().to_string_lossy().into_owned();
    let out = crescent(&["run", &dir, "--frames", "3", "--report", "json"]);
    assert!(out.status.success(), "stderr: {}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let errors = report["errors"].as_array().expect("errors list");
    assert_eq!(errors.len(), 3);
    assert_eq!(errors[0]["script"], "boom.lua");
    assert_eq!(errors[0]["event"], "update");
    assert_eq!(errors[0]["frame"], 1);
    assert!(errors[0]["entity"].is_u64());
    assert!(
        errors[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("boom.lua:1: kaboom")),
        "{report}"
    );
}

#[test]
fn run_with_missing_assets_folder_fails_naming_it() {
    let out = crescent(&["run", "no/such/assets", "--frames", "1"]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("assets folder not found: no/such/assets"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn run_with_missing_main_script_fails_naming_it() {
    let out = crescent(&["run", "assets", "--main", "nope.lua", "--frames", "1"]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("main script not found: assets/nope.lua"),
        "{stderr}"
    );
}

#[test]
fn run_with_a_broken_main_script_fails_with_file_and_line() {
    let assets = temp_assets(&[(
        "main.lua",
        "local x = \nworld.spawn{ script = 'missing.lua' }\n",
    )]);
    let dir = assets.path().to_string_lossy().into_owned();
    let out = crescent(&["run", &dir, "--frames", "1"]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("script not found: 'missing.lua'"),
        "{stderr}"
    );

    let assets = temp_assets(&[("main.lua", "world.spawn{\n  name = 'x'\n  oops\n}\n")]);
    let dir = assets.path().to_string_lossy().into_owned();
    let out = crescent(&["run", &dir, "--frames", "1"]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("main.lua:3:"), "{stderr}");
}

#[test]
fn run_rejects_a_bad_hz() {
    for hz in ["0", "-5", "1e-300", "0.0001", "inf", "NaN", "10001"] {
        let out = crescent(&["run", "--frames", "1", "--hz", hz]);
        assert!(!out.status.success(), "--hz {hz}");
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains(&format!("--hz must be between 0.001 and 10000, got {hz}")),
            "--hz {hz}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn test_command_reports_each_test_and_the_totals() {
    let tests = temp_assets(&[(
        "t/sample.lua",
        "test('passes', function(t) t:eq(1 + 1, 2) end)\n\
         test('fails', function(t)\n  t:step(2)\n  t:eq(time.frame, 3)\nend)\n\
         test('raises', function(t) error('no good') end)\n",
    )]);
    let path = tests.path().join("t");
    let path = path.to_string_lossy().into_owned();
    let assets = repo_assets();
    let out = crescent(&["test", "--assets", &assets.to_string_lossy(), &path]);
    assert!(!out.status.success(), "a failure means a non-zero exit");
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("ok   ") && stdout.contains(":: passes"),
        "{stdout}"
    );
    assert!(
        stdout.contains("FAIL ") && stdout.contains(":: fails"),
        "{stdout}"
    );
    assert!(
        stdout.contains("sample.lua:4: expected 3, got 2"),
        "{stdout}"
    );
    assert!(stdout.contains("sample.lua:6: no good"), "{stdout}");
    assert!(
        stdout.trim_end().ends_with("1 passed, 2 failed"),
        "{stdout}"
    );
}

#[test]
fn test_command_passes_the_repository_suite() {
    let out = crescent(&["test"]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.trim_end().ends_with(" 0 failed"), "{stdout}");
}

#[test]
fn test_command_with_a_missing_path_fails_naming_it() {
    let out = crescent(&["test", "no/such/tests"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("test path not found: no/such/tests"));
}

#[test]
fn test_file_that_does_not_compile_is_one_failure_with_file_and_line() {
    let tests = temp_assets(&[("broken.lua", "test('x', function(t)\n  t:eq(1,\nend)\n")]);
    let path = tests
        .path()
        .join("broken.lua")
        .to_string_lossy()
        .into_owned();
    let out = crescent(&["test", &path]);
    assert!(!out.status.success());
    let stdout = text(&out.stdout);
    assert!(stdout.contains("broken.lua:3:"), "{stdout}");
    assert!(stdout.contains("0 passed, 1 failed"), "{stdout}");
}

#[test]
fn check_reports_the_broken_file_among_good_ones() {
    let assets = temp_assets(&[
        ("good.lua", "return { update = function(self, dt) end }\n"),
        (
            "lib/util.lua",
            "local M = {}\nfunction M.f() return 1 end\nreturn M\n",
        ),
        (
            "scripts/broken.lua",
            "local M = {}\nfunction M.update(self\n  return 1\nend\nreturn M\n",
        ),
    ]);
    let dir = assets.path().to_string_lossy().into_owned();
    let out = crescent(&["check", &dir]);
    assert!(!out.status.success());
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(lines[0].starts_with("scripts/broken.lua:3:"), "{stdout}");
    assert!(
        lines[1].contains("checked 3 scripts") && lines[1].contains("1 with problems"),
        "{stdout}"
    );
}

#[test]
fn check_passes_the_demo_and_says_so_in_one_line() {
    let out = crescent(&["check", "assets"]);
    assert!(out.status.success(), "{}", text(&out.stdout));
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.contains("no problems"), "{stdout}");
    let out = crescent(&["check", "no/such/dir"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("assets folder not found: no/such/dir"));
}

#[test]
fn a_handler_failing_every_frame_does_not_flood_the_log() {
    let assets = temp_assets(&[
        ("main.lua", r#"world.spawn{ script = "boom.lua" }"#),
        (
            "boom.lua",
            "return { update = function(self) error('again') end }\n",
        ),
    ]);
    let dir = assets.path().to_string_lossy().into_owned();
    let out = crescent(&["run", &dir, "--frames", "150", "--report", "json"]);
    assert!(out.status.success());
    let stderr = text(&out.stderr);
    let logged = stderr.matches("script error").count();
    assert_eq!(logged, 3, "frames 1, 61 and 121: {stderr}");
    assert!(
        stderr.contains("(59 similar errors not logged)"),
        "{stderr}"
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["error_count"], 150, "every error is still counted");
}
