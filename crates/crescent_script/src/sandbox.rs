//! The sandbox: which parts of Lua scripts get, and each script's own environment.
//!
//! Built by allow-list: a state with only the safe standard libraries, then `os` cut down
//! to `clock`/`time`/`date`, no `dofile`/`loadfile`, `load` restricted to text chunks,
//! and `require` confined to the assets root. Every script file and module runs in its
//! own environment table whose `__index` is the shared globals, so a global assigned in
//! one script is not seen by another.

use std::rc::Rc;

use mlua::{
    Function, Lua, LuaOptions, LuaString, MultiValue, StdLib, Table, Value, Variadic,
    chunk::ChunkMode,
};

use crate::{
    CrescentError,
    runtime::{Ctx, LuaValues},
};

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
    restrict_collectgarbage(lua, &globals)?;
    // Lua seeds `math.random` from the clock; a fixed seed keeps runs reproducible.
    let math: Table = globals.raw_get("math")?;
    math.raw_get::<Function>("randomseed")?
        .call::<()>(0x6372_6573)?;
    restrict_os(lua, &globals)?;
    install_load(lua, &globals)?;
    install_print(lua, &globals)?;

    let env_meta = lua.create_table()?;
    env_meta.raw_set("__index", globals.clone())?;

    let time = crate::api::install(lua, ctx, &globals)?;
    crate::loader::install_require(lua, &globals)?;
    Ok(LuaValues {
        instance_meta: crate::api::instance::instance_meta(lua)?,
        time,
        env_meta,
    })
}

/// The collector belongs to the runtime's `GcPolicy`: scripts may read and nudge it, not
/// stop it or change its mode.
fn restrict_collectgarbage(lua: &Lua, globals: &Table) -> Result<(), CrescentError> {
    let original: Function = globals.raw_get("collectgarbage")?;
    let wrapped = lua.create_function(move |_, args: MultiValue| {
        let option = match args.front() {
            None | Some(Value::Nil) => "collect".to_owned(),
            Some(Value::String(s)) => s.to_string_lossy(),
            Some(other) => {
                return Err(mlua::Error::runtime(format!(
                    "bad argument #1 to 'collectgarbage' (string expected, got {})",
                    other.type_name()
                )));
            }
        };
        match option.as_str() {
            "collect" | "count" | "step" | "isrunning" => original.call::<MultiValue>(args),
            other => Err(mlua::Error::runtime(format!(
                "collectgarbage('{other}') is not available to scripts: the runtime's GC policy owns the collector"
            ))),
        }
    })?;
    globals.raw_set("collectgarbage", wrapped)?;
    Ok(())
}

fn restrict_os(lua: &Lua, globals: &Table) -> Result<(), CrescentError> {
    let os: Table = globals.raw_get("os")?;
    let safe = lua.create_table()?;
    for name in ["clock", "time", "date"] {
        safe.raw_set(name, os.raw_get::<Value>(name)?)?;
    }
    globals.raw_set("os", safe)?;
    Ok(())
}

/// `load` for text chunks only; a chunk without an explicit environment gets a fresh one,
/// like a script file, rather than the shared globals.
fn install_load(lua: &Lua, globals: &Table) -> Result<(), CrescentError> {
    let load = lua.create_function(
        |lua, (chunk, name, _mode, env): (Value, Option<String>, Option<String>, Option<Table>)| {
            let source: Vec<u8> = match chunk {
                Value::String(s) => s.as_bytes().to_vec(),
                Value::Function(reader) => {
                    let mut source = Vec::new();
                    loop {
                        match reader.call::<Option<LuaString>>(())? {
                            Some(piece) if !piece.as_bytes().is_empty() => {
                                source.extend_from_slice(&piece.as_bytes())
                            }
                            _ => break,
                        }
                    }
                    source
                }
                other => {
                    return Err(mlua::Error::runtime(format!(
                        "bad argument #1 to 'load' (string expected, got {})",
                        other.type_name()
                    )));
                }
            };
            let ctx = Ctx::of(lua)?;
            let env = match env {
                Some(env) => env,
                None => new_env(lua, &ctx)?,
            };
            let chunk = lua
                .load(source)
                .set_name(name.unwrap_or_else(|| "=(load)".to_owned()))
                .set_mode(ChunkMode::Text)
                .set_environment(env);
            match chunk.into_function() {
                Ok(f) => Ok((Value::Function(f), Value::Nil)),
                Err(err) => {
                    let (message, _) = crate::error::split_lua_error(&err);
                    Ok((Value::Nil, Value::String(lua.create_string(message)?)))
                }
            }
        },
    )?;
    globals.raw_set("load", load)?;
    Ok(())
}

fn install_print(lua: &Lua, globals: &Table) -> Result<(), CrescentError> {
    let print = lua.create_function(|lua, args: Variadic<Value>| {
        tracing::info!(target: "lua", "{}", join_values(lua, args.into_iter().collect())?);
        Ok(())
    })?;
    globals.raw_set("print", print)?;
    Ok(())
}

/// `tostring` of every value, tab-separated, as Lua's `print` does.
pub(crate) fn join_values(lua: &Lua, values: MultiValue) -> mlua::Result<String> {
    let tostring: Function = lua.globals().raw_get("tostring")?;
    let mut out = String::new();
    for (i, value) in values.into_iter().enumerate() {
        if i > 0 {
            out.push('\t');
        }
        let text: LuaString = tostring.call(value)?;
        out.push_str(&text.to_string_lossy());
    }
    Ok(out)
}

/// A fresh environment: its own globals, falling back to the shared built-ins.
pub(crate) fn new_env(lua: &Lua, ctx: &Ctx) -> Result<Table, CrescentError> {
    let env = lua.create_table()?;
    let meta = ctx.values(|v| v.env_meta.clone())?;
    env.set_metatable(Some(meta))?;
    Ok(env)
}
