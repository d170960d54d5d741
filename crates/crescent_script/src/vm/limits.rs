//! The instruction budget per call.
//!
//! The budget is counted by a global VM hook (it reaches coroutines too, installed with
//! the VM) that fires every [`HOOK_PERIOD`] instructions. Only calls inside a [`CallScope`](super::scope::CallScope)
//! count; nested scopes (a task started inside a handler) count against the outermost
//! one, so starting tasks cannot reset a loop's budget. In a dispatch loop the count
//! restarts whenever the loop moves to the next handler, so each handler's budget is its
//! own, give or take one hook period. Once exceeded, every further hook raises again
//! until the call returns, and `pcall` cannot swallow it (see `sandbox::protect`).

use std::cell::Cell;

use crate::data::error::BudgetExceeded;

/// Instructions between two budget checks: the budget's granularity.
pub(super) const HOOK_PERIOD: u32 = 1000;

/// Per-call instruction accounting.
#[derive(Debug, Default)]
pub(crate) struct Budget {
    used: Cell<u64>,
    depth: Cell<u32>,
    /// The dispatch-loop entry the count belongs to: a new entry starts a new count.
    entry: Cell<usize>,
}

/// Marks a budgeted call for as long as it lives.
pub(crate) struct BudgetScope<'a>(&'a Budget);

impl Budget {
    /// Starts a budgeted call; the count restarts only for an outermost call.
    pub(super) fn enter(&self) -> BudgetScope<'_> {
        if self.depth.get() == 0 {
            self.used.set(0);
        }
        self.depth.set(self.depth.get() + 1);
        BudgetScope(self)
    }

    /// Whether a budgeted call is running.
    pub(super) fn is_running(&self) -> bool {
        self.depth.get() > 0
    }

    /// Counts one hook period against the running call (its dispatch-loop `entry`, if
    /// in a loop); `Err` once `limit` is passed.
    pub(super) fn charge(&self, entry: Option<usize>, limit: u64) -> Result<(), BudgetExceeded> {
        if let Some(entry) = entry
            && entry != self.entry.replace(entry)
        {
            self.used.set(0);
        }
        let used = self.used.get().saturating_add(u64::from(HOOK_PERIOD));
        self.used.set(used);
        if used > limit {
            Err(BudgetExceeded { limit })
        } else {
            Ok(())
        }
    }
}

impl Drop for BudgetScope<'_> {
    fn drop(&mut self) {
        self.0.depth.set(self.0.depth.get().saturating_sub(1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_calls_share_the_outermost_count() {
        let budget = Budget::default();
        let outer = budget.enter();
        for _ in 0..3 {
            assert!(budget.charge(None, 5_000).is_ok());
        }
        {
            let _inner = budget.enter();
            assert!(budget.charge(None, 5_000).is_ok());
            assert_eq!(
                budget.charge(None, 5_000),
                Ok(()),
                "5,000 instructions are within a 5,000 budget"
            );
            assert_eq!(
                budget.charge(None, 5_000),
                Err(BudgetExceeded { limit: 5_000 })
            );
        }
        drop(outer);
        let _again = budget.enter();
        assert!(
            budget.charge(None, 5_000).is_ok(),
            "a new outermost call starts over"
        );
    }

    #[test]
    fn each_dispatch_loop_entry_gets_its_own_count() {
        let budget = Budget::default();
        let _call = budget.enter();
        assert!(budget.charge(Some(1), 2_000).is_ok());
        assert!(budget.charge(Some(1), 2_000).is_ok());
        assert!(budget.charge(Some(1), 2_000).is_err());
        assert!(
            budget.charge(Some(2), 2_000).is_ok(),
            "the next handler starts over"
        );
    }
}
