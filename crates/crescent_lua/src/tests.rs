//! The native budget on a bare mlua state: the watchdog arms an overrunning call on every
//! Lua thread, and a call within its limit never traps.

use std::time::Duration;

use mlua::{HookTriggers, Lua, VmState};

use crate::{MainThread, Watch, adopt_hook, enter, is_armed, thread_cpu_time};

/// A state whose adopted hook raises "stopped" whenever it runs (it runs only once armed).
fn armed_lua() -> (Lua, MainThread) {
    let lua = Lua::new();
    lua.set_global_hook(HookTriggers::new().every_nth_instruction(1000), |_, _| {
        Err::<VmState, _>(mlua::Error::runtime("stopped"))
    })
    .expect("hook");
    adopt_hook(&lua, 1000).expect("adopt");
    let main = MainThread::of(&lua).expect("main");
    (lua, main)
}

#[cfg(target_os = "linux")]
#[test]
fn the_watchdog_stops_a_loop_on_the_main_thread_and_in_coroutines() {
    let (lua, main) = armed_lua();
    let watch = Watch::new(Duration::from_millis(10), None).expect("watch");
    for source in [
        "while true do end",
        "coroutine.wrap(function() while true do end end)()",
        "local function tree(d) if d > 0 then coroutine.wrap(tree)(d - 1) coroutine.wrap(tree)(d - 1) end end tree(40)",
    ] {
        let _call = enter(main, false);
        watch.begin_call();
        let result = lua.load(source).exec();
        watch.end_call();
        let err = result.expect_err(source).to_string();
        assert!(err.contains("stopped"), "{source}: {err}");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_call_within_its_limit_is_never_armed_and_leaving_disarms() {
    let (lua, main) = armed_lua();
    let watch = Watch::new(Duration::from_secs(5), None).expect("watch");
    {
        let _call = enter(main, false);
        watch.begin_call();
        let sum: i64 = lua
            .load("local s = 0 for i = 1, 100000 do s = s + i end return s")
            .eval()
            .expect("runs unhooked");
        watch.end_call();
        assert_eq!(sum, 5_000_050_000);
        assert!(!is_armed());
        crate::arm_now();
        assert!(is_armed(), "arm_now arms the running call");
    }
    assert!(!is_armed(), "the outermost call's end disarms");
    let _call = enter(main, false);
    let result: i64 = lua
        .load("return 1 + 1")
        .eval()
        .expect("a hook left on the main thread removes itself");
    assert_eq!(result, 2);
}

#[cfg(target_os = "linux")]
#[test]
fn the_thread_cpu_clock_moves_forward() {
    let before = thread_cpu_time().expect("Linux has a thread CPU clock");
    let mut x = 0u64;
    for i in 0..2_000_000u64 {
        x = std::hint::black_box(x.wrapping_add(i));
    }
    let after = thread_cpu_time().expect("clock");
    assert!(after > before, "{before:?} -> {after:?} ({x})");
}
