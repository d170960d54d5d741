//! Components reached through Bevy's reflection: any type registered with
//! `#[reflect(Component)]`, read and written field by field, no serde needed.

use bevy_ecs::{
    entity::Entity,
    reflect::{AppTypeRegistry, ReflectComponent},
    world::World,
};
use bevy_reflect::{PartialReflect, TypeInfo, std_traits::ReflectDefault};
use mlua::{Lua, Value};

use super::{
    convert::{Place, apply, from_lua, to_lua},
    entity_to_set,
    pod::PodLayout,
};
use crate::data::error::CrescentError;

/// How to reach one reflected component type.
#[derive(Clone)]
pub(crate) struct ReflectAccess {
    reflect: ReflectComponent,
    info: &'static TypeInfo,
    registry: AppTypeRegistry,
    layout: Option<PodLayout>,
    read_only: bool,
}

impl ReflectAccess {
    pub(super) fn new(
        reflect: ReflectComponent,
        info: &'static TypeInfo,
        registry: AppTypeRegistry,
        read_only: bool,
    ) -> Self {
        Self {
            layout: PodLayout::of(info),
            reflect,
            info,
            registry,
            read_only,
        }
    }

    /// The plain-old-data layout, when every leaf is a number.
    pub(super) fn layout(&self) -> Option<&PodLayout> {
        self.layout.as_ref()
    }

    pub(super) fn is_read_only(&self) -> bool {
        self.read_only
    }

    fn value<'w>(&self, world: &'w World, entity: Entity) -> Option<&'w dyn PartialReflect> {
        let entity = world.get_entity(entity).ok()?;
        self.reflect
            .reflect(entity)
            .map(|value| value.as_partial_reflect())
    }

    /// The component as a Lua value, or `None` when the entity has none.
    pub(super) fn get(
        &self,
        world: &World,
        entity: Entity,
        lua: &Lua,
        name: &str,
    ) -> Result<Option<Value>, CrescentError> {
        self.value(world, entity)
            .map(|value| to_lua(lua, value, &Place::root(name)))
            .transpose()
    }

    /// Appends the component's numbers to `out`; false when the entity has none.
    pub(super) fn read_pod(&self, world: &World, entity: Entity, out: &mut [Value]) -> bool {
        match (self.value(world, entity), &self.layout) {
            (Some(value), Some(layout)) => {
                layout.read(value, out);
                true
            }
            _ => false,
        }
    }

    fn writable(&self, name: &str) -> Result<(), CrescentError> {
        if self.read_only {
            return Err(CrescentError::BadComponentValue {
                component: name.to_owned(),
                field: String::new(),
                message: "this component is read-only for scripts".to_owned(),
            });
        }
        Ok(())
    }

    /// Writes a Lua value: into the existing component field by field (all or nothing),
    /// or as a new component built from the table (missing fields from its `Default`).
    pub(super) fn set(
        &self,
        world: &mut World,
        entity: Entity,
        value: Value,
        name: &str,
    ) -> Result<(), CrescentError> {
        self.writable(name)?;
        let registry = self.registry.clone();
        let registry = registry.read();
        let place = Place::root(name);
        let built = match self.value(world, entity) {
            Some(current) => {
                let mut copy = current
                    .reflect_clone()
                    .map_err(|err| place.error(err.to_string()))?
                    .into_partial_reflect();
                apply(copy.as_mut(), value, &registry, &place)?;
                copy
            }
            None => match registry.get_type_data::<ReflectDefault>(self.info.type_id()) {
                Some(default) => {
                    let mut fresh = default.default().into_partial_reflect();
                    apply(fresh.as_mut(), value, &registry, &place)?;
                    fresh
                }
                None => from_lua(value, self.info, &registry, &place)?,
            },
        };
        self.store(world, entity, built.as_ref(), &registry, name)
    }

    /// Writes one number per leaf (`nil` leaves a field as it is). False when the entity
    /// lacks the component and its type has no `Default` to start from: the caller then
    /// adds it through [`ReflectAccess::set`], from the whole table.
    pub(super) fn write_pod(
        &self,
        world: &mut World,
        entity: Entity,
        values: &[Value],
        name: &str,
    ) -> Result<bool, CrescentError> {
        self.writable(name)?;
        let Some(layout) = &self.layout else {
            return Err(Place::root(name).error("not a plain-old-data component"));
        };
        let mut e = entity_to_set(world, entity)?;
        if let Some(mut current) = self.reflect.reflect_mut(&mut e) {
            layout.write(current.as_partial_reflect_mut(), values, name)?;
            return Ok(true);
        }
        let registry = self.registry.clone();
        let registry = registry.read();
        let Some(default) = registry.get_type_data::<ReflectDefault>(self.info.type_id()) else {
            return Ok(false);
        };
        let mut fresh = default.default().into_partial_reflect();
        layout.write(fresh.as_mut(), values, name)?;
        self.reflect.insert(&mut e, fresh.as_ref(), &registry);
        Ok(true)
    }

    fn store(
        &self,
        world: &mut World,
        entity: Entity,
        value: &dyn PartialReflect,
        registry: &bevy_reflect::TypeRegistry,
        name: &str,
    ) -> Result<(), CrescentError> {
        let mut e = entity_to_set(world, entity)?;
        // The whole new value goes in, as an insert (so a list that shrank stays short, and
        // the component's insert hooks run as for a Rust `insert`). Only a value of the real
        // type goes in: `insert` panics on what it cannot build.
        match value.try_as_reflect() {
            Some(_) => {
                self.reflect.insert(&mut e, value, registry);
                Ok(())
            }
            None => {
                Err(Place::root(name)
                    .error("cannot build this component from a table by reflection"))
            }
        }
    }

    /// Whether the entity has the component.
    pub(super) fn has(&self, world: &World, entity: Entity) -> bool {
        self.value(world, entity).is_some()
    }

    /// Removes the component; returns whether it was there.
    pub(super) fn remove(
        &self,
        world: &mut World,
        entity: Entity,
        name: &str,
    ) -> Result<bool, CrescentError> {
        self.writable(name)?;
        Ok(world
            .get_entity_mut(entity)
            .ok()
            .and_then(|mut e| self.reflect.take(&mut e))
            .is_some())
    }
}
