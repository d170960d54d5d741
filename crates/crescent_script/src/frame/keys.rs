//! An entity's keys: the one writer of [`ScriptHandlers`], and the verbs that add or remove
//! single handlers (`self:on`, `:disconnect()`).
//!
//! The registry is the source of truth; an entity's [`ScriptHandlers`] is its copy,
//! rewritten by [`sync_keys`] after every change to the entity's instances or handlers.

use bevy_ecs::{entity::Entity, world::World};
use mlua::{Function, Table};

use super::Core;
use crate::data::{
    components::ScriptHandlers,
    error::CrescentError,
    keys::{HandlerKey, InstanceKey},
    limits::MAX_HANDLERS_PER_INSTANCE,
};

/// Rewrites `entity`'s [`ScriptHandlers`] from the registry: its instances that are still
/// registered (plus `added`), and their handlers. Removes the component once no instance
/// is left.
pub(crate) fn sync_keys(
    core: &Core,
    world: &mut World,
    entity: Entity,
    added: Option<InstanceKey>,
) {
    let Ok(mut e) = world.get_entity_mut(entity) else {
        return;
    };
    let mut instances = e
        .get::<ScriptHandlers>()
        .map(|h| h.instances().to_vec())
        .unwrap_or_default();
    instances.extend(added);
    let (instances, handlers) = core.registry().keys_of(&instances);
    let empty = instances.is_empty();
    match e.get_mut::<ScriptHandlers>() {
        Some(mut component) => component.replace(instances, handlers),
        None if !empty => {
            let mut component = ScriptHandlers::default();
            component.replace(instances, handlers);
            e.insert(component);
        }
        None => {}
    }
    if empty {
        // Emptied first, so the removal hook queues nothing for cleanup.
        e.remove::<ScriptHandlers>();
    }
}

/// Syncs `entity`'s keys with the world lent to Lua.
fn sync_lent(core: &Core, entity: Entity) -> Result<(), CrescentError> {
    core.vm()
        .world()
        .with(|world| sync_keys(core, world, entity, None))
}

/// `self:on(event, fn)`: a handler added at run time to the instance whose `self` is `this`.
pub(crate) fn connect(
    core: &Core,
    this: &Table,
    event: &str,
    func: Function,
) -> Result<HandlerKey, CrescentError> {
    let (key, owner) = {
        let mut registry = core.registry_mut();
        let instance = registry
            .instance_of_self(this)
            .ok_or_else(|| mlua::Error::runtime("self:on: this script instance is detached"))?;
        let inst = registry.instance(instance)?;
        if !inst.is_live() {
            return Err(mlua::Error::runtime("self:on: this script instance is detaching").into());
        }
        if inst.handlers().len() >= MAX_HANDLERS_PER_INSTANCE {
            return Err(CrescentError::TooLarge {
                what: "self:on: this script instance's handlers".to_owned(),
                size: format!("{} handlers", inst.handlers().len()),
                limit: "MAX_HANDLERS_PER_INSTANCE",
                max: MAX_HANDLERS_PER_INSTANCE,
            });
        }
        let owner = inst.entity();
        let event = registry.event_id(event)?;
        (registry.insert_handler(instance, event, func, true)?, owner)
    };
    // One key more: appended, not the whole list rewritten (which made `self:on`
    // quadratic in an instance's handlers).
    core.vm().world().with(|world| {
        if let Some(mut component) = world.get_mut::<ScriptHandlers>(owner) {
            component.push_handler(key);
        }
    })?;
    Ok(key)
}

/// Removes one handler (`:disconnect()`, or disabled after errors); its key goes stale.
/// Removing a handler that is already gone is not an error.
pub(crate) fn remove_handler(core: &Core, key: HandlerKey) -> Result<(), CrescentError> {
    let removed = core.registry_mut().remove_handler(key);
    match removed {
        Ok(entry) => {
            core.reporter().clear_streak(key);
            sync_lent(core, entry.owner())
        }
        Err(CrescentError::Stale(_)) => Ok(()),
        Err(err) => Err(err),
    }
}
