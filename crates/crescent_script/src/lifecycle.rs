//! Instance life cycle: attach, `init`, detach, despawn cleanup and `final`.
//!
//! An instance is attached at once (script compiled, `self` built, handlers registered,
//! keys on the entity) but stays pending until the next attach phase runs its `init`;
//! only then are its handlers dispatched. Detaching (or despawning the entity) stops
//! every handler at once; the cleanup phase then calls `final` (for instances whose
//! `init` ran) and removes the handlers, so their keys go stale in the same frame.

use bevy_ecs::{entity::Entity, world::World};
use crescent_ecs::{DespawnQueue, SpawnOrder};
use mlua::{Lua, Table, Value};

use crate::{
    AttachScripts, CrescentError, InstanceKey, InstanceState, PendingCleanup, ScriptError,
    ScriptHandlers, api::entity::LuaEntity, dispatch, loader, runtime::Ctx,
};

/// Attaches the script at `path` to `entity`; returns the instance and its `self`.
pub(crate) fn attach(
    lua: &Lua,
    ctx: &Ctx,
    entity: Entity,
    path: &str,
    props: Option<&Table>,
) -> Result<(InstanceKey, Table), CrescentError> {
    let spawn = ctx.world.with(|world| -> Result<u64, CrescentError> {
        let mut e = world
            .get_entity_mut(entity)
            .map_err(|_| CrescentError::Despawned {
                what: "attach",
                entity,
            })?;
        if !e.contains::<SpawnOrder>() {
            e.insert(SpawnOrder::default());
        }
        Ok(e.get::<SpawnOrder>().map_or(0, |o| o.0))
    })??;
    if is_despawning(ctx, entity)? {
        return Err(CrescentError::Despawned {
            what: "attach",
            entity,
        });
    }
    let script = loader::load_script(lua, ctx, path)?;
    let this = lua.create_table()?;
    if let Some(props) = props {
        for pair in props.pairs::<Value, Value>() {
            let (k, v) = pair?;
            this.raw_set(k, v)?;
        }
    }
    this.raw_set("entity", LuaEntity(entity))?;
    this.set_metatable(ctx.values(|v| v.instance_meta.clone()).ok())?;
    let handlers: Vec<_> = ctx
        .scripts
        .borrow()
        .get(script)
        .map(|s| s.handlers.clone())
        .unwrap_or_default();
    let (instance, keys) = {
        let mut registry = ctx.registry.borrow_mut();
        let instance = registry.insert_instance(entity, spawn, script, this.clone());
        let mut keys = Vec::with_capacity(handlers.len());
        for (event, func) in handlers {
            keys.push(
                registry
                    .insert_handler(instance, event, func, false)
                    .map_err(mlua::Error::runtime)?,
            );
        }
        (instance, keys)
    };
    ctx.world.with(|world| {
        if let Ok(mut e) = world.get_entity_mut(entity) {
            match e.get_mut::<ScriptHandlers>() {
                Some(mut handlers) => {
                    handlers.instances.push(instance);
                    handlers.handlers.extend(keys);
                }
                None => {
                    e.insert(ScriptHandlers {
                        instances: vec![instance],
                        handlers: keys,
                    });
                }
            }
        }
    })?;
    ctx.selves
        .borrow_mut()
        .insert(this.to_pointer() as usize, instance);
    ctx.pending_init.borrow_mut().push(instance);
    Ok((instance, this))
}

/// Whether `entity` is queued for despawn.
pub(crate) fn is_despawning(ctx: &Ctx, entity: Entity) -> Result<bool, CrescentError> {
    ctx.world
        .with(|world| crescent_ecs::is_leaving(world, entity))
}

/// Runs `init` of every pending instance, in attach order; instances attached by an
/// `init` get theirs in the next round, up to `max_init_rounds` rounds.
pub(crate) fn run_inits(ctx: &Ctx) {
    for _ in 0..ctx.config.max_init_rounds.max(1) {
        let pending = std::mem::take(&mut *ctx.pending_init.borrow_mut());
        if pending.is_empty() {
            return;
        }
        for instance in pending {
            if ctx.registry.borrow_mut().activate(instance).is_err() {
                continue;
            }
            let Some(init) = dispatch::handler_of(ctx, instance, "init") else {
                continue;
            };
            if dispatch::call(ctx, init, &[], false) == dispatch::Call::Failed
                && instance_failed(ctx, instance)
            {
                // An error in `init` detaches the instance; `final` is only owed to
                // instances whose `init` completed.
                let mut registry = ctx.registry.borrow_mut();
                let _ = registry.begin_detach(instance);
                if let Ok(inst) = registry.instance_mut(instance) {
                    inst.state = InstanceState::Detaching { was_active: false };
                }
                drop(registry);
                let _ = ctx.world.with(|world| {
                    if let Some(mut pending) = world.get_resource_mut::<PendingCleanup>() {
                        pending.0.push(instance);
                    }
                });
            }
        }
    }
}

fn instance_failed(ctx: &Ctx, instance: InstanceKey) -> bool {
    matches!(
        ctx.registry.borrow().instance(instance).map(|i| i.state),
        Ok(InstanceState::Active)
    )
}

/// Stops every instance on `entity` at once and queues the entity for despawn.
pub(crate) fn request_despawn(ctx: &Ctx, entity: Entity) -> Result<(), CrescentError> {
    let instances = ctx.world.with(|world| {
        if world.entities().contains(entity)
            && let Some(mut queue) = world.get_resource_mut::<DespawnQueue>()
        {
            queue.request(entity);
        }
        world
            .get::<ScriptHandlers>(entity)
            .map(|h| h.instances.clone())
            .unwrap_or_default()
    })?;
    let mut registry = ctx.registry.borrow_mut();
    for instance in instances {
        let _ = registry.begin_detach(instance);
    }
    Ok(())
}

/// Stops one instance at once and queues it for cleanup (`final`, then removal).
pub(crate) fn request_detach(ctx: &Ctx, instance: InstanceKey) -> Result<(), CrescentError> {
    ctx.registry
        .borrow_mut()
        .begin_detach(instance)
        .map_err(mlua::Error::runtime)?;
    ctx.world.with(|world| {
        if let Some(mut pending) = world.get_resource_mut::<PendingCleanup>() {
            pending.0.push(instance);
        }
    })
}

/// Marks instances queued by hooks (Rust-side despawns) as detaching, so no handler of a
/// despawned entity runs before cleanup.
pub(crate) fn sync_pending(ctx: &Ctx) {
    let pending: Vec<InstanceKey> = ctx
        .world
        .with(|world| {
            world
                .get_resource::<PendingCleanup>()
                .map(|p| p.0.clone())
                .unwrap_or_default()
        })
        .unwrap_or_default();
    let mut registry = ctx.registry.borrow_mut();
    for instance in pending {
        let _ = registry.begin_detach(instance);
    }
}

/// Applies despawn requests, calls `final` of every instance that went away, and removes
/// their handlers; repeats while `final` handlers despawn or detach more, up to a bound.
pub(crate) fn cleanup(ctx: &Ctx) {
    for _ in 0..ctx.config.max_init_rounds.max(1) {
        let _ = ctx.world.with(crescent_ecs::apply_despawn_requests);
        let pending = ctx
            .world
            .with(|world| {
                world
                    .get_resource_mut::<PendingCleanup>()
                    .map(|mut p| std::mem::take(&mut p.0))
                    .unwrap_or_default()
            })
            .unwrap_or_default();
        if pending.is_empty() {
            return;
        }
        for instance in pending {
            finish(ctx, instance);
        }
    }
}

fn finish(ctx: &Ctx, instance: InstanceKey) {
    let _ = ctx.registry.borrow_mut().begin_detach(instance);
    let owes_final = matches!(
        ctx.registry.borrow().instance(instance).map(|i| i.state),
        Ok(InstanceState::Detaching { was_active: true })
    );
    if owes_final && let Some(key) = dispatch::handler_of(ctx, instance, "final") {
        dispatch::call(ctx, key, &[], true);
    }
    crate::tasks::cancel_owned(ctx, instance);
    let removed = ctx.registry.borrow_mut().remove_instance(instance);
    if let Ok(inst) = removed {
        ctx.selves
            .borrow_mut()
            .remove(&(inst.this.to_pointer() as usize));
        crate::runtime::Counters::bump(&ctx.counters.released, 1);
        let _ = ctx
            .world
            .with(|world| forget_instance(world, inst.entity, instance, &inst.handlers));
    }
}

fn forget_instance(
    world: &mut World,
    entity: Entity,
    instance: InstanceKey,
    keys: &[crate::HandlerKey],
) {
    let Ok(mut e) = world.get_entity_mut(entity) else {
        return;
    };
    let now_empty = match e.get_mut::<ScriptHandlers>() {
        Some(mut handlers) => {
            handlers.instances.retain(|k| *k != instance);
            handlers.handlers.retain(|k| !keys.contains(k));
            handlers.instances.is_empty()
        }
        None => false,
    };
    if now_empty {
        e.remove::<ScriptHandlers>();
    }
}

/// Attaches scripts that Rust code requested with [`AttachScripts`].
pub(crate) fn attach_requested(lua: &Lua, ctx: &Ctx) {
    let requests: Vec<(Entity, AttachScripts)> = ctx
        .world
        .with(|world| {
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
            found.into_iter().map(|(_, e, a)| (e, a)).collect()
        })
        .unwrap_or_default();
    for (entity, request) in requests {
        let props = match request
            .props
            .as_ref()
            .map(|p| mlua::LuaSerdeExt::to_value(lua, p))
        {
            Some(Ok(Value::Table(t))) => Some(t),
            _ => None,
        };
        for path in &request.paths {
            if let Err(err) = attach(lua, ctx, entity, path, props.as_ref()) {
                ctx.report(ScriptError {
                    frame: ctx.frame.get(),
                    entity: Some(entity),
                    script: path.clone(),
                    event: "attach".into(),
                    message: err.to_string(),
                    traceback: String::new(),
                });
            }
        }
    }
}
