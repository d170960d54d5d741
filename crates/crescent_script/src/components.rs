//! Script components: Rust components exposed to Lua by name, converted with serde.

use std::collections::BTreeMap;

use bevy_app::App;
use bevy_ecs::{
    component::{Component, ComponentId},
    entity::Entity,
    resource::Resource,
    world::World,
};
use crescent_ecs::{Name, Position, SpawnOrder, Velocity};
use mlua::{Lua, LuaSerdeExt, Value};
use serde::{Serialize, de::DeserializeOwned};

use crate::CrescentError;

type GetFn = fn(&World, Entity, &Lua) -> Result<Option<Value>, CrescentError>;
type SetFn = fn(&mut World, Entity, &Lua, Value, &str) -> Result<(), CrescentError>;
type HasFn = fn(&World, Entity) -> bool;
type RemoveFn = fn(&mut World, Entity) -> bool;
type IdFn = fn(&mut World) -> ComponentId;

/// How Lua reads and writes one component type.
#[derive(Clone, Copy, Debug)]
pub struct ScriptComponent {
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
            set: |world, entity, lua, value, name| {
                let component: T = from_lua_value(lua, value, name)?;
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

fn from_lua_value<T: DeserializeOwned>(
    lua: &Lua,
    value: Value,
    name: &str,
) -> Result<T, CrescentError> {
    let _ = lua;
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
    pub fn lookup(&self, name: &str) -> Result<ScriptComponent, CrescentError> {
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
    pub fn get(
        &self,
        world: &World,
        entity: Entity,
        lua: &Lua,
    ) -> Result<Option<Value>, CrescentError> {
        (self.get)(world, entity, lua)
    }

    /// Converts `value` and inserts it on `entity`.
    pub fn set(
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
    pub fn has(&self, world: &World, entity: Entity) -> bool {
        (self.has)(world, entity)
    }

    /// Removes the component; returns whether it was there.
    pub fn remove(&self, world: &mut World, entity: Entity) -> bool {
        (self.remove)(world, entity)
    }

    /// The component's id in `world` (registered on first use).
    pub fn component_id(&self, world: &mut World) -> ComponentId {
        (self.id)(world)
    }
}

/// Registers Rust components for scripts on an [`App`].
pub trait ScriptComponentsAppExt {
    /// Exposes `T` to Lua as `name`: `e:get(name)`, `e:set(name, t)`, `world.spawn{ [name] = t }`.
    fn register_script_component<T>(&mut self, name: &str) -> &mut Self
    where
        T: Component<Mutability = bevy_ecs::component::Mutable> + Serialize + DeserializeOwned;
}

impl ScriptComponentsAppExt for App {
    fn register_script_component<T>(&mut self, name: &str) -> &mut Self
    where
        T: Component<Mutability = bevy_ecs::component::Mutable> + Serialize + DeserializeOwned,
    {
        let world = self.world_mut();
        if !world.contains_resource::<ScriptComponents>() {
            world.insert_resource(ScriptComponents::with_builtins());
        }
        world.resource_mut::<ScriptComponents>().register::<T>(name);
        self
    }
}

/// Looks a component name up in the world's [`ScriptComponents`].
pub(crate) fn lookup(world: &World, name: &str) -> Result<ScriptComponent, CrescentError> {
    match world.get_resource::<ScriptComponents>() {
        Some(components) => components.lookup(name),
        None => ScriptComponents::with_builtins().lookup(name),
    }
}
