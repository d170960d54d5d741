//! The handle types Lua holds: entities, tasks and `self:on` connections. Plain keys, so
//! a handle that outlives what it names resolves to "gone", never to something else.
//! Their Lua methods are bound in the [API layer](crate::api).

use bevy_ecs::entity::Entity;
use mlua::{FromLua, IntoLua, Lua, Value};

use crate::data::keys::{HandlerKey, TaskKey};

/// A Lua handle to an entity. Its methods are registered per runtime by the API layer
/// (some of them are Lua functions), so it is made with `create_any_userdata`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LuaEntity(pub(crate) Entity);

impl IntoLua for LuaEntity {
    fn into_lua(self, lua: &Lua) -> mlua::Result<Value> {
        lua.create_ser_any_userdata(self).map(Value::UserData)
    }
}

/// An entity handle in a payload for Rust (`world.emit`, typed messages) travels as its id,
/// `Entity::to_bits` (what `e:id()` returns); `world.entity(id)` turns one back.
impl serde::Serialize for LuaEntity {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(self.0.to_bits())
    }
}

impl FromLua for LuaEntity {
    fn from_lua(value: Value, _: &Lua) -> mlua::Result<Self> {
        match value {
            Value::UserData(ud) => ud
                .borrow::<LuaEntity>()
                .map(|e| *e)
                .map_err(|_| mlua::Error::runtime("expected an entity, got another userdata")),
            other => Err(mlua::Error::runtime(format!(
                "expected an entity, got {}",
                other.type_name()
            ))),
        }
    }
}

/// A Lua handle to a task, as `task.spawn` and `task.delay` return it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LuaTask(pub(crate) TaskKey);

/// A handler added with `self:on`; `:disconnect()` removes it (idempotent).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Connection(pub(crate) HandlerKey);
