//! The `task` table: `spawn`, `delay`, `wait`, `cancel`.

use mlua::{Function, Lua, MetaMethod, MultiValue, Table, UserData, UserDataMethods, Value};

use crate::{
    frame::{Core, tasks},
    vm::{LuaTask, Vm},
};

impl UserData for LuaTask {
    fn add_methods<M: UserDataMethods<Self>>(methods: &mut M) {
        methods.add_meta_method(MetaMethod::ToString, |_, _, ()| Ok("task"));
    }
}

/// `task.wait` yields from Lua: a Rust callback cannot yield, and raising its error at
/// level 2 points the message at the caller's line.
const WAIT: &str = r#"
local prepare, yield = ...
return function(seconds)
  local problem = prepare(seconds)
  if problem then
    error(problem, 2)
  end
  return yield()
end
"#;

pub(super) fn table(lua: &Lua) -> mlua::Result<Table> {
    let task = lua.create_table()?;
    task.raw_set(
        "spawn",
        lua.create_function(|lua, (func, args): (Function, MultiValue)| {
            tasks::spawn(&*Core::of(lua)?, lua, func, args).map(LuaTask)
        })?,
    )?;
    task.raw_set(
        "delay",
        lua.create_function(|lua, (seconds, func, args): (f64, Function, MultiValue)| {
            if !seconds.is_finite() {
                return Err(mlua::Error::runtime(format!(
                    "task.delay expects a finite number of seconds, got {seconds}"
                )));
            }
            tasks::delay(&*Core::of(lua)?, lua, seconds, func, args).map(LuaTask)
        })?,
    )?;
    task.raw_set(
        "cancel",
        lua.create_function(|lua, handle: Value| match handle {
            Value::UserData(ud) => {
                let key = ud.borrow::<LuaTask>().map_err(|_| {
                    mlua::Error::runtime(
                        "task.cancel expects a task (from task.spawn or task.delay)",
                    )
                })?;
                Ok(Vm::of(lua)?.tasks().cancel(key.0))
            }
            other => Err(mlua::Error::runtime(format!(
                "task.cancel expects a task (from task.spawn or task.delay), got {}",
                other.type_name()
            ))),
        })?,
    )?;
    let prepare = lua.create_function(|lua, seconds: Value| {
        let seconds = match seconds {
            Value::Nil => None,
            Value::Integer(i) => Some(i as f64),
            Value::Number(n) => Some(n),
            other => {
                return Ok(Some(format!(
                    "task.wait expects a number of seconds, got {}",
                    other.type_name()
                )));
            }
        };
        Ok(Vm::of(lua)?.prepare_wait(lua, seconds).err())
    })?;
    let coroutine: Table = lua.globals().raw_get("coroutine")?;
    let yield_fn: Function = coroutine.raw_get("yield")?;
    let wait: Function = lua
        .load(WAIT)
        .set_name("=task.wait")
        .call((prepare, yield_fn))?;
    task.raw_set("wait", wait)?;
    Ok(task)
}
