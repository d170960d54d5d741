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
    let wait = Vm::of(lua)?
        .tasks()
        .wait_function()
        .ok_or_else(|| mlua::Error::runtime("task.wait is not installed"))?;
    task.raw_set("wait", wait)?;
    Ok(task)
}
