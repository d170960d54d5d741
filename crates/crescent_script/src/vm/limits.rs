//! The budget: how long one call, and one frame's calls together, may run.
//!
//! Two modes ([`ScriptBudget`]), one hook check:
//!
//! - **Time** (the default): the VM runs with no hook at all. A watchdog thread
//!   ([`crescent_lua::Watch`]) notices a call past its CPU time and signals the Lua
//!   thread, which arms a count hook on every Lua thread it runs from then on. Once armed,
//!   the hook measures the running handler itself: in a dispatch loop only the handler
//!   that has run past the limit fails, and the others still run.
//! - **Instructions**: a count hook fires every [`HOOK_PERIOD`] instructions on every
//!   thread, plus what coroutines ran since their last hook (charged at each switch), so a
//!   tree of short coroutines counts like one loop.
//!
//! Only calls inside a [`CallScope`](super::scope::CallScope) count; nested scopes (a task
//! started inside a handler) count against the outermost one, so starting tasks cannot
//! reset a loop's budget. Once exceeded, every further hook raises again until the call
//! returns, and `pcall` cannot swallow it (see `sandbox::protect`).

use std::{cell::Cell, time::Duration};

use crescent_lua::{Entered, MainThread, Watch};

use crate::data::{config::ScriptBudget, error::BudgetExceeded};

/// Instructions between two budget checks (instruction mode, or once armed).
pub(super) const HOOK_PERIOD: u32 = 1000;

/// The budget of one Lua state, and what the running call has used.
#[derive(Debug)]
pub(crate) struct Budget {
    mode: Mode,
    main: Cell<Option<MainThread>>,
    depth: Cell<u32>,
    /// Outermost calls so far: tells one call's entries from the next call's.
    calls: Cell<u64>,
    frame: Cell<u64>,
    used: Cell<u64>,
    frame_used: Cell<u64>,
    /// The entry the count (or start time) belongs to: the call and its dispatch-loop
    /// cursor. A new entry starts a new count.
    entry: Cell<(u64, Option<usize>)>,
    entry_start: Cell<Duration>,
}

#[derive(Debug)]
enum Mode {
    Unlimited,
    Instructions {
        per_call: u64,
        per_frame: Option<u64>,
    },
    Time {
        per_call: Duration,
        watch: Watch,
    },
}

/// Marks a budgeted call for as long as it lives.
pub(crate) struct BudgetScope<'a> {
    budget: &'a Budget,
    /// The outermost call's native state, restored on drop.
    _entered: Option<Entered>,
}

impl Budget {
    /// The budget `config` asks for. Where the time budget is not supported it counts
    /// instructions instead (and says so in the log).
    pub(super) fn new(config: ScriptBudget) -> Budget {
        let mode = match config {
            ScriptBudget::Time {
                per_call,
                per_frame,
            } => match Watch::new(per_call, per_frame) {
                Ok(watch) => Mode::Time { per_call, watch },
                Err(error) => {
                    tracing::warn!(
                        "{error}; counting {} instructions per call instead",
                        ScriptBudget::FALLBACK_INSTRUCTIONS
                    );
                    Mode::Instructions {
                        per_call: ScriptBudget::FALLBACK_INSTRUCTIONS,
                        per_frame: None,
                    }
                }
            },
            ScriptBudget::Instructions {
                per_call,
                per_frame,
            } => Mode::Instructions {
                per_call,
                per_frame,
            },
            _ => Mode::Unlimited,
        };
        Budget {
            mode,
            main: Cell::new(None),
            depth: Cell::new(0),
            calls: Cell::new(0),
            frame: Cell::new(u64::MAX),
            used: Cell::new(0),
            frame_used: Cell::new(0),
            entry: Cell::new((0, None)),
            entry_start: Cell::new(Duration::ZERO),
        }
    }

    /// Whether a hook must be installed, and whether it runs only once armed.
    pub(super) fn hook(&self) -> Option<HookKind> {
        match self.mode {
            Mode::Unlimited => None,
            Mode::Instructions { .. } => Some(HookKind::Always),
            Mode::Time { .. } => Some(HookKind::WhenArmed),
        }
    }

    /// Whether threads mlua creates (which inherit its global hook) must drop the hook:
    /// in time mode only armed threads run it.
    pub(crate) fn hooks_when_armed(&self) -> bool {
        self.hook() == Some(HookKind::WhenArmed)
    }

    /// Records the state's main thread, on which calls start.
    pub(super) fn set_main(&self, main: MainThread) {
        self.main.set(Some(main));
    }

    /// Starts a budgeted call in `frame`; the count restarts only for an outermost call.
    pub(super) fn enter(&self, frame: u64) -> BudgetScope<'_> {
        let mut entered = None;
        if self.depth.get() == 0 {
            self.calls.set(self.calls.get().wrapping_add(1));
            self.used.set(0);
            // Left by a call that failed before its hook counted them: not this call's.
            let _ = crescent_lua::take_uncounted();
            let new_frame = self.frame.replace(frame) != frame;
            if new_frame {
                self.frame_used.set(0);
            }
            if let Some(main) = self.main.get() {
                entered = Some(crescent_lua::enter(
                    main,
                    matches!(self.mode, Mode::Instructions { .. }),
                ));
            }
            if let Mode::Time { watch, .. } = &self.mode {
                if new_frame {
                    watch.begin_frame();
                }
                watch.begin_call();
                if watch.frame_over() {
                    // The frame is spent: this call stops at its first hook.
                    crescent_lua::arm_now();
                }
            }
        }
        self.depth.set(self.depth.get() + 1);
        BudgetScope {
            budget: self,
            _entered: entered,
        }
    }

    /// Whether a budgeted call is running.
    pub(super) fn is_running(&self) -> bool {
        self.depth.get() > 0
    }

    /// The hook's check, for the running call (its dispatch-loop `cursor`, if in a loop);
    /// `Err` once the call or the frame is over its budget.
    pub(super) fn check(&self, cursor: Option<usize>) -> Result<(), BudgetExceeded> {
        if !self.is_running() {
            return Ok(());
        }
        let calls = self.calls.get();
        let current = self.entry.get();
        // Outside a loop's cursor (a task started by a handler, say) the code runs on the
        // behalf of the entry that was running: it keeps that entry's count.
        let entry = match cursor {
            Some(_) => (calls, cursor),
            None if current.0 == calls => current,
            None => (calls, None),
        };
        let new_entry = self.entry.replace(entry) != entry;
        match &self.mode {
            Mode::Unlimited => Ok(()),
            Mode::Instructions {
                per_call,
                per_frame,
            } => {
                if new_entry {
                    self.used.set(0);
                }
                let ran = u64::from(HOOK_PERIOD).saturating_add(crescent_lua::take_uncounted());
                self.charge(ran, *per_call, *per_frame)
            }
            Mode::Time { per_call, watch } => {
                if !crescent_lua::is_armed() {
                    return Ok(());
                }
                if watch.frame_over() {
                    return Err(BudgetExceeded::FrameTime(
                        watch.frame_limit().unwrap_or_default(),
                    ));
                }
                let Some(now) = crescent_lua::thread_cpu_time() else {
                    return Ok(());
                };
                if new_entry {
                    // A dispatch-loop entry is timed from when the hook first sees it (the
                    // loop's earlier handlers are not its fault); any other call from when
                    // the watchdog first saw it.
                    let start = match cursor {
                        Some(_) => now,
                        None => watch.call_start().unwrap_or(now).min(now),
                    };
                    self.entry_start.set(start);
                }
                if now.saturating_sub(self.entry_start.get()) > *per_call {
                    Err(BudgetExceeded::Time(*per_call))
                } else {
                    Ok(())
                }
            }
        }
    }

    /// Counts `ran` instructions against the call and the frame.
    fn charge(
        &self,
        ran: u64,
        per_call: u64,
        per_frame: Option<u64>,
    ) -> Result<(), BudgetExceeded> {
        let used = self.used.get().saturating_add(ran);
        self.used.set(used);
        let frame_used = self.frame_used.get().saturating_add(ran);
        self.frame_used.set(frame_used);
        if let Some(cap) = per_frame
            && frame_used > cap
        {
            return Err(BudgetExceeded::FrameInstructions(cap));
        }
        if used > per_call {
            return Err(BudgetExceeded::Instructions(per_call));
        }
        Ok(())
    }
}

/// When the budget's hook runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum HookKind {
    /// On every thread, all the time (instruction mode).
    Always,
    /// Only on threads the watchdog armed (time mode).
    WhenArmed,
}

impl Drop for BudgetScope<'_> {
    fn drop(&mut self) {
        let budget = self.budget;
        budget.depth.set(budget.depth.get().saturating_sub(1));
        if budget.depth.get() == 0
            && let Mode::Time { watch, .. } = &budget.mode
        {
            watch.end_call();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instructions(per_call: u64, per_frame: Option<u64>) -> Budget {
        Budget::new(ScriptBudget::Instructions {
            per_call,
            per_frame,
        })
    }

    #[test]
    fn nested_calls_share_the_outermost_count() {
        let budget = instructions(5_000, None);
        let outer = budget.enter(1);
        for _ in 0..3 {
            assert!(budget.check(None).is_ok());
        }
        {
            let _inner = budget.enter(1);
            assert!(budget.check(None).is_ok());
            assert_eq!(
                budget.check(None),
                Ok(()),
                "5,000 instructions are within a 5,000 budget"
            );
            assert_eq!(budget.check(None), Err(BudgetExceeded::Instructions(5_000)));
        }
        drop(outer);
        let _again = budget.enter(1);
        assert!(
            budget.check(None).is_ok(),
            "a new outermost call starts over"
        );
    }

    #[test]
    fn each_dispatch_loop_entry_gets_its_own_count() {
        let budget = instructions(2_000, None);
        let _call = budget.enter(1);
        assert!(budget.check(Some(1)).is_ok());
        assert!(budget.check(Some(1)).is_ok());
        assert!(budget.check(Some(1)).is_err());
        assert!(
            budget.check(Some(2)).is_ok(),
            "the next handler starts over"
        );
    }

    #[test]
    fn a_frame_cap_counts_every_call_of_the_frame() {
        let budget = instructions(5_000, Some(4_000));
        for call in 0..4 {
            let _call = budget.enter(7);
            assert!(
                budget.check(None).is_ok(),
                "call {call} is within the frame"
            );
        }
        let _call = budget.enter(7);
        assert_eq!(
            budget.check(None),
            Err(BudgetExceeded::FrameInstructions(4_000))
        );
        drop(_call);
        let _next_frame = budget.enter(8);
        assert!(budget.check(None).is_ok(), "a new frame starts over");
    }
}
