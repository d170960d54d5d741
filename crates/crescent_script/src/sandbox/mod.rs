//! The sandbox: what scripts get, and each script file's own environment.
//!
//! Built by allow-list: a state with only the safe standard libraries, then `os` cut down
//! to `clock`/`time`/`date`, no `dofile`/`loadfile`, `load` restricted to text chunks,
//! `require` confined to the assets root, the collector left to the GC policy, and no
//! `__gc` finalizers (they would run outside any budget, whenever the collector runs).
//!
//! Every script file, module and loaded chunk runs in its own environment: a table whose
//! `__index` is the shared globals (hidden behind `__metatable`), holding its own shallow
//! copies of the libraries and API tables. So a global assigned in one script is not seen
//! by another, and `string.format = nil` or `rawset(math, ...)` changes that script's
//! copy only. `time` is a read-only view, since the runtime updates it every phase. The
//! string metatable is hidden too, so `getmetatable("").__index` cannot reach the real
//! `string` table.

mod builtins;
mod protect;

use std::rc::Rc;

use mlua::{Function, Lua, LuaOptions, StdLib, Table, Value};

use crate::{
    CrescentError,
    runtime::{Ctx, LuaValues},
};

pub(crate) use builtins::join_values;

/// Tables each environment gets its own shallow copy of.
pub(crate) const COPIED: [&str; 10] = [
    "string",
    "table",
    "math",
    "utf8",
    "coroutine",
    "os",
    "world",
    "task",
    "log",
    "package",
];

/// Creates a Lua state with the allowed standard libraries only.
pub(crate) fn new_lua() -> Result<Lua, CrescentError> {
    let libs = StdLib::COROUTINE
        | StdLib::TABLE
        | StdLib::STRING
        | StdLib::UTF8
        | StdLib::MATH
        | StdLib::OS;
    Ok(Lua::new_with(libs, LuaOptions::default())?)
}

/// Installs the sandboxed globals and the crescent API; returns the values the runtime keeps.
pub(crate) fn install(lua: &Lua, ctx: &Rc<Ctx>) -> Result<LuaValues, CrescentError> {
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
    builtins::install_load(lua, &globals)?;
    builtins::install_print(lua, &globals)?;
    protect::install(lua, &globals)?;

    let time = crate::api::install(lua, ctx, &globals)?;
    let package_loaded = crate::loader::install_require(lua, &globals)?;
    globals.raw_set("_G", Value::Nil)?;
    hide_string_metatable(lua)?;

    let env_meta = lua.create_table()?;
    env_meta.raw_set("__index", globals)?;
    env_meta.raw_set("__metatable", false)?;
    let time_meta = lua.create_table()?;
    time_meta.raw_set("__index", time.clone())?;
    time_meta.raw_set(
        "__newindex",
        lua.load(
            "return function(_, key) error('time.' .. tostring(key) .. ' is read-only', 2) end",
        )
        .set_name("=time")
        .eval::<Function>()?,
    )?;
    time_meta.raw_set("__metatable", false)?;
    Ok(LuaValues {
        loopers: crate::dispatch_list::loop_functions(lua)?,
        cur: lua.create_table()?,
        instance_meta: crate::api::instance::instance_meta(lua)?,
        time,
        time_meta,
        env_meta,
        package_loaded,
    })
}

fn hide_string_metatable(lua: &Lua) -> Result<(), CrescentError> {
    let meta: Table = lua
        .load("return getmetatable('')")
        .set_name("=sandbox")
        .eval()?;
    meta.raw_set("__metatable", false)?;
    Ok(())
}

/// A fresh environment: its own globals and library copies over the shared built-ins.
pub(crate) fn new_env(lua: &Lua, ctx: &Ctx) -> Result<Table, CrescentError> {
    let (meta, time_meta) = ctx.values(|v| (v.env_meta.clone(), v.time_meta.clone()))?;
    let globals: Table = meta.raw_get("__index")?;
    let env = lua.create_table_with_capacity(0, COPIED.len() + 2)?;
    for name in COPIED {
        if let Value::Table(shared) = globals.raw_get::<Value>(name)? {
            env.raw_set(name, shallow_copy(lua, &shared)?)?;
        }
    }
    let time = lua.create_table()?;
    time.set_metatable(Some(time_meta))?;
    env.raw_set("time", time)?;
    env.raw_set("_G", env.clone())?;
    env.set_metatable(Some(meta))?;
    Ok(env)
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
