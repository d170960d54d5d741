//! The functions `native/crescent.c` exports, and the one safe wrapper over each.

use std::ffi::c_int;

use mlua::ffi::{lua_Hook, lua_State};

/// What `crescent_enter` saved, for `crescent_leave` to restore.
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct Saved {
    running: *mut lua_State,
    base: *mut lua_State,
    counting: c_int,
}

unsafe extern "C" {
    fn crescent_set_forward_hook(hook: Option<lua_Hook>, period: c_int);
    fn crescent_enter(main: *mut lua_State, count_instructions: c_int) -> Saved;
    fn crescent_leave(saved: Saved);
    fn crescent_is_armed() -> c_int;
    fn crescent_take_uncounted() -> i64;
    fn crescent_arm_now();
    #[cfg(unix)]
    fn crescent_install_signal(signo: c_int) -> c_int;
}

unsafe extern "C-unwind" {
    /// Stock `luaopen_string` (build.rs compiles it a second time under this name).
    pub(crate) fn crescent_luaopen_string_stock(state: *mut lua_State) -> c_int;
}

/// Makes `hook` the hook an armed thread runs, every `period` instructions.
pub(crate) fn set_forward_hook(hook: Option<lua_Hook>, period: u32) {
    let period = c_int::try_from(period).unwrap_or(c_int::MAX);
    // SAFETY: stores a function pointer and an int in C globals; the pointer is mlua's
    // hook function, valid for the whole process.
    unsafe { crescent_set_forward_hook(hook, period) }
}

/// Starts a budgeted call on `main` for this OS thread.
pub(crate) fn enter(main: *mut lua_State, count_instructions: bool) -> Saved {
    // SAFETY: only stores the pointer in thread-locals; C dereferences it (to set a hook)
    // only while the call runs, and the caller's `Lua` keeps the state alive meanwhile.
    unsafe { crescent_enter(main, c_int::from(count_instructions)) }
}

/// Ends the budgeted call `saved` came from.
pub(crate) fn leave(saved: Saved) {
    // SAFETY: restores thread-locals to values `enter` read on this same thread.
    unsafe { crescent_leave(saved) }
}

/// Whether the watchdog (or [`arm_now`]) has armed this thread's running call.
pub(crate) fn is_armed() -> bool {
    // SAFETY: reads a thread-local flag.
    unsafe { crescent_is_armed() != 0 }
}

/// Instructions run by coroutines since their last hook, taken (instruction mode).
pub(crate) fn take_uncounted() -> u64 {
    // SAFETY: reads and clears a thread-local counter.
    u64::try_from(unsafe { crescent_take_uncounted() }).unwrap_or(0)
}

/// Arms this thread's running call now.
pub(crate) fn arm_now() {
    // SAFETY: sets the hook on the thread-local running states, which `enter` set to
    // states the running call keeps alive (or to null, which C skips).
    unsafe { crescent_arm_now() }
}

/// Installs the arming signal handler for `signo`.
#[cfg(unix)]
pub(crate) fn install_signal(signo: c_int) -> std::io::Result<()> {
    // SAFETY: `sigaction` with a handler that only calls `lua_sethook` (async-signal-safe
    // by Lua's own contract, as lua.c relies on) and writes `sig_atomic_t` flags.
    match unsafe { crescent_install_signal(signo) } {
        0 => Ok(()),
        _ => Err(std::io::Error::last_os_error()),
    }
}
