//! The components that tie entities to scripts: keys only, never Lua values.
//!
//! [`ScriptHandlers`] is written by one function only (the frame layer's key sync, which
//! copies it from the registry); its removal hook stops the entity's instances at once
//! and queues them in [`PendingCleanup`], whoever removes it (a despawn from Rust, from an
//! observer in the middle of a script phase, a hierarchy despawn), so no handler of a
//! despawned entity runs again except `final`.
//!
//! The hook only has a [`DeferredWorld`], and this layer cannot see the runtime; the
//! runtime layer installs [`StopInstances`], a plain function the hook calls to take the
//! instances out of the dispatch lists before the hook returns.

use std::thread::ThreadId;

use bevy_ecs::{
    component::Component,
    entity::Entity,
    lifecycle::HookContext,
    resource::Resource,
    world::{DeferredWorld, World},
};
use crescent_ecs::SpawnOrder;
use serde::{Deserialize, Serialize};

use super::{
    keys::{HandlerKey, InstanceKey},
    stats::ScriptedEntities,
};

/// The script instances attached to an entity and their handler keys.
///
/// Plain `Copy` keys into the runtime's handler registry.
/// Removing this component (or despawning the entity) detaches every instance: its
/// handlers stop at once (even in the middle of a script phase), and cleanup calls `final`
/// and drops them in the same frame.
///
/// Read-only outside the crate: the registry is the source of truth and this component its
/// copy, rewritten whenever an instance or handler of the entity comes or goes. It is not
/// `Clone`, and cloning an entity (`clone_and_spawn`, `EntityCloner`) leaves it behind
/// (`clone_behavior = Ignore`): keys are never shared by two entities. A clone gets no
/// scripts; attach fresh ones with [`AttachScripts`] (a pending `AttachScripts` is
/// cloned with the entity, so a clone made before the attach phase gets its own
/// instances).
#[derive(Component, Debug, Default, PartialEq, Eq)]
#[component(on_add = count_scripted, on_remove = queue_cleanup, clone_behavior = Ignore)]
#[require(SpawnOrder)]
pub struct ScriptHandlers {
    instances: Vec<InstanceKey>,
    handlers: Vec<HandlerKey>,
}

impl ScriptHandlers {
    /// Attached instances, in attach order.
    pub fn instances(&self) -> &[InstanceKey] {
        &self.instances
    }

    /// Their handlers (lifecycle, custom and `self:on`), instance by instance.
    pub fn handlers(&self) -> &[HandlerKey] {
        &self.handlers
    }

    /// Replaces both lists; only the frame layer's key sync calls this.
    pub(crate) fn replace(&mut self, instances: Vec<InstanceKey>, handlers: Vec<HandlerKey>) {
        self.instances = instances;
        self.handlers = handlers;
    }

    /// Appends one handler of an instance already listed; only the frame layer's key
    /// writer calls this (for `self:on`, where a full rewrite would be quadratic).
    pub(crate) fn push_handler(&mut self, handler: HandlerKey) {
        self.handlers.push(handler);
    }
}

/// Instances whose entity lost its [`ScriptHandlers`] (despawn or removal) or that were
/// detached, awaiting cleanup; each with the entity it was queued for, so cleanup can
/// check that the instance really belongs to it.
#[derive(Resource, Debug, Default)]
pub struct PendingCleanup {
    instances: Vec<InstanceKey>,
    owners: Vec<Entity>,
}

impl PendingCleanup {
    /// Instances waiting for cleanup, in the order they were queued.
    pub fn instances(&self) -> &[InstanceKey] {
        &self.instances
    }

    /// `(entity, instance)` pairs waiting for cleanup, in the order they were queued.
    pub fn entries(&self) -> impl Iterator<Item = (Entity, InstanceKey)> + '_ {
        self.owners
            .iter()
            .copied()
            .zip(self.instances.iter().copied())
    }

    /// Whether `instance` waits for cleanup, queued for `entity`.
    pub fn is_queued(&self, entity: Entity, instance: InstanceKey) -> bool {
        self.entries().any(|pair| pair == (entity, instance))
    }

    pub(crate) fn push(&mut self, entity: Entity, instance: InstanceKey) {
        self.owners.push(entity);
        self.instances.push(instance);
    }

    pub(crate) fn take(&mut self) -> Vec<(Entity, InstanceKey)> {
        let owners = std::mem::take(&mut self.owners);
        let instances = std::mem::take(&mut self.instances);
        owners.into_iter().zip(instances).collect()
    }
}

/// How the runtime stops an entity's instances at once, installed by the runtime layer on
/// the thread that owns the runtime; [`ScriptHandlers`]' removal hook calls it (on that
/// thread only) so that the rest of a running phase skips them.
#[derive(Resource, Clone, Copy, Debug)]
pub(crate) struct StopInstances {
    /// The thread the runtime (a non-send resource) lives on.
    pub(crate) thread: ThreadId,
    /// Stops those of `instances` that `entity` owns.
    pub(crate) stop: fn(&World, Entity, &[InstanceKey]),
}

fn count_scripted(mut world: DeferredWorld, _ctx: HookContext) {
    if let Some(mut scripted) = world.get_resource_mut::<ScriptedEntities>() {
        scripted.0 += 1;
    }
}

fn queue_cleanup(mut world: DeferredWorld, ctx: HookContext) {
    if let Some(mut scripted) = world.get_resource_mut::<ScriptedEntities>() {
        scripted.0 = scripted.0.saturating_sub(1);
    }
    let instances = match world.get::<ScriptHandlers>(ctx.entity) {
        Some(handlers) if !handlers.instances.is_empty() => handlers.instances.clone(),
        _ => return,
    };
    if let Some(stop) = world.get_resource::<StopInstances>().copied()
        && stop.thread == std::thread::current().id()
    {
        (stop.stop)(&world, ctx.entity, &instances);
    }
    if let Some(mut pending) = world.get_resource_mut::<PendingCleanup>() {
        for instance in instances {
            pending.push(ctx.entity, instance);
        }
    }
}

/// Asks the scripting plugin to attach scripts to this entity in the next attach phase.
///
/// The Rust-side counterpart of `world.spawn{ script = ... }`:
/// ```
/// # use crescent_script::AttachScripts;
/// let attach = AttachScripts::new(["scripts/mover.lua"]).with_props(serde_json::json!({ "speed": 3 }));
/// assert_eq!(attach.paths, ["scripts/mover.lua"]);
/// ```
#[derive(Component, Debug, Default, Clone, Serialize, Deserialize)]
#[require(SpawnOrder)]
pub struct AttachScripts {
    /// Script paths relative to the assets root, attached in this order.
    pub paths: Vec<String>,
    /// Properties copied into each instance's `self` before `init`.
    pub props: Option<serde_json::Value>,
}

impl AttachScripts {
    /// Attaches these scripts, without props.
    pub fn new<S: Into<String>>(paths: impl IntoIterator<Item = S>) -> Self {
        Self {
            paths: paths.into_iter().map(Into::into).collect(),
            props: None,
        }
    }

    /// Sets the props copied into each instance's `self`.
    pub fn with_props(mut self, props: serde_json::Value) -> Self {
        self.props = Some(props);
        self
    }
}
