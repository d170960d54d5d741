//! Attaching and detaching scripts from Rust.

use bevy_ecs::{entity::Entity, world::World};

use super::ScriptRuntime;
use crate::{
    data::{components::ScriptHandlers, error::CrescentError},
    frame::lifecycle,
    vm::normalize_path,
};

impl ScriptRuntime {
    /// Detaches the script at `path` from `entity` (its `final` runs in the next cleanup);
    /// returns whether it was attached. The Rust-side `e:detach(path)`;
    /// [`ScriptCommandsExt::detach_script`](crate::ScriptCommandsExt::detach_script) is
    /// its `Commands` form.
    pub fn detach_script(
        world: &mut World,
        entity: Entity,
        path: &str,
    ) -> Result<bool, CrescentError> {
        let path = normalize_path(path)?;
        let instances = world
            .get::<ScriptHandlers>(entity)
            .map(|h| h.instances().to_vec())
            .unwrap_or_default();
        Self::with_core(world, |_, core| {
            let Some(script) = core.vm().loader().index_of(&path) else {
                return Ok(false);
            };
            let found = instances.into_iter().find(|&key| {
                core.registry().instance(key).is_ok_and(|inst| {
                    inst.is_live() && inst.entity() == entity && inst.script() == script
                })
            });
            match found {
                Some(key) => lifecycle::request_detach(core, key).map(|()| true),
                None => Ok(false),
            }
        })
        .ok_or(CrescentError::NoRuntime)?
    }
}
