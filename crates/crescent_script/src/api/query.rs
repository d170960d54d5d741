//! `world.query("A", "B", ...)`: entities that have every named component.

use mlua::{Function, Lua, Variadic};

use crate::{
    frame::{Core, world_access},
    vm::LuaEntity,
};

/// Returns an iterator function over a snapshot of the matching entities (every entity
/// of the world, Rust-spawned ones too), in a deterministic order, skipping entities
/// waiting for despawn.
pub(super) fn query(lua: &Lua, names: Variadic<String>) -> mlua::Result<Function> {
    let core = Core::of(lua)?;
    let mut ids = Vec::with_capacity(names.len());
    for name in names.iter() {
        let index = world_access::resolve(&core, name).map_err(mlua::Error::from)?;
        ids.push(world_access::id(&core, index).map_err(mlua::Error::from)?);
    }
    let entities = world_access::entities(&core, &ids).map_err(mlua::Error::from)?;
    let mut next = 0usize;
    lua.create_function_mut(move |_, ()| {
        let entity = entities.get(next).copied().map(LuaEntity);
        next += 1;
        Ok(entity)
    })
}
