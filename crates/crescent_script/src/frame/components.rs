//! Script components: Rust components exposed to Lua by name, converted with serde.
//!
//! [`ScriptComponents`] maps names to a [`ScriptComponent`]'s typed get/set/has/remove;
//! the API's `e:get`, `e:set`, `world.spawn` and `world.query` go through it. The
//! bevy layer's `register_script_component` adds to it.

use std::collections::BTreeMap;

use bevy_ecs::{
    component::{Component, ComponentId},
    entity::Entity,
    resource::Resource,
    world::World,
};
use crescent_ecs::{Name, Position, SpawnOrder, Velocity};
use mlua::{Lua, LuaSerdeExt, Value};
use serde::{Serialize, de::DeserializeOwned};

use crate::data::error::CrescentError;

type GetFn = fn(&World, Entity, &Lua) -> Result<Option<Value>, CrescentError>;
type SetFn = fn(&mut World, Entity, &Lua, Value, &str) -> Result<(), CrescentError>;
type HasFn = fn(&World, Entity) -> bool;
type RemoveFn = fn(&mut World, Entity) -> bool;
type IdFn = fn(&mut World) -> ComponentId;

/// How Lua reads and writes one component type.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ScriptComponent {
    get: GetFn,
    set: SetFn,
    has: HasFn,
    remove: RemoveFn,
    id: IdFn,
}

impl ScriptComponent {
    fn of<
        T: Component<Mutability = bevy_ecs::component::Mutable> + Serialize + DeserializeOwned,
    >() -> Self {
        Self {
            get: |world, entity, lua| {
                world
                    .get::<T>(entity)
                    .map(|c| lua.to_value(c).map_err(CrescentError::from))
                    .transpose()
            },
            set: |world, entity, _, value, name| {
                let component: T = from_lua_value(value, name)?;
                let mut entity_mut =
                    world
                        .get_entity_mut(entity)
                        .map_err(|_| CrescentError::Despawned {
                            what: "set",
                            entity,
                        })?;
                // Inserting through a required `SpawnOrder` keeps count and order in step.
                if !entity_mut.contains::<SpawnOrder>() {
                    entity_mut.insert(SpawnOrder::default());
                }
                entity_mut.insert(component);
                Ok(())
            },
            has: |world, entity| world.get::<T>(entity).is_some(),
            remove: |world, entity| {
                world
                    .get_entity_mut(entity)
                    .ok()
                    .and_then(|mut e| e.take::<T>())
                    .is_some()
            },
            id: |world| world.register_component::<T>(),
        }
    }
}

fn from_lua_value<T: DeserializeOwned>(value: Value, name: &str) -> Result<T, CrescentError> {
    let deserializer = mlua::serde::Deserializer::new(value);
    serde_path_to_error::deserialize(deserializer).map_err(|err| {
        let field = err.path().to_string();
        CrescentError::BadComponentValue {
            component: name.to_owned(),
            field: if field == "." { String::new() } else { field },
            message: err.into_inner().to_string(),
        }
    })
}

/// Every component scripts can use, by name.
///
/// ```
/// # use crescent_script::ScriptComponents;
/// let components = ScriptComponents::with_builtins();
/// let names: Vec<_> = components.names().collect();
/// assert_eq!(names, ["Name", "Position", "Velocity"]);
/// ```
#[derive(Resource, Debug, Default)]
pub struct ScriptComponents {
    by_name: BTreeMap<String, ScriptComponent>,
}

impl ScriptComponents {
    /// The built-in set: `Name`, `Position`, `Velocity`.
    pub fn with_builtins() -> Self {
        let mut components = Self::default();
        components.register::<Name>("Name");
        components.register::<Position>("Position");
        components.register::<Velocity>("Velocity");
        components
    }

    /// Exposes `T` to scripts as `name`.
    pub fn register<T>(&mut self, name: &str)
    where
        T: Component<Mutability = bevy_ecs::component::Mutable> + Serialize + DeserializeOwned,
    {
        self.by_name
            .insert(name.to_owned(), ScriptComponent::of::<T>());
    }

    /// Registered names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.by_name.keys().map(String::as_str)
    }

    /// Looks a component up, or explains which names exist.
    pub(crate) fn lookup(&self, name: &str) -> Result<ScriptComponent, CrescentError> {
        self.by_name
            .get(name)
            .copied()
            .ok_or_else(|| CrescentError::UnknownComponent {
                name: name.to_owned(),
                known: self.names().collect::<Vec<_>>().join(", "),
            })
    }
}

impl ScriptComponent {
    /// The entity's component as a Lua value, or `None` when it has none.
    pub(crate) fn get(
        &self,
        world: &World,
        entity: Entity,
        lua: &Lua,
    ) -> Result<Option<Value>, CrescentError> {
        (self.get)(world, entity, lua)
    }

    /// Converts `value` and inserts it on `entity`.
    pub(crate) fn set(
        &self,
        world: &mut World,
        entity: Entity,
        lua: &Lua,
        value: Value,
        name: &str,
    ) -> Result<(), CrescentError> {
        (self.set)(world, entity, lua, value, name)
    }

    /// Whether the entity has the component.
    pub(crate) fn has(&self, world: &World, entity: Entity) -> bool {
        (self.has)(world, entity)
    }

    /// Removes the component; returns whether it was there.
    pub(crate) fn remove(&self, world: &mut World, entity: Entity) -> bool {
        (self.remove)(world, entity)
    }

    /// The component's id in `world` (registered on first use).
    pub(crate) fn component_id(&self, world: &mut World) -> ComponentId {
        (self.id)(world)
    }
}

/// Looks a component name up in the world's [`ScriptComponents`].
pub(crate) fn lookup(world: &World, name: &str) -> Result<ScriptComponent, CrescentError> {
    match world.get_resource::<ScriptComponents>() {
        Some(components) => components.lookup(name),
        None => ScriptComponents::with_builtins().lookup(name),
    }
}
