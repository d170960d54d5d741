//! The components that tie entities to scripts: keys only, never Lua values.
//!
//! [`ScriptHandlers`] is written by one function only (the frame layer's key sync, which
//! copies it from the registry); its hooks queue an entity's instances in
//! [`PendingCleanup`] whoever removes it, so cleanup never depends on who despawned.

use bevy_ecs::{
    component::Component, lifecycle::HookContext, resource::Resource, world::DeferredWorld,
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
/// Removing this component (or despawning the entity) detaches every instance: the
/// instances are queued for cleanup, which calls `final` and drops their handlers in the
/// same frame.
///
/// Read-only outside the crate: the registry is the source of truth and this component its
/// copy, rewritten whenever an instance or handler of the entity comes or goes.
#[derive(Component, Debug, Default, Clone, PartialEq, Eq)]
#[component(on_add = count_scripted, on_remove = queue_cleanup)]
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
}

/// Instances whose entity lost its [`ScriptHandlers`] (despawn or removal), awaiting cleanup.
#[derive(Resource, Debug, Default)]
pub struct PendingCleanup(Vec<InstanceKey>);

impl PendingCleanup {
    /// Instances waiting for cleanup, in the order they were queued.
    pub fn instances(&self) -> &[InstanceKey] {
        &self.0
    }

    pub(crate) fn push(&mut self, instance: InstanceKey) {
        self.0.push(instance);
    }

    pub(crate) fn take(&mut self) -> Vec<InstanceKey> {
        std::mem::take(&mut self.0)
    }
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
        Some(handlers) => handlers.instances.clone(),
        None => return,
    };
    if let Some(mut pending) = world.get_resource_mut::<PendingCleanup>() {
        pending.0.extend(instances);
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
