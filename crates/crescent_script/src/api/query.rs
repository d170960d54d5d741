//! `world.query("A", "B", ...)`: entities that have every named component.

use bevy_ecs::{entity::Entity, query::QueryBuilder};
use crescent_ecs::{DespawnQueue, SpawnOrder};
use mlua::{Function, Lua, Variadic};

use crate::{
    data::error::CrescentError,
    frame::{Core, components},
    vm::LuaEntity,
};

/// Returns an iterator function over a snapshot of the matching entities, in spawn
/// order, skipping entities waiting for despawn.
pub(super) fn query(lua: &Lua, names: Variadic<String>) -> mlua::Result<Function> {
    let entities = Core::of(lua)?
        .vm()
        .world()
        .with(|world| -> Result<Vec<Entity>, CrescentError> {
            let mut ids = Vec::with_capacity(names.len());
            for name in names.iter() {
                let component = components::lookup(world, name)?;
                ids.push(component.component_id(world));
            }
            let mut builder = QueryBuilder::<(Entity, &SpawnOrder)>::new(world);
            for id in ids {
                builder.with_id(id);
            }
            let mut state = builder.build();
            let leaving = world.get_resource::<DespawnQueue>();
            let mut found: Vec<(u64, Entity)> = state
                .iter(world)
                .filter(|(e, _)| !leaving.is_some_and(|q| q.is_pending(*e)))
                .map(|(e, order)| (order.0, e))
                .collect();
            found.sort_unstable();
            Ok(found.into_iter().map(|(_, e)| e).collect())
        })
        .and_then(|r| r)
        .map_err(mlua::Error::from)?;
    let mut next = 0usize;
    lua.create_function_mut(move |_, ()| {
        let entity = entities.get(next).copied().map(LuaEntity);
        next += 1;
        Ok(entity)
    })
}
