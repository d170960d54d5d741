//! Lua 5.4 as crescent builds it, and the native half of the script budget.
//!
//! mlua links this crate's Lua (mlua-sys's `external` feature) instead of building its
//! own. The build differs from stock Lua 5.4.9 in three ways:
//!
//! - **A fixed string-hash seed**, so `pairs` over string keys visits them in the same order
//!   in every process (stock Lua seeds from the clock and from addresses). Tables keyed by
//!   tables, functions or userdata still hash by address: their order is not reproducible.
//! - **No single C call runs unbounded**: pattern matching and plain `find` count their
//!   steps, and library functions whose work memory does not bound check their arguments;
//!   the work they do counts against the instruction budget, and their loops that call
//!   out (metamethods, order functions) run the budget's check as they go (see
//!   [`limits`]).
//! - **Every switch between Lua threads is seen** (a shim around `lua_resume`), so the
//!   budget reaches coroutines: a time budget arms the thread switched to, an instruction
//!   budget counts what each coroutine ran.
//!
//! The budget itself: [`Watch`] registers a Lua thread with the watchdog (time budget);
//! [`enter`] marks a budgeted call on the thread; [`adopt_hook`] makes mlua's hook the one
//! an armed thread runs. The Rust check the hook runs lives in crescent_script's VM layer.
#![allow(unsafe_code, reason = "the FFI boundary with the C side of the build")]

pub mod limits;
mod native;
mod watchdog;

use std::marker::PhantomData;

use mlua::{Lua, ffi::lua_State};

pub use self::watchdog::{TICK, Watch, WatchError, thread_cpu_time};

/// A budgeted call on this OS thread, from [`enter`] until dropped.
#[must_use = "the call is budgeted only while this guard lives"]
pub struct Entered {
    saved: native::Saved,
    /// Thread-bound: it restores this thread's state.
    _thread: PhantomData<*const ()>,
}

impl Drop for Entered {
    fn drop(&mut self) {
        native::leave(self.saved);
    }
}

/// The main Lua thread of a state, as the budget needs it.
#[derive(Clone, Copy, Debug)]
pub struct MainThread(*mut lua_State);

impl MainThread {
    /// `lua`'s main thread. Call it outside any Lua callback.
    pub fn of(lua: &Lua) -> mlua::Result<MainThread> {
        let mut main = std::ptr::null_mut();
        // SAFETY: the closure only copies the state pointer mlua hands it.
        unsafe { lua.exec_raw::<()>((), |state| main = state)? };
        Ok(MainThread(main))
    }
}

/// Marks a budgeted call on `main` until the guard drops; `count_instructions` turns on
/// the instruction mode's counting of coroutines. Nested calls keep the outer call's
/// state, so only the outermost call disarms.
///
/// The caller keeps the `Lua` that `main` belongs to alive while the guard lives.
pub fn enter(main: MainThread, count_instructions: bool) -> Entered {
    Entered {
        saved: native::enter(main.0, count_instructions),
        _thread: PhantomData,
    }
}

/// Makes the global hook just set on `lua` (with `Lua::set_global_hook`) the hook an
/// armed thread runs every `period` instructions, and removes it from the main thread:
/// until armed, no thread traps.
///
/// Call once per process mode: the hook is mlua's, the same function for every state.
pub fn adopt_hook(lua: &Lua, period: u32) -> mlua::Result<()> {
    // SAFETY: reads and clears the hook of the state mlua hands the closure.
    unsafe {
        lua.exec_raw::<()>((), |state| {
            native::set_forward_hook(mlua::ffi::lua_gethook(state), period);
            mlua::ffi::lua_sethook(state, None, 0, 0);
        })
    }
}

/// Whether this thread's running call has been armed (it ran past its time, or the frame
/// did).
pub fn is_armed() -> bool {
    native::is_armed()
}

/// Arms this thread's running call now (a frame already over its time).
pub fn arm_now() {
    native::arm_now();
}

/// Instructions coroutines ran since their last hook, and C work charged since then, that
/// no hook has counted yet (instruction mode); taking them resets the count.
pub fn take_uncounted() -> u64 {
    native::take_uncounted()
}

/// Opens Lua's stock string library (no step counting, no limits) in `lua` and returns
/// it. Like `luaopen_string`, it also becomes the strings' metatable `__index`, so method
/// calls (`s:find`) use it too. For benchmarks that compare it with crescent's.
#[doc(hidden)]
pub fn open_stock_string(lua: &Lua) -> mlua::Result<mlua::Table> {
    // SAFETY: `luaopen_string` is a `lua_CFunction` mlua calls like any other: it reads no
    // arguments and returns the library table.
    let open = unsafe { lua.create_c_function(native::crescent_luaopen_string_stock)? };
    open.call(())
}

#[cfg(test)]
mod tests;
