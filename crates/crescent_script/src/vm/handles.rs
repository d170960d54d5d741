//! The handle types Lua holds: entities, tasks and `self:on` connections. Plain keys, so
//! a handle that outlives what it names resolves to "gone", never to something else.
//! Their Lua methods are bound in the [API layer](crate::api).

use bevy_ecs::entity::Entity;

use crate::data::keys::{HandlerKey, TaskKey};

/// A Lua handle to an entity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LuaEntity(pub(crate) Entity);

/// A Lua handle to a task, as `task.spawn` and `task.delay` return it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LuaTask(pub(crate) TaskKey);

/// A handler added with `self:on`; `:disconnect()` removes it (idempotent).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Connection(pub(crate) HandlerKey);
