//! Instance life cycle: attach, `init`, detach, despawn cleanup and `final`.
//!
//! An instance is attached at once (script compiled, `self` built, handlers registered,
//! keys on the entity) but stays pending until the next attach phase runs its `init`;
//! only then are its handlers dispatched. Detaching (or despawning the entity) stops
//! every handler at once; the cleanup phase then calls `final` (for instances whose
//! `init` ran) and removes the handlers, so their keys go stale in the same frame.

use bevy_ecs::entity::Entity;
use crescent_ecs::{DespawnQueue, SpawnOrder};
use mlua::{Lua, LuaSerdeExt, Table, Value};

use super::{
    Core,
    dispatch::{Call, call_lifecycle},
    keys::sync_keys,
    report::{Cause, Source},
};
use crate::{
    data::{
        components::{AttachScripts, PendingCleanup, ScriptHandlers},
        error::CrescentError,
        keys::InstanceKey,
    },
    registry::InstanceState,
    vm::LuaEntity,
};

/// Attaches the script at `path` to `entity`; returns the instance and its `self`.
pub(crate) fn attach(
    lua: &Lua,
    core: &Core,
    entity: Entity,
    path: &str,
    props: Option<&Table>,
) -> Result<(InstanceKey, Table), CrescentError> {
    let despawned = CrescentError::Despawned {
        what: "attach",
        entity,
    };
    let spawn = core.vm().world().with(|world| {
        if crescent_ecs::is_leaving(world, entity) {
            return None;
        }
        let mut e = world.get_entity_mut(entity).ok()?;
        if !e.contains::<SpawnOrder>() {
            e.insert(SpawnOrder::default());
        }
        Some(e.get::<SpawnOrder>().map_or(0, |o| o.0))
    })?;
    let Some(spawn) = spawn else {
        return Err(despawned);
    };
    let script = core.vm().load_script(lua, path)?;
    let this = lua.create_table()?;
    if let Some(props) = props {
        for pair in props.pairs::<Value, Value>() {
            let (k, v) = pair?;
            this.raw_set(k, v)?;
        }
    }
    this.raw_set("entity", LuaEntity(entity))?;
    this.set_metatable(Some(core.instance_meta()?))?;
    let handlers = core.vm().loader().handlers(script);
    let instance = {
        let mut registry = core.registry_mut();
        let instance = registry.insert_instance(entity, spawn, script, this.clone());
        registry.set_script_handlers(instance, handlers)?;
        instance
    };
    core.vm()
        .world()
        .with(|world| sync_keys(core, world, entity, Some(instance)))?;
    core.queue_init(instance);
    Ok((instance, this))
}

/// Runs `init` of every pending instance, in attach order; instances attached by an
/// `init` get theirs in the next round, up to `max_init_rounds` rounds.
pub(crate) fn run_inits(core: &Core) {
    for _ in 0..core.config().max_init_rounds.max(1) {
        let pending = core.take_pending_inits();
        if pending.is_empty() {
            return;
        }
        for instance in pending {
            if core.registry_mut().activate(instance).is_err() {
                continue;
            }
            let failed = call_lifecycle(core, instance, "init", false) == Call::Failed;
            let still_active = matches!(
                core.registry().instance(instance).map(|i| i.state()),
                Ok(InstanceState::Active)
            );
            if failed && still_active {
                // An error in `init` detaches the instance; `final` is only owed to
                // instances whose `init` completed.
                if let Err(err) = detach(core, instance, true) {
                    core.report(Source::Host, "init", Cause::Api(&err));
                }
            }
        }
    }
}

/// Stops one instance at once and queues it for cleanup (`final` if owed, then removal).
fn detach(core: &Core, instance: InstanceKey, init_failed: bool) -> Result<(), CrescentError> {
    let entity = core.registry().instance(instance)?.entity();
    core.registry_mut().begin_detach(instance, init_failed)?;
    core.vm().world().with(|world| {
        if let Some(mut pending) = world.get_resource_mut::<PendingCleanup>() {
            pending.push(entity, instance);
        }
    })
}

/// `e:detach(path)`: stops the instance at once; cleanup calls its `final`.
pub(crate) fn request_detach(core: &Core, instance: InstanceKey) -> Result<(), CrescentError> {
    detach(core, instance, false)
}

/// Stops every instance on `entity` at once and queues the entity for despawn.
pub(crate) fn request_despawn(core: &Core, entity: Entity) -> Result<(), CrescentError> {
    let instances = core.vm().world().with(|world| {
        if world.entities().contains(entity)
            && let Some(mut queue) = world.get_resource_mut::<DespawnQueue>()
        {
            queue.request(entity);
        }
        world
            .get::<ScriptHandlers>(entity)
            .map(|h| h.instances().to_vec())
            .unwrap_or_default()
    })?;
    stop_owned(core, entity, &instances)
}

/// Whether `instance` is registered and attached to `entity`: a key copied to another
/// entity (by a clone, say) never acts on the instance it names.
fn owned_by(core: &Core, entity: Entity, instance: InstanceKey) -> bool {
    core.registry()
        .instance(instance)
        .is_ok_and(|inst| inst.entity() == entity)
}

/// Unlists the handlers of those of `instances` that `entity` owns (begins their detach):
/// from this moment no dispatch, delivery or task of theirs runs, in this phase or later.
pub(crate) fn stop_owned(
    core: &Core,
    entity: Entity,
    instances: &[InstanceKey],
) -> Result<(), CrescentError> {
    for &instance in instances {
        if !owned_by(core, entity, instance) {
            continue;
        }
        match core.registry_mut().begin_detach(instance, false) {
            Ok(_) | Err(CrescentError::Stale(_)) => {}
            Err(err) => return Err(err),
        }
    }
    Ok(())
}

/// Marks instances queued by hooks (Rust-side despawns the hook could not stop at once,
/// say from another thread) as detaching, so no handler of a despawned entity runs
/// before cleanup.
pub(crate) fn sync_pending(core: &Core) {
    let pending = core.vm().world().with(|world| {
        world
            .get_resource::<PendingCleanup>()
            .map(|p| p.entries().collect::<Vec<_>>())
            .unwrap_or_default()
    });
    let stopped = pending.and_then(|pending| {
        pending
            .into_iter()
            .try_for_each(|(entity, instance)| stop_owned(core, entity, &[instance]))
    });
    if let Err(err) = stopped {
        core.report(Source::Host, "cleanup", Cause::Api(&err));
    }
}

/// Applies despawn requests, calls `final` of every instance that went away, and removes
/// their handlers; repeats while `final` handlers despawn or detach more, up to a bound.
pub(crate) fn cleanup(core: &Core) {
    for _ in 0..core.config().max_init_rounds.max(1) {
        let pending = core.vm().world().with(|world| {
            crescent_ecs::apply_despawn_requests(world);
            world
                .get_resource_mut::<PendingCleanup>()
                .map(|mut p| p.take())
                .unwrap_or_default()
        });
        let pending = match pending {
            Ok(pending) if !pending.is_empty() => pending,
            Ok(_) => return,
            Err(err) => {
                core.report(Source::Host, "cleanup", Cause::Api(&err));
                return;
            }
        };
        for (entity, instance) in pending {
            if !owned_by(core, entity, instance) {
                continue;
            }
            if let Err(err) = finish(core, instance) {
                core.report(Source::Host, "final", Cause::Api(&err));
            }
        }
    }
}

/// Calls `final` if owed, cancels the instance's tasks and removes it from the registry
/// and from its entity's keys.
fn finish(core: &Core, instance: InstanceKey) -> Result<(), CrescentError> {
    match core.registry_mut().begin_detach(instance, false) {
        Ok(_) => {}
        Err(CrescentError::Stale(_)) => return Ok(()),
        Err(err) => return Err(err),
    }
    let owes_final = matches!(
        core.registry().instance(instance).map(|i| i.state()),
        Ok(InstanceState::Detaching { was_active: true })
    );
    if owes_final {
        call_lifecycle(core, instance, "final", true);
    }
    core.vm().tasks().cancel_owned(instance);
    let inst = core.registry_mut().remove_instance(instance)?;
    core.vm().collector().released();
    core.vm()
        .world()
        .with(|world| sync_keys(core, world, inst.entity(), None))
}

/// Attaches scripts that Rust code requested with [`AttachScripts`].
pub(crate) fn attach_requested(lua: &Lua, core: &Core) {
    let requests = core.vm().world().with(|world| {
        let mut query = world.query::<(Entity, &AttachScripts, &SpawnOrder)>();
        let mut found: Vec<_> = query
            .iter(world)
            .map(|(e, a, o)| (o.0, e, a.clone()))
            .collect();
        found.sort_by_key(|(order, _, _)| *order);
        for (_, entity, _) in &found {
            if let Ok(mut e) = world.get_entity_mut(*entity) {
                e.remove::<AttachScripts>();
            }
        }
        found
    });
    let requests = match requests {
        Ok(requests) => requests,
        Err(err) => return core.report(Source::Host, "attach", Cause::Api(&err)),
    };
    for (_, entity, request) in requests {
        let props = match request.props.as_ref().map(|p| lua.to_value(p)) {
            None => Ok(None),
            Some(Ok(Value::Table(t))) => Ok(Some(t)),
            Some(Ok(other)) => Err(CrescentError::Lua(mlua::Error::runtime(format!(
                "AttachScripts props must be a JSON object, got a Lua {}",
                other.type_name()
            )))),
            Some(Err(err)) => Err(CrescentError::Lua(err)),
        };
        for path in &request.paths {
            let attached = props
                .as_ref()
                .map_err(|err| CrescentError::Lua(mlua::Error::runtime(err.to_string())))
                .and_then(|props| attach(lua, core, entity, path, props.as_ref()));
            if let Err(err) = attached {
                let source = Source::File {
                    entity: Some(entity),
                    path: path.clone(),
                };
                core.report(source, "attach", Cause::Api(&err));
            }
        }
    }
}
