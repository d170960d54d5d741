//! `log.info/warn/error(...)`: script messages into the `tracing` log.

use mlua::{Lua, MultiValue, Table};

use crate::sandbox::join_values;

pub(crate) fn table(lua: &Lua) -> mlua::Result<Table> {
    let log = lua.create_table()?;
    log.raw_set(
        "info",
        lua.create_function(|lua, args: MultiValue| {
            tracing::info!(target: "lua", "{}", join_values(lua, args)?);
            Ok(())
        })?,
    )?;
    log.raw_set(
        "warn",
        lua.create_function(|lua, args: MultiValue| {
            tracing::warn!(target: "lua", "{}", join_values(lua, args)?);
            Ok(())
        })?,
    )?;
    log.raw_set(
        "error",
        lua.create_function(|lua, args: MultiValue| {
            tracing::error!(target: "lua", "{}", join_values(lua, args)?);
            Ok(())
        })?,
    )?;
    Ok(log)
}
