//! The GC policy at work: Lua's collector stepped from the GC phase, so memory (and every
//! Rust `Rc`/`Arc` a script holds) comes back without a full collect every frame.

use std::cell::Cell;

use mlua::{
    Lua,
    state::{GcGenParams, GcIncParams, GcMode},
};

use crate::data::config::{GcKind, GcPolicy};

/// What the collector has done, and what it owes.
#[derive(Debug, Default)]
pub(crate) struct Collector {
    steps: Cell<u64>,
    cycles: Cell<u64>,
    /// Instances removed since the last full collection.
    released: Cell<u64>,
    /// A full collection is owed to finish freeing what the last one finalized.
    followup: Cell<bool>,
}

impl Collector {
    /// Sets Lua's collector mode from the policy.
    pub(super) fn apply_mode(lua: &Lua, policy: &GcPolicy) {
        let mode = match policy.mode {
            GcKind::Generational => GcMode::Generational(GcGenParams::default()),
            GcKind::Incremental => GcMode::Incremental(GcIncParams::default()),
        };
        lua.gc_set_mode(mode);
    }

    /// Notes that a script instance went away (its values are garbage now).
    pub(crate) fn released(&self) {
        self.released.set(self.released.get() + 1);
    }

    /// `gc_step` calls so far.
    pub(crate) fn steps(&self) -> u64 {
        self.steps.get()
    }

    /// Cycles completed by the runtime's steps and full collects.
    pub(crate) fn cycles(&self) -> u64 {
        self.cycles.get()
    }

    /// Runs the policy for `frame`, with `live` script instances in the registry.
    pub(crate) fn run(&self, lua: &Lua, policy: &GcPolicy, frame: u64, live: usize) {
        let periodic = policy
            .full_collect_every
            .is_some_and(|every| every > 0 && frame.is_multiple_of(u64::from(every)));
        let released = self.released.get();
        let followup = self.followup.replace(false);
        let after_release = policy.collect_after_release.is_some_and(|ratio| {
            released > 0 && released as f64 >= (f64::from(ratio) * live as f64).max(1.0)
        });
        if periodic || after_release || followup {
            self.released.set(0);
            // Userdata in the released values are finalized in this collection but freed
            // only in the next one: schedule it for the next frame.
            self.followup.set(after_release);
            if lua.gc_collect().is_ok() {
                self.cycles.set(self.cycles.get() + 1);
            }
            return;
        }
        if policy.period_frames == 0 || !frame.is_multiple_of(u64::from(policy.period_frames)) {
            return;
        }
        for _ in 0..policy.steps {
            self.steps.set(self.steps.get() + 1);
            if let Ok(true) = lua.gc_step() {
                self.cycles.set(self.cycles.get() + 1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_follow_the_period() {
        let lua = Lua::new();
        let policy = GcPolicy {
            period_frames: 2,
            steps: 3,
            collect_after_release: None,
            ..GcPolicy::default()
        };
        let gc = Collector::default();
        for frame in 1..=4 {
            gc.run(&lua, &policy, frame, 10);
        }
        assert_eq!(gc.steps(), 6, "frames 2 and 4, three steps each");
    }

    #[test]
    fn releases_trigger_a_full_collection_and_its_followup() {
        let lua = Lua::new();
        let policy = GcPolicy {
            period_frames: 0,
            ..GcPolicy::default()
        };
        let gc = Collector::default();
        gc.run(&lua, &policy, 1, 8);
        assert_eq!(gc.cycles(), 0, "nothing released, nothing collected");
        gc.released();
        gc.run(&lua, &policy, 2, 8);
        assert_eq!(gc.cycles(), 0, "1 of 8 is below a quarter");
        gc.released();
        gc.run(&lua, &policy, 3, 8);
        assert_eq!(gc.cycles(), 1, "2 of 8 reach a quarter");
        gc.run(&lua, &policy, 4, 8);
        assert_eq!(
            gc.cycles(),
            2,
            "the follow-up frees what the first finalized"
        );
        gc.run(&lua, &policy, 5, 8);
        assert_eq!(gc.cycles(), 2, "and then it stops");
    }
}
