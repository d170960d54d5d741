//! Errors a script must not swallow: `pcall`, `xpcall` and `coroutine.resume` pass them on.
//! And threads a script must not drive: `coroutine.resume` and `coroutine.close` refuse a
//! task's thread (one a task got from `coroutine.running()`), which only the scheduler
//! resumes; `coroutine.wrap` makes its own thread, so it needs no check.
//!
//! An exceeded instruction budget raises an error from the VM hook; if a script could
//! catch it with `pcall` inside its infinite loop, the budget would stop nothing. These
//! wrappers re-raise such fatal errors, so they always reach the handler's caller.

use mlua::{Function, Lua, Table, Value};

use crate::data::error::internal_chunk;
use crate::{
    data::error::{CrescentError, is_fatal},
    vm::Vm,
};

const WRAPPERS: &str = r#"
local raw_pcall, raw_xpcall, raw_resume, raw_close, is_fatal, is_task = ...
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
  if is_task(co) then
    error("coroutine.resume: this coroutine is a task; only the task scheduler resumes it", 2)
  end
  return pass(raw_resume(co, ...))
end
local function close(co)
  if is_task(co) then
    error("coroutine.close: this coroutine is a task; stop it with task.cancel", 2)
  end
  return raw_close(co)
end
return pcall, xpcall, resume, close
"#;

pub(super) fn install(lua: &Lua, globals: &Table) -> Result<(), CrescentError> {
    let coroutine: Table = globals.raw_get("coroutine")?;
    let is_fatal = lua.create_function(|_, value: Value| {
        Ok(matches!(value, Value::Error(err) if is_fatal(&err)))
    })?;
    let is_task = lua.create_function(|lua, value: Value| {
        Ok(match value {
            Value::Thread(thread) => Vm::of(lua)?.tasks().is_task_thread(&thread),
            _ => false,
        })
    })?;
    let (pcall, xpcall, resume, close): (Function, Function, Function, Function) = lua
        .load(WRAPPERS)
        .set_name(internal_chunk("sandbox"))
        .call((
            globals.raw_get::<Function>("pcall")?,
            globals.raw_get::<Function>("xpcall")?,
            coroutine.raw_get::<Function>("resume")?,
            coroutine.raw_get::<Function>("close")?,
            is_fatal,
            is_task,
        ))?;
    globals.raw_set("pcall", pcall)?;
    globals.raw_set("xpcall", xpcall)?;
    coroutine.raw_set("resume", resume)?;
    coroutine.raw_set("close", close)?;
    Ok(())
}
