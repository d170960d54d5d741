//! Component access: Rust components read and written from Lua by name.
//!
//! A name resolves, once per runtime, to an entry in the [`ComponentTable`]:
//! - a name a game registered with serde, or `Name` (Bevy's, a string in Lua): typed
//!   functions (`typed`);
//! - else a type in Bevy's type registry with `#[reflect(Component)]`, by its short type
//!   name (`Transform`) or, when two short names collide, its full path: reflection
//!   (`reflected`, with the conversion rules in `convert`). A reflected component whose
//!   every leaf is a number (`pod`) is also read and written as a flat list of numbers,
//!   which the API layer turns into tables in Lua: the fast path of `e:get`/`e:set`.
//!
//! `GlobalTransform` and immutable components are read-only for scripts.

mod convert;
mod pod;
mod reflected;
mod typed;

use std::collections::HashMap;

use bevy_ecs::{
    component::ComponentId,
    entity::Entity,
    reflect::{AppTypeRegistry, ReflectComponent},
    world::{EntityWorldMut, World},
};
use mlua::{Lua, Value};

pub(crate) use self::pod::{PodLayout, Shape};
pub use self::typed::ScriptComponents;
use self::{reflected::ReflectAccess, typed::TypedFns};
use crate::data::error::CrescentError;

/// Components scripts may read but never write, whatever their mutability in Rust.
const READ_ONLY: [&str; 1] = ["bevy_transform::components::global_transform::GlobalTransform"];

#[derive(Clone)]
enum Access {
    Typed(TypedFns),
    Reflect(ReflectAccess),
}

/// One resolved component.
#[derive(Clone)]
pub(crate) struct Entry {
    name: String,
    id: ComponentId,
    access: Access,
}

/// Every component name a runtime's scripts used, resolved. Entries never change once
/// made, so their indices are stable handles for the API layer.
#[derive(Default)]
pub(crate) struct ComponentTable {
    entries: Vec<Entry>,
    by_name: HashMap<String, usize>,
}

impl ComponentTable {
    /// The entry for `name`, resolving it on first use.
    pub(crate) fn resolve(
        &mut self,
        world: &mut World,
        name: &str,
    ) -> Result<usize, CrescentError> {
        if let Some(&index) = self.by_name.get(name) {
            return Ok(index);
        }
        let entry = find(world, name)?;
        // Two names for one component (short name and full path) share one entry.
        let index = match self.entries.iter().position(|e| e.id == entry.id) {
            Some(index) => index,
            None => {
                self.entries.push(entry);
                self.entries.len() - 1
            }
        };
        self.by_name.insert(name.to_owned(), index);
        Ok(index)
    }

    /// A resolved entry.
    pub(crate) fn entry(&self, index: usize) -> Option<&Entry> {
        self.entries.get(index)
    }
}

/// The entity a `set` writes to, or the error for a despawned one.
fn entity_to_set(world: &mut World, entity: Entity) -> Result<EntityWorldMut<'_>, CrescentError> {
    world
        .get_entity_mut(entity)
        .map_err(|_| CrescentError::Despawned {
            what: "set",
            entity,
        })
}

fn find(world: &mut World, name: &str) -> Result<Entry, CrescentError> {
    let typed = world
        .get_resource::<ScriptComponents>()
        .and_then(|components| components.get(name))
        .or_else(|| ScriptComponents::with_builtins().get(name));
    if let Some(fns) = typed {
        return Ok(Entry {
            name: name.to_owned(),
            id: (fns.id)(world),
            access: Access::Typed(fns),
        });
    }
    let Some(registry) = world.get_resource::<AppTypeRegistry>().cloned() else {
        return Err(unknown(world, name, Vec::new()));
    };
    let found = {
        let types = registry.read();
        let by_path = types.get_with_type_path(name);
        let candidates: Vec<_> = match by_path {
            Some(registration) => vec![registration],
            None => types
                .iter()
                .filter(|r| r.type_info().type_path_table().short_path() == name)
                .collect(),
        };
        let components: Vec<_> = candidates
            .into_iter()
            .filter_map(|r| Some((r.data::<ReflectComponent>()?.clone(), r.type_info())))
            .collect();
        if components.len() > 1 {
            let mut paths: Vec<&str> = components
                .iter()
                .map(|(_, info)| info.type_path())
                .collect();
            paths.sort_unstable();
            return Err(CrescentError::UnknownComponent {
                name: name.to_owned(),
                known: format!("the name is ambiguous; use one of: {}", paths.join(", ")),
            });
        }
        components.into_iter().next()
    };
    let Some((reflect, info)) = found else {
        let reflected = reflected_names(&registry);
        return Err(unknown(world, name, reflected));
    };
    let id = reflect.register_component(world);
    let immutable = world
        .components()
        .get_info(id)
        .is_some_and(|info| !info.mutable());
    let read_only = immutable || READ_ONLY.contains(&info.type_path());
    Ok(Entry {
        name: name.to_owned(),
        id,
        access: Access::Reflect(ReflectAccess::new(reflect, info, registry, read_only)),
    })
}

fn reflected_names(registry: &AppTypeRegistry) -> Vec<String> {
    registry
        .read()
        .iter()
        .filter(|r| r.data::<ReflectComponent>().is_some())
        .map(|r| r.type_info().type_path_table().short_path().to_owned())
        .collect()
}

fn unknown(world: &World, name: &str, reflected: Vec<String>) -> CrescentError {
    let mut known: Vec<String> = world
        .get_resource::<ScriptComponents>()
        .map(|c| c.names().map(str::to_owned).collect())
        .unwrap_or_else(|| {
            ScriptComponents::with_builtins()
                .names()
                .map(str::to_owned)
                .collect()
        });
    known.extend(reflected);
    known.sort();
    known.dedup();
    CrescentError::UnknownComponent {
        name: name.to_owned(),
        known: known.join(", "),
    }
}

impl Entry {
    /// The name it was resolved by.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// Its component id in the world.
    pub(crate) fn id(&self) -> ComponentId {
        self.id
    }

    /// Its plain-old-data layout, when it has the numbers-only fast path.
    pub(crate) fn layout(&self) -> Option<&PodLayout> {
        match &self.access {
            Access::Reflect(access) => access.layout(),
            Access::Typed(_) => None,
        }
    }

    /// Whether scripts may only read it.
    pub(crate) fn is_read_only(&self) -> bool {
        matches!(&self.access, Access::Reflect(access) if access.is_read_only())
    }

    /// The entity's component as a Lua value, or `None` when it has none.
    pub(crate) fn get(
        &self,
        world: &World,
        entity: Entity,
        lua: &Lua,
    ) -> Result<Option<Value>, CrescentError> {
        match &self.access {
            Access::Typed(fns) => (fns.get)(world, entity, lua),
            Access::Reflect(access) => access.get(world, entity, lua, &self.name),
        }
    }

    /// Puts the component's numbers into `out` (plain-old-data only); false when the
    /// entity has none.
    pub(crate) fn read_pod(&self, world: &World, entity: Entity, out: &mut [Value]) -> bool {
        match &self.access {
            Access::Reflect(access) => access.read_pod(world, entity, out),
            Access::Typed(_) => false,
        }
    }

    /// Writes a Lua value to the entity's component (adding it if missing).
    pub(crate) fn set(
        &self,
        world: &mut World,
        entity: Entity,
        lua: &Lua,
        value: Value,
    ) -> Result<(), CrescentError> {
        match &self.access {
            Access::Typed(fns) => (fns.set)(world, entity, lua, value, &self.name),
            Access::Reflect(access) => access.set(world, entity, value, &self.name),
        }
    }

    /// Writes one number per leaf (plain-old-data only; `nil` keeps a field); false when
    /// the component must be added through [`Entry::set`] instead.
    pub(crate) fn write_pod(
        &self,
        world: &mut World,
        entity: Entity,
        values: &[Value],
    ) -> Result<bool, CrescentError> {
        match &self.access {
            Access::Reflect(access) => access.write_pod(world, entity, values, &self.name),
            Access::Typed(_) => Err(CrescentError::BadComponentValue {
                component: self.name.clone(),
                field: String::new(),
                message: "not a plain-old-data component".to_owned(),
            }),
        }
    }

    /// Whether the entity has the component.
    pub(crate) fn has(&self, world: &World, entity: Entity) -> bool {
        match &self.access {
            Access::Typed(fns) => (fns.has)(world, entity),
            Access::Reflect(access) => access.has(world, entity),
        }
    }

    /// Removes the component; returns whether it was there.
    pub(crate) fn remove(&self, world: &mut World, entity: Entity) -> Result<bool, CrescentError> {
        match &self.access {
            Access::Typed(fns) => Ok((fns.remove)(world, entity)),
            Access::Reflect(access) => access.remove(world, entity, &self.name),
        }
    }
}
