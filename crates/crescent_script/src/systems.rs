//! The frame phases, as exclusive systems in [`ScriptSystems`] sets.
//!
//! Order within one `app.update()` (SPEC §2): attach pending scripts and run `init`
//! (`PreUpdate`) -> `fixed_update` (`FixedUpdate`, before movement) -> `update`
//! (`Update`) -> events (`PostUpdate`) -> tasks (`PostUpdate`) -> cleanup: despawns
//! requested by scripts, `final`, handler removal (`PostUpdate`) -> GC step and stats
//! (`PostUpdate`, last).

use std::rc::Rc;

use bevy_ecs::{
    message::{MessageCursor, Messages},
    schedule::SystemSet,
    system::Local,
    world::World,
};
use bevy_time::{Fixed, Time, Virtual};
use crescent_ecs::FrameCount;
use mlua::{Lua, Value};

use crate::{
    ScriptErrorLog, ScriptEvent, ScriptRuntime, ScriptStats, ScriptedEntities, dispatch, events,
    gc, lifecycle, runtime::Ctx, tasks,
};

/// The scripting phases of a frame, in order.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScriptSystems {
    /// Attach requested scripts, run `init` (in `PreUpdate`).
    Attach,
    /// Dispatch `fixed_update` (in `FixedUpdate`).
    FixedUpdate,
    /// Dispatch `update` (in `Update`).
    Update,
    /// Deliver events (in `PostUpdate`).
    Events,
    /// Resume due tasks (in `PostUpdate`).
    Tasks,
    /// Apply despawns, call `final`, remove handlers (in `PostUpdate`).
    Cleanup,
    /// Step the GC and refresh [`ScriptStats`] (in `PostUpdate`).
    Gc,
}

/// Lends `world` to the runtime's Lua callbacks while `f` runs, then publishes the errors
/// `f` reported. Returns `None` when the world has no runtime.
pub(crate) fn with_runtime<R>(world: &mut World, f: impl FnOnce(&Lua, &Rc<Ctx>) -> R) -> Option<R> {
    let (lua, ctx) = {
        let runtime = world.get_non_send::<ScriptRuntime>()?;
        (runtime.lua.clone(), Rc::clone(&runtime.ctx))
    };
    refresh_time(world, &ctx);
    let result = {
        let _guard = ctx.world.enter(world);
        f(&lua, &ctx)
    };
    publish_errors(world, &ctx);
    Some(result)
}

fn refresh_time(world: &World, ctx: &Ctx) {
    let frame = world.get_resource::<FrameCount>().map_or(0, |f| f.0);
    ctx.frame.set(frame);
    let (dt, elapsed) = world
        .get_resource::<Time<Virtual>>()
        .map_or((0.0, 0.0), |t| (t.delta_secs_f64(), t.elapsed_secs_f64()));
    let fixed_dt = world
        .get_resource::<Time<Fixed>>()
        .map_or(0.0, |t| t.timestep().as_secs_f64());
    ctx.elapsed.set(elapsed);
    let _ = ctx.values(|values| -> mlua::Result<()> {
        values.time.raw_set("dt", dt)?;
        values.time.raw_set("fixed_dt", fixed_dt)?;
        values.time.raw_set("elapsed", elapsed)?;
        values.time.raw_set("frame", frame)
    });
}

pub(crate) fn publish_errors(world: &mut World, ctx: &Ctx) {
    let errors = std::mem::take(&mut *ctx.errors.borrow_mut());
    if errors.is_empty() {
        return;
    }
    let capacity = ctx.config.error_log_capacity;
    for error in errors {
        log_limited(ctx, &error);
        if let Some(mut log) = world.get_resource_mut::<ScriptErrorLog>() {
            log.total += 1;
            if log.errors.len() < capacity {
                log.errors.push(error.clone());
            }
        }
        world.write_message(error);
    }
}

/// Logs an error unless the same script and event was logged within
/// `log_every_frames`; the next line that gets through says how many were held back.
fn log_limited(ctx: &Ctx, error: &crate::ScriptError) {
    let every = ctx.config.log_every_frames;
    let mut limiter = ctx.log_limiter.borrow_mut();
    let key = (error.script.clone(), error.event.clone());
    let (last, held) = limiter.entry(key).or_insert((0, 0));
    if *last != 0 && error.frame < last.saturating_add(every) {
        *held += 1;
        return;
    }
    if *held > 0 {
        tracing::warn!(target: "crescent", "script error: {error} ({held} similar errors not logged)");
    } else {
        tracing::warn!(target: "crescent", "script error: {error}");
    }
    *last = error.frame.max(1);
    *held = 0;
}

/// `PreUpdate`: clean up between-frame despawns, attach requested scripts, run `init`.
pub fn attach_phase(world: &mut World) {
    with_runtime(world, |lua, ctx| {
        crate::watcher::poll(lua, ctx);
        lifecycle::sync_pending(ctx);
        lifecycle::cleanup(ctx);
        lifecycle::attach_requested(lua, ctx);
        lifecycle::run_inits(ctx);
    });
}

/// `FixedUpdate`: `fixed_update(self, fixed_dt)` on every active instance.
pub fn fixed_update_phase(world: &mut World) {
    dispatch_phase(world, "fixed_update", "fixed_dt");
}

/// `Update`: `update(self, dt)` on every active instance.
pub fn update_phase(world: &mut World) {
    dispatch_phase(world, "update", "dt");
}

/// Dispatches `event` with `time[dt_field]` as its argument.
fn dispatch_phase(world: &mut World, event: &str, dt_field: &str) {
    with_runtime(world, |_, ctx| {
        lifecycle::sync_pending(ctx);
        let dt = ctx
            .values(|v| v.time.raw_get::<f64>(dt_field))
            .ok()
            .and_then(Result::ok)
            .unwrap_or(0.0);
        let event = ctx.registry.borrow_mut().event_id(event);
        dispatch::dispatch(ctx, event, &[Value::Number(dt)]);
    });
}

/// `PostUpdate`: deliver queued events and events Rust sent as [`ScriptEvent`] messages.
pub fn events_phase(world: &mut World, mut cursor: Local<MessageCursor<ScriptEvent>>) {
    let from_rust: Vec<ScriptEvent> = world
        .get_resource::<Messages<ScriptEvent>>()
        .map(|messages| cursor.read(messages).cloned().collect())
        .unwrap_or_default();
    with_runtime(world, |lua, ctx| {
        lifecycle::sync_pending(ctx);
        events::enqueue_from_rust(lua, ctx, from_rust);
        events::deliver(lua, ctx);
    });
}

/// `PostUpdate`: resume every task whose wait is over.
pub fn tasks_phase(world: &mut World) {
    with_runtime(world, |_, ctx| {
        lifecycle::sync_pending(ctx);
        tasks::run_due(ctx);
    });
}

/// `PostUpdate`: apply despawns, call `final`, remove handlers.
pub fn cleanup_phase(world: &mut World) {
    with_runtime(world, |_, ctx| {
        lifecycle::sync_pending(ctx);
        lifecycle::cleanup(ctx);
    });
}

/// `PostUpdate`, last: run the GC policy and refresh [`ScriptStats`].
pub fn gc_phase(world: &mut World) {
    let frame = world.get_resource::<FrameCount>().map_or(0, |f| f.0);
    let stats = with_runtime(world, |lua, ctx| {
        {
            let _budget = ctx.budget.enter();
            gc::run(lua, ctx, frame);
        }
        let registry = ctx.registry.borrow();
        ScriptStats {
            entities: 0,
            instances: registry.instance_count(),
            handlers: registry.handler_count(),
            tasks: ctx.tasks.borrow().len(),
            queued_events: ctx.events.borrow().len(),
            handler_calls: ctx.counters.handler_calls.get(),
            errors: ctx.counters.errors.get(),
            events_delivered: ctx.counters.events_delivered.get(),
            events_dropped: ctx.counters.events_dropped.get(),
            lua_memory_bytes: lua.used_memory(),
            gc_steps: ctx.counters.gc_steps.get(),
            gc_cycles: ctx.counters.gc_cycles.get(),
        }
    });
    if let Some(mut stats) = stats {
        stats.entities = world.get_resource::<ScriptedEntities>().map_or(0, |s| s.0);
        world.insert_resource(stats);
    }
}
