//! Component reads and writes by scripts: a name resolved once to an index, the world
//! lent by the phase, and the liveness rules (a dead or despawning entity reads as
//! nothing and refuses writes).

use bevy_ecs::{
    component::ComponentId, entity::Entity, name::Name, observer::Observer, query::QueryBuilder,
    resource::IsResource, system::SystemIdMarker, world::World,
};
use crescent_ecs::SpawnOrder;
use mlua::{Lua, Value};

use super::{
    Core,
    components::{ComponentTable, Entry},
};
use crate::data::{error::CrescentError, limits::check_name};

/// Resolves a component name to its index in the runtime's component table.
pub(crate) fn resolve(core: &Core, name: &str) -> Result<usize, CrescentError> {
    let mut table = core.components().borrow_mut();
    core.vm().world().with(|world| table.resolve(world, name))?
}

/// Runs `f` with the lent world and component `index`.
fn with_entry<R>(
    core: &Core,
    index: usize,
    f: impl FnOnce(&mut World, &Entry) -> Result<R, CrescentError>,
) -> Result<R, CrescentError> {
    let table = core.components().borrow();
    let entry = entry(&table, index)?;
    core.vm().world().with(|world| f(world, entry))?
}

fn entry(table: &ComponentTable, index: usize) -> Result<&Entry, CrescentError> {
    table
        .entry(index)
        .ok_or_else(|| CrescentError::Lua(mlua::Error::runtime("no such component handle")))
}

fn alive(world: &World, entity: Entity) -> bool {
    crescent_ecs::is_alive(world, entity)
}

fn require_alive(world: &World, entity: Entity, what: &'static str) -> Result<(), CrescentError> {
    if alive(world, entity) {
        Ok(())
    } else {
        Err(CrescentError::Despawned { what, entity })
    }
}

/// `e:get(C)`: a copy of the component, `None` when missing or the entity is dead.
pub(crate) fn get(
    core: &Core,
    lua: &Lua,
    entity: Entity,
    index: usize,
) -> Result<Option<Value>, CrescentError> {
    with_entry(core, index, |world, entry| {
        if !alive(world, entity) {
            return Ok(None);
        }
        entry.get(world, entity, lua)
    })
}

/// The fast `e:get(C)`: the numbers of a plain-old-data component, put into `out`;
/// false when missing or the entity is dead.
pub(crate) fn read_pod(
    core: &Core,
    entity: Entity,
    index: usize,
    out: &mut [Value],
) -> Result<bool, CrescentError> {
    with_entry(core, index, |world, entry| {
        Ok(alive(world, entity) && entry.read_pod(world, entity, out))
    })
}

/// `e:set(C, t)`.
pub(crate) fn set(
    core: &Core,
    lua: &Lua,
    entity: Entity,
    index: usize,
    value: Value,
) -> Result<(), CrescentError> {
    with_entry(core, index, |world, entry| {
        require_alive(world, entity, "set")?;
        // A name is Rust memory the Lua limit does not see: bounded like every name.
        if entry.name() == "Name"
            && let Value::String(text) = &value
        {
            let max = core.config().max_name_bytes;
            check_name(
                "e:set: Name",
                &text.to_string_lossy(),
                "max_name_bytes",
                max,
            )?;
        }
        entry.set(world, entity, lua, value)
    })
}

/// The fast `e:set(C, t)`: one number (or `nil`, to keep) per leaf; false when the
/// component must be added from the whole table instead ([`set`]).
pub(crate) fn write_pod(
    core: &Core,
    entity: Entity,
    index: usize,
    values: &[Value],
) -> Result<bool, CrescentError> {
    with_entry(core, index, |world, entry| {
        require_alive(world, entity, "set")?;
        entry.write_pod(world, entity, values)
    })
}

/// `e:has(C)`: false for a dead entity.
pub(crate) fn has(core: &Core, entity: Entity, index: usize) -> Result<bool, CrescentError> {
    with_entry(core, index, |world, entry| {
        Ok(alive(world, entity) && entry.has(world, entity))
    })
}

/// `e:remove(C)`.
pub(crate) fn remove(core: &Core, entity: Entity, index: usize) -> Result<bool, CrescentError> {
    with_entry(core, index, |world, entry| {
        require_alive(world, entity, "remove")?;
        entry.remove(world, entity)
    })
}

/// A resolved component's name, for errors raised in Lua.
pub(crate) fn name(core: &Core, index: usize) -> Result<String, CrescentError> {
    let table = core.components().borrow();
    entry(&table, index).map(|e| e.name().to_owned())
}

/// A resolved component's id in the world (for queries).
pub(crate) fn id(core: &Core, index: usize) -> Result<ComponentId, CrescentError> {
    let table = core.components().borrow();
    entry(&table, index).map(|e| e.id())
}

/// A resolved component's plain-old-data shape, if it has one and scripts may write it.
pub(crate) fn shape(
    core: &Core,
    index: usize,
) -> Result<Option<(super::components::Shape, bool)>, CrescentError> {
    let table = core.components().borrow();
    let entry = entry(&table, index)?;
    Ok(entry
        .layout()
        .map(|layout| (layout.shape().clone(), entry.is_read_only())))
}

/// Entities scripts see: every entity but Bevy's own bookkeeping (resources, observers,
/// registered systems) and those waiting for despawn, that have every component in
/// `with`, in a deterministic order: spawn order for entities crescent numbered (anything
/// scripted, spawned from Lua or given a `SpawnOrder`), then the rest by entity id.
pub(crate) fn entities(core: &Core, with: &[ComponentId]) -> Result<Vec<Entity>, CrescentError> {
    core.vm().world().with(|world| {
        let mut builder = QueryBuilder::<(Entity, Option<&SpawnOrder>)>::new(world);
        for &id in with {
            builder.with_id(id);
        }
        builder
            .without::<IsResource>()
            .without::<Observer>()
            .without::<SystemIdMarker>();
        let mut state = builder.build();
        let mut found: Vec<(u64, u64, Entity)> = state
            .iter(world)
            .filter(|(e, _)| !crescent_ecs::is_leaving(world, *e))
            .map(|(e, order)| (order.map_or(u64::MAX, |o| o.0), e.to_bits(), e))
            .collect();
        found.sort_unstable();
        found.into_iter().map(|(_, _, e)| e).collect()
    })
}

/// The first entity (in [`entities`] order) whose Bevy `Name` is `name`.
pub(crate) fn find(core: &Core, name: &str) -> Result<Option<Entity>, CrescentError> {
    let named = {
        let id = core
            .vm()
            .world()
            .with(|world| world.register_component::<Name>())?;
        entities(core, &[id])?
    };
    core.vm().world().with(|world| {
        named
            .into_iter()
            .find(|&e| world.get::<Name>(e).is_some_and(|n| n.as_str() == name))
    })
}
