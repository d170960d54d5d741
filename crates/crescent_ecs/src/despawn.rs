//! Despawn requests: entities scripts asked to remove, applied at one point of the frame.
//!
//! Scripts run while the world is borrowed for dispatch, and an entity that vanished in
//! the middle of a dispatch loop would make the loop's order depend on who despawned
//! whom. So `e:despawn()` only queues the entity here; [`apply_despawn_requests`] removes
//! them all at once, in request order, after the frame's script phases.

use bevy_ecs::{entity::Entity, resource::Resource, world::World};

/// Entities waiting to be despawned, in request order, without duplicates.
#[derive(Resource, Debug, Default)]
pub struct DespawnQueue {
    order: Vec<Entity>,
    pending: bevy_ecs::entity::EntityHashSet,
}

impl DespawnQueue {
    /// Queues `entity`; returns false when it was already queued.
    pub fn request(&mut self, entity: Entity) -> bool {
        if self.pending.insert(entity) {
            self.order.push(entity);
            true
        } else {
            false
        }
    }

    /// Whether `entity` waits for despawn.
    pub fn is_pending(&self, entity: Entity) -> bool {
        // Asked on every component access; the queue is empty nearly always.
        !self.pending.is_empty() && self.pending.contains(&entity)
    }

    /// Number of queued entities.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    fn take(&mut self) -> Vec<Entity> {
        self.pending.clear();
        std::mem::take(&mut self.order)
    }
}

/// Whether `entity` waits in the world's [`DespawnQueue`].
pub fn is_leaving(world: &World, entity: Entity) -> bool {
    world
        .get_resource::<DespawnQueue>()
        .is_some_and(|queue| queue.is_pending(entity))
}

/// Whether `entity` exists and is not waiting for despawn: what scripts call alive.
pub fn is_alive(world: &World, entity: Entity) -> bool {
    world.entities().contains(entity) && !is_leaving(world, entity)
}

/// Despawns every queued entity that still exists; returns how many went.
pub fn apply_despawn_requests(world: &mut World) -> usize {
    let Some(mut queue) = world.get_resource_mut::<DespawnQueue>() else {
        return 0;
    };
    let entities = queue.take();
    entities
        .into_iter()
        .filter(|&entity| world.despawn(entity))
        .count()
}
