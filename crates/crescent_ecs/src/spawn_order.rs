//! Spawn order: the sequence number that makes script dispatch deterministic.
//!
//! Entity ids are recycled, so they cannot order anything. Every entity that carries a
//! crescent component gets a [`SpawnOrder`] the moment it is added (it is a required
//! component of them all), numbered by the world-wide [`SpawnCounter`]. The counter also
//! tracks how many such entities are alive, which is what `world.count()` reports: bevy's
//! own entity count includes resources and observers.

use bevy_ecs::{
    component::Component, lifecycle::HookContext, resource::Resource, world::DeferredWorld,
};

/// The order in which crescent first saw an entity; lower means earlier.
///
/// Assigned by a hook when the component is added, so the value given at construction is
/// replaced: spawn it as `SpawnOrder::default()` or let a required component add it.
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[component(on_add = assign_spawn_order, on_remove = forget_spawn_order)]
pub struct SpawnOrder(pub u64);

/// Hands out [`SpawnOrder`] numbers and counts live entities that carry one.
#[derive(Resource, Debug, Default)]
pub struct SpawnCounter {
    next: u64,
    live: usize,
}

impl SpawnCounter {
    /// Live entities that carry a [`SpawnOrder`].
    pub fn live(&self) -> usize {
        self.live
    }

    /// Numbers handed out so far.
    pub fn issued(&self) -> u64 {
        self.next
    }
}

fn assign_spawn_order(mut world: DeferredWorld, ctx: HookContext) {
    let order = match world.get_resource_mut::<SpawnCounter>() {
        Some(mut counter) => {
            counter.next += 1;
            counter.live += 1;
            counter.next
        }
        None => return,
    };
    if let Some(mut slot) = world.get_mut::<SpawnOrder>(ctx.entity) {
        slot.0 = order;
    }
}

fn forget_spawn_order(mut world: DeferredWorld, _ctx: HookContext) {
    if let Some(mut counter) = world.get_resource_mut::<SpawnCounter>() {
        counter.live = counter.live.saturating_sub(1);
    }
}
