//! Errors a script must not swallow: `pcall`, `xpcall` and `coroutine.resume` pass them on.
//!
//! An exceeded instruction budget raises an error from the VM hook; if a script could
//! catch it with `pcall` inside its infinite loop, the budget would stop nothing. These
//! wrappers re-raise such fatal errors, so they always reach the handler's caller.

use mlua::{Function, Lua, Table, Value};

use crate::data::error::{CrescentError, is_fatal};

const WRAPPERS: &str = r#"
local raw_pcall, raw_xpcall, raw_resume, is_fatal = ...
local function pass(ok, ...)
  if not ok and is_fatal((...)) then
    error((...), 0)
  end
  return ok, ...
end
local function pcall(f, ...)
  return pass(raw_pcall(f, ...))
end
local function xpcall(f, handler, ...)
  return pass(raw_xpcall(f, function(err)
    if is_fatal(err) then
      return err
    end
    return handler(err)
  end, ...))
end
local function resume(co, ...)
  return pass(raw_resume(co, ...))
end
return pcall, xpcall, resume
"#;

pub(super) fn install(lua: &Lua, globals: &Table) -> Result<(), CrescentError> {
    let coroutine: Table = globals.raw_get("coroutine")?;
    let is_fatal = lua.create_function(|_, value: Value| {
        Ok(matches!(value, Value::Error(err) if is_fatal(&err)))
    })?;
    let (pcall, xpcall, resume): (Function, Function, Function) =
        lua.load(WRAPPERS).set_name("=sandbox").call((
            globals.raw_get::<Function>("pcall")?,
            globals.raw_get::<Function>("xpcall")?,
            coroutine.raw_get::<Function>("resume")?,
            is_fatal,
        ))?;
    globals.raw_set("pcall", pcall)?;
    globals.raw_set("xpcall", xpcall)?;
    coroutine.raw_set("resume", resume)?;
    Ok(())
}
