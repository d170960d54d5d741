//! World access from Lua callbacks.
//!
//! Lua calls back into Rust (`world.spawn`, `e:get`, ...) while a frame phase holds the
//! world. The phase lends its `&mut World` to a [`WorldSlot`] for exactly as long as its
//! [`WorldGuard`] lives; callbacks borrow it through [`WorldSlot::with`], which empties the
//! slot for the duration, so a re-entrant borrow (a finalizer running inside a callback)
//! gets an error instead of a second `&mut World`.

use std::{cell::Cell, marker::PhantomData, ptr::NonNull};

use bevy_ecs::world::World;

use crate::CrescentError;

/// Holds the world lent to Lua for the current phase, if any.
#[derive(Debug, Default)]
pub(crate) struct WorldSlot(Cell<Option<NonNull<World>>>);

/// Lends a world to a [`WorldSlot`] until dropped.
pub(crate) struct WorldGuard<'w> {
    slot: &'w WorldSlot,
    previous: Option<NonNull<World>>,
    _world: PhantomData<&'w mut World>,
}

impl WorldSlot {
    /// Lends `world` to Lua callbacks until the guard drops.
    pub(crate) fn enter<'w>(&'w self, world: &'w mut World) -> WorldGuard<'w> {
        let previous = self.0.replace(Some(NonNull::from(world)));
        WorldGuard {
            slot: self,
            previous,
            _world: PhantomData,
        }
    }

    /// Runs `f` with the lent world, or fails when none is lent (or it is already borrowed).
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut World) -> R) -> Result<R, CrescentError> {
        let mut ptr = self.0.take().ok_or(CrescentError::WorldUnavailable)?;
        // SAFETY: the pointer came from a `&mut World` whose borrow the live `WorldGuard`
        // holds; taking it out of the slot makes this the only reference until restored.
        let result = f(unsafe { ptr.as_mut() });
        self.0.set(Some(ptr));
        Ok(result)
    }
}

impl Drop for WorldGuard<'_> {
    fn drop(&mut self) {
        self.slot.0.set(self.previous);
    }
}
