//! Structured input: the bytes pick a sequence of Lua API calls from a fixed menu
//! (huge names, ever-new event names, lifecycle names as events, task coroutines kept and
//! resumed later, writes to `package` and the string library, odd and cyclic module
//! names, big payloads, big errors), each wrapped in `pcall`, placed in one of a script's
//! phases (top level, `init`, `update`, `fixed_update`, `final`). The program becomes
//! `fuzz.lua`, spawned twice next to a bystander (`victim.lua`) that checks every frame
//! that its view of the shared tables and its own handler calls are unchanged; 6 frames,
//! the memory limit (64 MiB) and the instruction budget (10^6) on.
//!
//! A finding: a panic, a hang, or the bystander reporting a change (this target panics
//! with what it saw). `CRESCENT_FUZZ_VERBOSE=1` prints the generated program and the
//! run's report.

#![no_main]

use std::{fmt::Write as _, path::PathBuf, sync::OnceLock};

use libfuzzer_sys::fuzz_target;

/// Files next to `fuzz.lua`: the bystander and the modules `require` can find.
const FILES: &[(&str, &str)] = &[
    ("victim.lua", include_str!("../assets/api_ops/victim.lua")),
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

/// The main chunk: the bystander first, then the fuzzed script twice.
const MAIN: &[u8] = b"world.spawn({ name = 'victim', script = 'victim.lua' }) \
pcall(world.spawn, { script = 'fuzz.lua' }) \
pcall(world.spawn, { script = 'fuzz.lua', props = { n = 1 } })";

/// Run after the frames: fails with `VICTIM:` and what the bystander saw.
const CHECK: &[u8] = b"local v = world.find('victim') \
if v and v:alive() then local s = v:script('victim.lua') \
if s and s.bad and #s.bad > 0 then error('VICTIM: ' .. table.concat(s.bad, '; '), 0) end end";

const LIFECYCLE: [&str; 5] = ["init", "update", "fixed_update", "final", "on_reload"];

const PACKAGE_WRITES: [&str; 10] = [
    "package.loaded.string.format = nil",
    "package.config = 'poison'; package.path = 'poison'",
    "package.loaded['lib.util'] = 'poison'; package.loaded.injected = 'poison'",
    "package.loaded.table.insert = nil; string.format = nil",
    "package.loaded.coroutine.resume = nil; package.loaded.package = nil",
    "local s = require('string'); s.rep = nil; package = nil",
    "string.x = 1; string.upper = function() return 'poison' end",
    "getmetatable('').__index = { upper = function() return 'poison' end }",
    "require('lib.util').inc = nil; math.floor = nil",
    "package.preload.evil = function() return 'poison' end; package.searchers = {}",
];

const MODULES: [&str; 16] = [
    "lib.util",
    "lib/util",
    "lib.//util",
    "lib..util",
    ".lib.util",
    "lib.util.",
    "lib.cycle_a",
    "lib/cycle_b",
    "lib.self_cycle",
    "fuzz",
    "victim",
    "../fuzz",
    "",
    "lib\\\\util",
    "string",
    "evil",
];

/// One call from the menu; `p` is the operation's parameter byte.
fn op(out: &mut String, kind: u8, p: u8) {
    let p = usize::from(p);
    let _ = match kind % 16 {
        0 => write!(
            out,
            "local n = string.rep('x', {len}) local v = world.find('victim') \
             if v then pcall(v.send, v, n, 1) end pcall(world.broadcast, n) \
             pcall(world.spawn, {{ name = n }}) pcall(world.emit, n, {{}}) \
             pcall(self_ and self_.on or print, self_, n, function() end) \
             pcall(function() world.spawn({{}}):set('Name', n) end)",
            len = 1 + p * 16
        ),
        1 => write!(
            out,
            "for i = 1, {p} do uid = uid + 1 pcall(world.broadcast, 'u' .. uid, i) \
             local v = world.find('victim') if v then pcall(v.send, v, 'v' .. uid, i) end \
             pcall(world.emit, 'm' .. uid, i) end"
        ),
        2 => write!(
            out,
            "if self_ then for i = 1, {p} do uid = uid + 1 \
             pcall(self_.on, self_, 'h' .. uid, function(self, x) self.last = x end) end end"
        ),
        3 => write!(
            out,
            "local v = world.find('victim') local n = '{0}' \
             if v then pcall(v.send, v, n, 'x') end pcall(world.broadcast, n, 'x') \
             if self_ then pcall(self_.entity.send, self_.entity, n) \
             pcall(self_.on, self_, n, function(self, a) self.lc = a end) end",
            LIFECYCLE[p % LIFECYCLE.len()]
        ),
        4 => write!(
            out,
            "pcall(task.spawn, function() kept[#kept + 1] = coroutine.running() \
             local w = task.wait({0}) kept_ok = type(w) == 'number' end)",
            p as f64 / 200.0
        ),
        5 => write!(
            out,
            "for _, co in ipairs(kept) do pcall(coroutine.resume, co, 'injected') \
             pcall(coroutine.close, co) pcall(coroutine.status, co) end"
        ),
        6 => write!(
            out,
            "pcall(function() {} end)",
            PACKAGE_WRITES[p % PACKAGE_WRITES.len()]
        ),
        7 => write!(out, "pcall(require, '{}')", MODULES[p % MODULES.len()]),
        8 => write!(
            out,
            "pcall(world.emit, 'p', {{ s = string.rep('y', {0} * 1024) }}) \
             local t = {{}} for i = 1, {0} * 16 do t[i] = i end pcall(world.emit, 'w', t)",
            p
        ),
        9 => write!(
            out,
            "pcall(task.spawn, function() local me = coroutine.running() kept[#kept + 1] = me \
             pcall(coroutine.resume, me) pcall(coroutine.close, me) pcall(coroutine.yield, {p}) \
             task.wait(0) end)"
        ),
        10 => write!(
            out,
            "local ok, t = pcall(task.delay, {0}, function() kept[#kept + 1] = coroutine.running() end) \
             if ok and {p} % 2 == 0 then pcall(task.cancel, t) end \
             if #kept > 0 then pcall(task.cancel, kept[#kept]) end",
            p as f64 / 100.0
        ),
        11 => write!(
            out,
            "local v = world.find('victim') if v then pcall(v.send, v, 'poke', {{ n = {p} }}) \
             pcall(v.script, v, 'victim.lua') end pcall(world.broadcast, 'poke', {p})"
        ),
        12 => write!(
            out,
            "pcall(error, string.rep('e', {0} * 256)) \
             pcall(error, setmetatable({{}}, {{ __tostring = function() return string.rep('t', {0}) end }}))",
            p
        ),
        13 => write!(
            out,
            "local co = coroutine.wrap(function() for i = 1, {p} do coroutine.yield(i) end end) \
             pcall(co) pcall(co) kept[#kept + 1] = coroutine.running()"
        ),
        14 => write!(
            out,
            "if self_ and ({p} % 3 == 0) then pcall(self_.entity.detach, self_.entity, 'fuzz.lua') \
             elseif self_ and ({p} % 3 == 1) then pcall(self_.entity.attach, self_.entity, 'victim.lua') \
             else pcall(world.find, string.rep('q', {p} * 8)) end"
        ),
        _ => write!(
            out,
            "local u = 0 for k, v in pairs(package.loaded) do u = u + 1 end \
             pcall(rawset, package.loaded, 'k{p}', {p}) pcall(setmetatable, package.loaded, {{}})"
        ),
    };
}

/// Builds the program: for each pair of bytes (kind, parameter), the kind's low 4 bits
/// pick the call and its high bits the phase (0 top level, 1 init, 2 update,
/// 3 fixed_update, 4 final; more wraps around). At most 64 calls.
fn program(data: &[u8]) -> String {
    let mut phases: [String; 5] = Default::default();
    for pair in data.chunks(2).take(64) {
        let kind = pair[0];
        let p = pair.get(1).copied().unwrap_or(0);
        let phase = usize::from(kind >> 4) % phases.len();
        // `do ... end`: each call's locals end with it (Lua allows 200 per function).
        phases[phase].push_str("do ");
        op(&mut phases[phase], kind & 0x0f, p);
        phases[phase].push_str(" end\n");
    }
    let [top, init, update, fixed, fin] = phases;
    format!(
        "local s, kept, uid, kept_ok = {{}}, {{}}, 0, true\nlocal self_ = nil\n{top}\
         function s.init(self)\nself_ = self\n{init}end\n\
         function s.update(self, dt)\nself_ = self\n{update}end\n\
         function s.fixed_update(self, dt)\nself_ = self\n{fixed}end\n\
         function s.final(self)\nself_ = self\n{fin}end\n\
         return s\n"
    )
}

/// A fixed assets folder per process, created once.
fn assets() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir =
            std::env::temp_dir().join(format!("crescent-fuzz-api_ops-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("lib")).expect("create the fuzz assets folder");
        for (name, text) in FILES {
            std::fs::write(dir.join(name), text).expect("write a helper file");
        }
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let dir = assets();
    let source = program(data);
    std::fs::write(dir.join("fuzz.lua"), &source).expect("write fuzz.lua");

    let mut cfg = crescent::game::GameConfig::new(dir.clone());
    cfg.script.memory_limit = Some(64 << 20);
    cfg.script.budget = crescent::script::ScriptBudget::Instructions { per_call: 1_000_000, per_frame: Some(5_000_000) };
    let mut game = crescent::game::Game::new(cfg).expect("the assets folder exists");
    let main = crescent::script::ScriptRuntime::exec(game.app.world_mut(), MAIN, "main.lua");
    for _ in 0..6 {
        game.step();
    }
    let check = crescent::script::ScriptRuntime::exec(game.app.world_mut(), CHECK, "check.lua");
    if verbose() {
        eprintln!("{source}");
        eprintln!("main.lua: {main:?}\ncheck.lua: {check:?}");
        eprintln!("frame times (ms): {:?}", game.frame_times_ms());
        eprintln!("{}", game.report().to_text());
    }
    if let Err(err) = check {
        let err = err.to_string();
        if err.contains("VICTIM:") {
            panic!("the bystander saw another script's doing: {err}\n--- fuzz.lua ---\n{source}");
        }
    }
});

/// `CRESCENT_FUZZ_VERBOSE=1` prints the program and the run's report after each input.
fn verbose() -> bool {
    static VERBOSE: OnceLock<bool> = OnceLock::new();
    *VERBOSE.get_or_init(|| std::env::var_os("CRESCENT_FUZZ_VERBOSE").is_some())
}
