//! Components reached through typed functions: those a game registers with serde
//! (`register_script_component`), and Bevy's `Name`, which scripts see as a string.

use std::collections::BTreeMap;

use bevy_ecs::{
    component::{Component, ComponentId, Mutable},
    entity::Entity,
    name::Name,
    resource::Resource,
    world::World,
};
use mlua::{Lua, LuaSerdeExt, Value};
use serde::{Serialize, de::DeserializeOwned};

use super::{convert::normalize_for_serde, entity_to_set};
use crate::data::error::CrescentError;

type GetFn = fn(&World, Entity, &Lua) -> Result<Option<Value>, CrescentError>;
type SetFn = fn(&mut World, Entity, &Lua, Value, &str) -> Result<(), CrescentError>;
type HasFn = fn(&World, Entity) -> bool;
type RemoveFn = fn(&mut World, Entity) -> bool;
type IdFn = fn(&mut World) -> ComponentId;

/// How Lua reads and writes one component type, through typed functions.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TypedFns {
    pub(super) get: GetFn,
    pub(super) set: SetFn,
    pub(super) has: HasFn,
    pub(super) remove: RemoveFn,
    pub(super) id: IdFn,
}

fn has<T: Component>(world: &World, entity: Entity) -> bool {
    world.get::<T>(entity).is_some()
}

fn remove<T: Component>(world: &mut World, entity: Entity) -> bool {
    world
        .get_entity_mut(entity)
        .ok()
        .and_then(|mut e| e.take::<T>())
        .is_some()
}

fn insert<T: Component>(world: &mut World, entity: Entity, value: T) -> Result<(), CrescentError> {
    entity_to_set(world, entity)?.insert(value);
    Ok(())
}

impl TypedFns {
    /// A component converted with serde: the whole value on every `set`.
    fn serde<T>() -> Self
    where
        T: Component<Mutability = Mutable> + Serialize + DeserializeOwned,
    {
        Self {
            get: |world, entity, lua| {
                world
                    .get::<T>(entity)
                    .map(|c| lua.to_value(c).map_err(CrescentError::from))
                    .transpose()
            },
            set: |world, entity, lua, value, name| {
                let value = normalize_for_serde(lua, value, name)?;
                let deserializer = mlua::serde::Deserializer::new(value);
                let component: T =
                    serde_path_to_error::deserialize(deserializer).map_err(|err| {
                        let field = err.path().to_string();
                        CrescentError::BadComponentValue {
                            component: name.to_owned(),
                            field: if field == "." { String::new() } else { field },
                            message: err.into_inner().to_string(),
                        }
                    })?;
                insert(world, entity, component)
            },
            has: has::<T>,
            remove: remove::<T>,
            id: |world| world.register_component::<T>(),
        }
    }

    /// Bevy's `Name`, as a Lua string.
    fn name() -> Self {
        Self {
            get: |world, entity, lua| {
                world
                    .get::<Name>(entity)
                    .map(|name| lua.create_string(name.as_str()).map(Value::String))
                    .transpose()
                    .map_err(CrescentError::from)
            },
            set: |world, entity, _, value, component| match value {
                Value::String(text) => insert(world, entity, Name::new(text.to_string_lossy())),
                other => Err(CrescentError::BadComponentValue {
                    component: component.to_owned(),
                    field: String::new(),
                    message: format!("expected a string, got {}", other.type_name()),
                }),
            },
            has: has::<Name>,
            remove: remove::<Name>,
            id: |world| world.register_component::<Name>(),
        }
    }
}

/// The components a game exposed to scripts by name with serde, and Bevy's `Name`.
///
/// Components registered in Bevy's type registry with `#[reflect(Component)]` need no
/// entry here: scripts reach them by type name through reflection. Entries here win over
/// reflection for the same name.
///
/// ```
/// # use crescent_script::ScriptComponents;
/// let components = ScriptComponents::with_builtins();
/// let names: Vec<_> = components.names().collect();
/// assert_eq!(names, ["Name"]);
/// ```
#[derive(Resource, Debug, Default)]
pub struct ScriptComponents {
    by_name: BTreeMap<String, TypedFns>,
}

impl ScriptComponents {
    /// The built-in set: Bevy's `Name` (a string in Lua).
    pub fn with_builtins() -> Self {
        let mut components = Self::default();
        components
            .by_name
            .insert("Name".to_owned(), TypedFns::name());
        components
    }

    /// Exposes `T` to scripts as `name`, converted with serde.
    pub fn register<T>(&mut self, name: &str)
    where
        T: Component<Mutability = Mutable> + Serialize + DeserializeOwned,
    {
        self.by_name.insert(name.to_owned(), TypedFns::serde::<T>());
    }

    /// Registered names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.by_name.keys().map(String::as_str)
    }

    pub(super) fn get(&self, name: &str) -> Option<TypedFns> {
        self.by_name.get(name).copied()
    }
}
