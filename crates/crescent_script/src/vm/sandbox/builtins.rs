//! Built-ins cut down for scripts: `collectgarbage`, `os`, `load` and `print`.

use mlua::{Function, Lua, LuaString, MultiValue, Table, Value, Variadic};

use crate::{
    data::error::{CrescentError, split_lua_error},
    vm::{Vm, compile::compile},
};

/// The collector belongs to the runtime's `GcPolicy`: scripts may read and nudge it, not
/// stop it or change its mode.
pub(super) fn restrict_collectgarbage(lua: &Lua, globals: &Table) -> Result<(), CrescentError> {
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

/// `setmetatable` without finalizers: a `__gc` metamethod would run whenever the collector
/// gets to its object (in the GC phase, or in the middle of another script's handler).
pub(super) fn restrict_setmetatable(lua: &Lua, globals: &Table) -> Result<(), CrescentError> {
    let original: Function = globals.raw_get("setmetatable")?;
    let wrapped = lua.create_function(move |_, (table, meta): (Value, Value)| {
        if let Value::Table(meta) = &meta
            && meta.raw_get::<Value>("__gc")? != Value::Nil
        {
            return Err(mlua::Error::runtime(
                "setmetatable: __gc metamethods are not available to scripts",
            ));
        }
        original.call::<Value>((table, meta))
    })?;
    globals.raw_set("setmetatable", wrapped)?;
    Ok(())
}

pub(super) fn restrict_os(lua: &Lua, globals: &Table) -> Result<(), CrescentError> {
    let os: Table = globals.raw_get("os")?;
    let safe = lua.create_table()?;
    for name in ["clock", "time", "date"] {
        safe.raw_set(name, os.raw_get::<Value>(name)?)?;
    }
    globals.raw_set("os", safe)?;
    Ok(())
}

/// `load` for text chunks only; a chunk without an explicit environment gets a fresh one,
/// like a script file, rather than the shared globals. A chunk longer than `max_bytes`
/// (`ScriptConfig::max_source_bytes`), as a string or a reader's pieces together, is
/// refused: the pieces are gathered in Rust, out of the Lua memory limit's sight.
pub(super) fn install_load(
    lua: &Lua,
    globals: &Table,
    max_bytes: usize,
) -> Result<(), CrescentError> {
    let too_large = move |size: usize| {
        mlua::Error::from(CrescentError::TooLarge {
            what: "load: the chunk".to_owned(),
            size: format!("{size} bytes or more"),
            limit: "max_source_bytes",
            max: max_bytes,
        })
    };
    let load =
        lua.create_function(
            move |lua,
                  (chunk, name, _mode, env): (
                Value,
                Option<String>,
                Option<String>,
                Option<Table>,
            )| {
                let source: Vec<u8> = match chunk {
                    Value::String(s) if s.as_bytes().len() > max_bytes => {
                        return Err(too_large(s.as_bytes().len()));
                    }
                    Value::String(s) => s.as_bytes().to_vec(),
                    Value::Function(reader) => {
                        let mut source = Vec::new();
                        loop {
                            match reader.call::<Option<LuaString>>(())? {
                                Some(piece) if !piece.as_bytes().is_empty() => {
                                    let size = source.len() + piece.as_bytes().len();
                                    if size > max_bytes {
                                        return Err(too_large(size));
                                    }
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
                let env = match env {
                    Some(env) => env,
                    None => super::new_env(lua, &*Vm::of(lua)?)?,
                };
                let name = name.unwrap_or_else(|| "=(load)".to_owned());
                match compile(lua, &name, &source, env) {
                    Ok(f) => Ok((Value::Function(f), Value::Nil)),
                    Err(CrescentError::Lua(err)) => {
                        let (message, _) = split_lua_error(&err);
                        Ok((Value::Nil, Value::String(lua.create_string(message)?)))
                    }
                    Err(err) => Ok((
                        Value::Nil,
                        Value::String(lua.create_string(err.to_string())?),
                    )),
                }
            },
        )?;
    globals.raw_set("load", load)?;
    Ok(())
}

/// `print`: every argument's `tostring` runs whatever the log level (a `__tostring`
/// with side effects must not depend on it); the line goes to the log at `info`.
pub(super) fn install_print(lua: &Lua, globals: &Table) -> Result<(), CrescentError> {
    let print = lua.create_function(|lua, args: Variadic<Value>| {
        let line = join_values(lua, args.into_iter().collect())?;
        tracing::info!(target: "lua", "{line}");
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
