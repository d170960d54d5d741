//! `log.info/warn/error(...)`: script messages into the `tracing` log.

use mlua::{Lua, MultiValue, Table};

use crate::vm::join_values;

pub(crate) fn table(lua: &Lua) -> mlua::Result<Table> {
    let log = lua.create_table()?;
    for level in ["info", "warn", "error"] {
        let function = lua.create_function(move |lua, args: MultiValue| {
            let line = join_values(lua, args)?;
            match level {
                "error" => tracing::error!(target: "lua", "{line}"),
                "warn" => tracing::warn!(target: "lua", "{line}"),
                _ => tracing::info!(target: "lua", "{line}"),
            }
            Ok(())
        })?;
        log.raw_set(level, function)?;
    }
    Ok(log)
}
