//! [`ScriptHost`]: a runtime seen from code that drives its Lua state directly (a test
//! runner, a console, a tool), including from inside Rust callbacks it installs in Lua.

use std::rc::Rc;

use bevy_ecs::world::World;
use mlua::{Function, Lua, Table};

use crate::{
    data::error::{CrescentError, split_lua_error},
    frame::{Core, reload},
    vm::compile_file,
};

/// The runtime that owns a Lua state, for host code running in it.
///
/// Get one with [`ScriptHost::of`] inside [`ScriptRuntime::lend_world`](crate::ScriptRuntime::lend_world)
/// (or inside a Rust callback called from there):
///
/// ```
/// use bevy_ecs::world::World;
/// use crescent_script::{ScriptConfig, ScriptHost, ScriptRuntime};
///
/// let mut world = World::new();
/// world.insert_non_send(ScriptRuntime::new(ScriptConfig::default())?);
/// let answer = ScriptRuntime::lend_world(&mut world, |lua| -> Result<i64, crescent_script::CrescentError> {
///     let host = ScriptHost::of(lua)?;
///     let chunk = host.compile("console", b"return 6 * 7", host.new_env()?)?;
///     Ok(host.budgeted(|| chunk.call::<i64>(()))?)
/// })??;
/// assert_eq!(answer, 42);
/// # Ok::<(), crescent_script::CrescentError>(())
/// ```
pub struct ScriptHost {
    lua: Lua,
    core: Rc<Core>,
}

impl ScriptHost {
    /// The runtime that owns `lua`.
    pub fn of(lua: &Lua) -> Result<Self, CrescentError> {
        Ok(Self {
            lua: lua.clone(),
            core: Core::of(lua)?,
        })
    }

    /// The Lua state.
    pub fn lua(&self) -> &Lua {
        &self.lua
    }

    /// Adds a global every script sees, in environments made before and after: how host
    /// code gives scripts functions of its own (writing to `lua.globals()` directly after
    /// the runtime is built reaches no script: environments fall back to a snapshot of
    /// the built-ins, so a script that clears its copy of a library finds nothing).
    pub fn set_global(&self, name: &str, value: impl mlua::IntoLua) -> Result<(), CrescentError> {
        let value = value.into_lua(&self.lua)?;
        self.core.vm().set_global(&self.lua, name, value)
    }

    /// A fresh script environment: its own globals over the shared built-ins.
    pub fn new_env(&self) -> Result<Table, CrescentError> {
        self.core.vm().new_env(&self.lua)
    }

    /// Compiles `source` as the file `chunk_name` (chunk name `@chunk_name`, text only:
    /// bytecode is refused) to run in `env`.
    pub fn compile(
        &self,
        chunk_name: &str,
        source: &[u8],
        env: Table,
    ) -> Result<Function, CrescentError> {
        compile_file(&self.lua, chunk_name, source, env)
    }

    /// Runs `f` under the instruction budget, as a handler call would, so a runaway loop
    /// in code the host runs (a test body, say) fails instead of hanging.
    pub fn budgeted<R>(&self, f: impl FnOnce() -> R) -> R {
        let _scope = self.core.vm().enter(None);
        f()
    }

    /// Runs `f` with the world lent to this runtime right now.
    pub fn with_world<R>(&self, f: impl FnOnce(&mut World) -> R) -> Result<R, CrescentError> {
        self.core.vm().world().with(f)
    }

    /// Publishes the script errors reported so far (log, [`ScriptErrorLog`](crate::ScriptErrorLog),
    /// messages) without waiting for the end of the current phase.
    pub fn publish_errors(&self) -> Result<(), CrescentError> {
        self.with_world(|world| self.core.publish_errors(world))
    }

    /// Hot-reloads `path` with `source` in place of its file, as `t:reload` does.
    pub fn reload(&self, path: &str, source: Vec<u8>) -> Result<bool, CrescentError> {
        reload::reload(&self.lua, &self.core, path, Some(source))
    }

    /// The message of an mlua error without its traceback: `file:line: message` where known.
    pub fn error_message(err: &mlua::Error) -> String {
        split_lua_error(err).0
    }
}
