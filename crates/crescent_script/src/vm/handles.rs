//! The handle types Lua holds: entities, tasks and `self:on` connections. Plain keys, so
//! a handle that outlives what it names resolves to "gone", never to something else.
//! Their Lua methods are bound in the [API layer](crate::api).

use bevy_ecs::entity::Entity;
use mlua::{FromLua, IntoLua, LightUserData, Lua, Value};

use crate::data::keys::{HandlerKey, TaskKey};

/// A Lua handle to an entity: a light userdata whose address is the entity's bits. No
/// entity has bits 0 (an index's raw bits are never 0), so `NULL`, which mlua's serde
/// uses for JSON null, is never a handle.
///
/// Light, not full, userdata: making one allocates nothing and leaves nothing for the
/// collector (a full userdata cost ~3,000 instructions to make, finalize and sweep, per
/// handle, per `world.query` step), and two handles of one entity are the same Lua value,
/// so they are equal and the same table key with no `__eq`. All light userdata share one
/// metatable, set by the API layer; scripts cannot make light userdata of their own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LuaEntity(pub(crate) Entity);

// The handle is the entity's 64 bits in a pointer.
const _: () = assert!(usize::BITS == 64, "entity handles need 64-bit pointers");

impl LuaEntity {
    /// The light userdata that is this handle.
    pub(crate) fn light(self) -> LightUserData {
        LightUserData(std::ptr::without_provenance_mut(self.0.to_bits() as usize))
    }

    /// The entity a light userdata stands for, if it is a handle.
    pub(crate) fn from_light(light: LightUserData) -> Option<Self> {
        Entity::try_from_bits(light.0.addr() as u64).map(Self)
    }

    /// The id scripts and payloads know the entity by (`e:id()`): its bits as a Lua integer.
    /// A handle in a payload for Rust (`world.emit`, typed messages, serde components)
    /// travels as this id ([`entity_ids`]); `world.entity(id)` turns one back.
    pub(crate) fn id(self) -> i64 {
        self.0.to_bits() as i64
    }

    /// The entity `value` stands for, if it is a handle.
    pub(crate) fn of(value: &Value) -> Option<Self> {
        match value {
            Value::LightUserData(light) => Self::from_light(*light),
            _ => None,
        }
    }
}

impl IntoLua for LuaEntity {
    fn into_lua(self, _: &Lua) -> mlua::Result<Value> {
        Ok(Value::LightUserData(self.light()))
    }
}

impl FromLua for LuaEntity {
    fn from_lua(value: Value, _: &Lua) -> mlua::Result<Self> {
        match value {
            Value::LightUserData(light) => Self::from_light(light)
                .ok_or_else(|| mlua::Error::runtime("expected an entity, got null")),
            other => Err(mlua::Error::runtime(format!(
                "expected an entity, got {}",
                other.type_name()
            ))),
        }
    }
}

/// Deepest table nesting [`entity_ids`] walks: mlua's serde refuses deeper anyway.
const SERDE_DEPTH: usize = 128;

/// `value` with every entity handle in it replaced by its [id](LuaEntity::id), for a
/// serde conversion: tables on the way to a handle are copied, the
/// rest is shared. A table met again (a cycle) or nested too deep is left as it is, for
/// the conversion to refuse.
pub(crate) fn entity_ids(lua: &Lua, value: Value) -> mlua::Result<Value> {
    let mut path = Vec::new();
    ids_in(lua, value, SERDE_DEPTH, &mut path)
}

fn ids_in(
    lua: &Lua,
    value: Value,
    depth: usize,
    path: &mut Vec<*const std::ffi::c_void>,
) -> mlua::Result<Value> {
    if let Some(entity) = LuaEntity::of(&value) {
        return Ok(Value::Integer(entity.id()));
    }
    let Value::Table(table) = value else {
        return Ok(value);
    };
    let here = table.to_pointer();
    if depth == 0 || path.contains(&here) {
        return Ok(Value::Table(table));
    }
    path.push(here);
    let mut changed = Vec::new();
    for pair in table.pairs::<Value, Value>() {
        let (key, item) = pair?;
        let before = item.clone();
        let after = ids_in(lua, item, depth - 1, path)?;
        if after != before {
            changed.push((key, after));
        }
    }
    path.pop();
    if changed.is_empty() {
        return Ok(Value::Table(table));
    }
    let copy = lua.create_table()?;
    for pair in table.pairs::<Value, Value>() {
        let (key, item) = pair?;
        copy.raw_set(key, item)?;
    }
    for (key, item) in changed {
        copy.raw_set(key, item)?;
    }
    Ok(Value::Table(copy))
}

/// A Lua handle to a task, as `task.spawn` and `task.delay` return it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LuaTask(pub(crate) TaskKey);

/// A handler added with `self:on`; `:disconnect()` removes it (idempotent).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Connection(pub(crate) HandlerKey);
