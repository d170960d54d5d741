//! The sandbox: what scripts get, and each script file's own environment.
//!
//! Built by allow-list: a state with only the safe standard libraries, then `os` cut down
//! to `clock`/`time`/`date`, no `dofile`/`loadfile`, `load` restricted to text chunks,
//! `require` confined to the assets root, the collector left to the GC policy, and no
//! `__gc` finalizers (they would run outside any budget, whenever the collector runs).
//!
//! Every script file, module and loaded chunk runs in its own environment: a table whose
//! `__index` is the shared globals (hidden behind `__metatable`), holding its own shallow
//! copy of every global table (the libraries and the API tables installed above this
//! layer). So a global assigned in one script is not seen by another, and
//! `string.format = nil` or `rawset(math, ...)` changes that script's copy only. `time` is
//! a read-only view, since the runtime updates it every phase. The string metatable is
//! hidden too, so `getmetatable("").__index` cannot reach the real `string` table.
//!
//! `package` is per environment too: its own `config` and `path` strings and its own
//! `package.loaded`, which holds that environment's library copies (so
//! `package.loaded.string == string`) and reads the runtime's modules through an
//! `__index` it cannot reach. A write to it stays in that environment; `require` uses
//! the runtime's own table of modules, which scripts see but cannot change. A module's
//! table itself is shared, as modules are.

mod builtins;
mod protect;

use std::cell::RefCell;

use mlua::{Function, Lua, LuaOptions, StdLib, Table, Value};

use super::Vm;
use crate::data::error::CrescentError;
use crate::data::error::internal_chunk;

pub(crate) use builtins::join_values;

/// What every new environment is built from; set once the globals are sealed.
#[derive(Debug, Default)]
pub(crate) struct Sandbox {
    parts: RefCell<Option<EnvParts>>,
}

#[derive(Debug)]
struct EnvParts {
    /// The shared globals, which environments copy their tables from.
    globals: Table,
    /// Metatable of environments: `__index` = the shared globals that are not tables (the
    /// functions and constants). A script that clears its own copy of `string`, `package`
    /// or `time` finds nothing behind it, never the shared table every script sees.
    env_meta: Table,
    /// Metatable of each environment's read-only `time` view.
    time_meta: Table,
    /// Global tables each environment gets its own shallow copy of.
    copied: Vec<String>,
    /// Metatable of each environment's `package.loaded`: `__index` = the modules.
    loaded_meta: Table,
    /// `package.config`.
    package_config: String,
}

/// Standard libraries `require` and `package.loaded` give by name.
pub(crate) const STD_LIBS: [&str; 6] = ["string", "table", "math", "utf8", "coroutine", "os"];

/// `package.path`: modules are `a/b.lua` under the assets root for `a.b`.
const PACKAGE_PATH: &str = "?.lua";

/// Creates a Lua state with the allowed standard libraries only.
pub(super) fn new_lua() -> Result<Lua, CrescentError> {
    let libs = StdLib::COROUTINE
        | StdLib::TABLE
        | StdLib::STRING
        | StdLib::UTF8
        | StdLib::MATH
        | StdLib::OS;
    Ok(Lua::new_with(libs, LuaOptions::default())?)
}

/// Cuts the built-ins down and installs `load`, `print` and the protected `pcall` family.
pub(super) fn install(lua: &Lua, max_source_bytes: usize) -> Result<(), CrescentError> {
    let globals = lua.globals();
    for name in ["dofile", "loadfile"] {
        globals.raw_set(name, Value::Nil)?;
    }
    builtins::restrict_collectgarbage(lua, &globals)?;
    builtins::restrict_setmetatable(lua, &globals)?;
    // Lua seeds `math.random` from the clock; a fixed seed keeps runs reproducible.
    let math: Table = globals.raw_get("math")?;
    math.raw_get::<Function>("randomseed")?
        .call::<()>(0x6372_6573)?;
    builtins::restrict_os(lua, &globals)?;
    builtins::install_load(lua, &globals, max_source_bytes)?;
    builtins::install_print(lua, &globals)?;
    protect::install(lua, &globals)
}

/// Freezes the globals as every environment's base, once the API is installed.
pub(super) fn seal(lua: &Lua, vm: &Vm) -> Result<(), CrescentError> {
    let globals = lua.globals();
    globals.raw_set("_G", Value::Nil)?;
    hide_string_metatable(lua)?;
    let mut copied = Vec::new();
    for pair in globals.pairs::<Value, Value>() {
        if let (Value::String(name), Value::Table(_)) = pair? {
            let name = name.to_str()?.to_owned();
            if name != "time" && name != "package" {
                copied.push(name);
            }
        }
    }
    copied.sort();
    let base = lua.create_table()?;
    for pair in globals.pairs::<Value, Value>() {
        let (name, value) = pair?;
        if !matches!(value, Value::Table(_)) {
            base.raw_set(name, value)?;
        }
    }
    let env_meta = lua.create_table()?;
    env_meta.raw_set("__index", base)?;
    env_meta.raw_set("__metatable", false)?;
    let time_meta = lua.create_table()?;
    time_meta.raw_set("__index", vm.clock().table())?;
    time_meta.raw_set(
        "__newindex",
        lua.load(
            "return function(_, key) error('time.' .. tostring(key) .. ' is read-only', 2) end",
        )
        .set_name(internal_chunk("time"))
        .eval::<Function>()?,
    )?;
    time_meta.raw_set("__metatable", false)?;
    let package: Table = globals.raw_get("package")?;
    let loaded_meta = lua.create_table()?;
    loaded_meta.raw_set("__index", package.raw_get::<Table>("loaded")?)?;
    loaded_meta.raw_set("__metatable", false)?;
    let package_config: String = package.raw_get("config")?;
    *vm.sandbox().parts.borrow_mut() = Some(EnvParts {
        globals,
        env_meta,
        time_meta,
        copied,
        loaded_meta,
        package_config,
    });
    Ok(())
}

impl Sandbox {
    /// Adds a global every script environment sees (host code's own functions, say):
    /// in the shared globals and in what environments fall back to.
    pub(crate) fn set_global(
        &self,
        lua: &Lua,
        name: &str,
        value: Value,
    ) -> Result<(), CrescentError> {
        lua.globals().raw_set(name, value.clone())?;
        if let Some(parts) = self.parts.borrow().as_ref() {
            let base: Table = parts.env_meta.raw_get("__index")?;
            base.raw_set(name, value)?;
        }
        Ok(())
    }

    pub(super) fn clear(&self) {
        self.parts.borrow_mut().take();
    }
}

fn hide_string_metatable(lua: &Lua) -> Result<(), CrescentError> {
    let meta: Table = lua
        .load("return getmetatable('')")
        .set_name(internal_chunk("sandbox"))
        .eval()?;
    meta.raw_set("__metatable", false)?;
    Ok(())
}

/// A fresh environment: its own globals and library copies over the shared built-ins.
pub(crate) fn new_env(lua: &Lua, vm: &Vm) -> Result<Table, CrescentError> {
    let (globals, meta, time_meta, copied, loaded_meta, package_config) =
        match vm.sandbox().parts.borrow().as_ref() {
            Some(parts) => (
                parts.globals.clone(),
                parts.env_meta.clone(),
                parts.time_meta.clone(),
                parts.copied.clone(),
                parts.loaded_meta.clone(),
                parts.package_config.clone(),
            ),
            None => return Err(CrescentError::RuntimeClosed),
        };
    let env = lua.create_table_with_capacity(0, copied.len() + 2)?;
    for name in &copied {
        if let Value::Table(shared) = globals.raw_get::<Value>(name.as_str())? {
            env.raw_set(name.as_str(), shallow_copy(lua, &shared)?)?;
        }
    }
    let time = lua.create_table()?;
    time.set_metatable(Some(time_meta))?;
    env.raw_set("time", time)?;
    env.raw_set(
        "package",
        new_package(lua, &env, loaded_meta, &package_config)?,
    )?;
    env.raw_set("_G", env.clone())?;
    env.set_metatable(Some(meta))?;
    Ok(env)
}

/// An environment's own `package`: `loaded` holds its library copies and itself, and
/// reads modules through `loaded_meta`.
fn new_package(
    lua: &Lua,
    env: &Table,
    loaded_meta: Table,
    config: &str,
) -> Result<Table, CrescentError> {
    let package = lua.create_table()?;
    let loaded = lua.create_table()?;
    for lib in STD_LIBS {
        loaded.raw_set(lib, env.raw_get::<Value>(lib)?)?;
    }
    loaded.raw_set("package", package.clone())?;
    loaded.set_metatable(Some(loaded_meta))?;
    package.raw_set("loaded", loaded)?;
    package.raw_set("config", config)?;
    package.raw_set("path", PACKAGE_PATH)?;
    Ok(package)
}

/// A new table with the same keys and values.
pub(crate) fn shallow_copy(lua: &Lua, table: &Table) -> mlua::Result<Table> {
    let copy = lua.create_table()?;
    for pair in table.pairs::<Value, Value>() {
        let (k, v) = pair?;
        copy.raw_set(k, v)?;
    }
    Ok(copy)
}
