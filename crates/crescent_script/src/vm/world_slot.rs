//! World access from Lua callbacks.
//!
//! Lua calls back into Rust (`world.spawn`, `e:get`, ...) while a frame phase holds the
//! world. The phase lends its `&mut World` with [`WorldSlot::lend`] for exactly the
//! duration of a closure; callbacks borrow it through [`WorldSlot::with`], which empties
//! the slot for the duration, so a re-entrant borrow (a finalizer running inside a
//! callback) gets an error instead of a second `&mut World`.

use std::{cell::Cell, ptr::NonNull};

use bevy_ecs::world::World;

use crate::data::error::CrescentError;

/// Holds the world lent to Lua for the current phase, if any.
#[derive(Debug, Default)]
pub(crate) struct WorldSlot(Cell<Option<NonNull<World>>>);

/// Restores the slot when a lend ends, by return or by unwinding.
struct Restore<'a> {
    slot: &'a WorldSlot,
    previous: Option<NonNull<World>>,
}

impl Drop for Restore<'_> {
    fn drop(&mut self) {
        self.slot.0.set(self.previous);
    }
}

impl WorldSlot {
    /// Lends `world` to Lua callbacks while `f` runs.
    ///
    /// The restore is not the caller's to forget: it runs when `f` returns or unwinds, so
    /// the slot never outlives the `&mut World` it points to.
    pub(crate) fn lend<R>(&self, world: &mut World, f: impl FnOnce() -> R) -> R {
        let previous = self.0.replace(Some(NonNull::from(world)));
        let _restore = Restore {
            slot: self,
            previous,
        };
        f()
    }

    /// Runs `f` with the lent world, or fails when none is lent (or it is already borrowed).
    #[expect(
        unsafe_code,
        reason = "the lent `&mut World` is stored as a pointer for the duration of `lend`"
    )]
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut World) -> R) -> Result<R, CrescentError> {
        let mut ptr = self.0.take().ok_or(CrescentError::WorldUnavailable)?;
        let _restore = Restore {
            slot: self,
            previous: Some(ptr),
        };
        // SAFETY: the pointer came from the `&mut World` that `lend` borrows for as long as
        // the pointer is in the slot (its `Restore` takes it out before `lend` returns).
        // Taking it out of the slot here makes this the only reference until it is put
        // back, so no second `&mut World` can be made from it meanwhile.
        Ok(f(unsafe { ptr.as_mut() }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_world_is_reachable_only_inside_a_lend_and_never_twice() {
        let slot = WorldSlot::default();
        let mut world = World::new();
        assert!(matches!(
            slot.with(|_| ()),
            Err(CrescentError::WorldUnavailable)
        ));
        slot.lend(&mut world, || {
            let nested = slot.with(|_| slot.with(|_| ()).is_err());
            assert_eq!(nested.ok(), Some(true), "a re-entrant borrow is refused");
            assert!(
                slot.with(|_| ()).is_ok(),
                "the slot is restored after a borrow"
            );
        });
        assert!(slot.with(|_| ()).is_err(), "the lend ends with its closure");
    }

    #[test]
    fn an_unwinding_lend_still_restores_the_slot() {
        let slot = WorldSlot::default();
        let mut world = World::new();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            slot.lend(&mut world, || panic!("boom"))
        }));
        assert!(result.is_err());
        assert!(slot.with(|_| ()).is_err());
    }
}
