//! Limits: the instruction budget per handler call and the Lua memory limit.
//!
//! The budget is counted by a global VM hook (it reaches coroutines too) that fires every
//! [`HOOK_PERIOD`] instructions. Only budgeted calls (handlers, `init`, task resumes)
//! count; nested calls (a task started inside a handler) count against the outermost
//! call, so starting tasks cannot reset a loop's budget. In the Lua dispatch loop the
//! count restarts whenever the loop moves to the next handler, so each handler's budget
//! is its own, give or take one hook period. Once exceeded, every further
//! hook raises again until the call returns, and `pcall` cannot swallow it (see
//! `sandbox::protect`).

use std::{cell::Cell, rc::Weak};

use mlua::{HookTriggers, Lua, VmState};

use crate::{CrescentError, runtime::Ctx};

/// Instructions between two budget checks: the budget's granularity.
pub const HOOK_PERIOD: u32 = 1000;

/// The error raised when a call runs out of instructions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("instruction budget exceeded ({limit} instructions)")]
pub struct BudgetExceeded {
    /// The budget that was exceeded.
    pub limit: u64,
}

/// Per-call instruction accounting.
#[derive(Debug, Default)]
pub(crate) struct Budget {
    used: Cell<u64>,
    depth: Cell<u32>,
    /// The dispatch-loop entry the count belongs to: a new entry starts a new count.
    entry: Cell<i64>,
}

/// Marks a budgeted call for as long as it lives.
pub(crate) struct BudgetScope<'a>(&'a Budget);

impl Budget {
    /// Starts a budgeted call; the count restarts only for an outermost call.
    pub(crate) fn enter(&self) -> BudgetScope<'_> {
        if self.depth.get() == 0 {
            self.used.set(0);
        }
        self.depth.set(self.depth.get() + 1);
        BudgetScope(self)
    }
}

impl Drop for BudgetScope<'_> {
    fn drop(&mut self) {
        self.0.depth.set(self.0.depth.get().saturating_sub(1));
    }
}

/// Installs the budget hook and the memory limit configured for `ctx`.
pub(crate) fn install(
    lua: &Lua,
    ctx: &Weak<Ctx>,
    budget: Option<u64>,
    memory: Option<usize>,
) -> Result<(), CrescentError> {
    if let Some(limit) = memory {
        lua.set_memory_limit(limit)?;
    }
    let Some(limit) = budget else {
        return Ok(());
    };
    let ctx = Weak::clone(ctx);
    lua.set_global_hook(
        HookTriggers::new().every_nth_instruction(HOOK_PERIOD),
        move |_, _| {
            let Some(ctx) = ctx.upgrade() else {
                return Ok(VmState::Continue);
            };
            let budget = &ctx.budget;
            if budget.depth.get() == 0 {
                return Ok(VmState::Continue);
            }
            // Inside the Lua dispatch loop every handler gets its own budget: the loop
            // writes the running entry to `cur[1]`, and a new entry restarts the count.
            if ctx.active_list.get().is_some() && ctx.running.get().is_none() {
                let entry = ctx
                    .values(|v| v.cur.raw_get::<i64>(1))
                    .ok()
                    .and_then(Result::ok)
                    .unwrap_or(0);
                if entry != budget.entry.replace(entry) {
                    budget.used.set(0);
                }
            }
            let used = budget.used.get().saturating_add(u64::from(HOOK_PERIOD));
            budget.used.set(used);
            if used > limit {
                Err(mlua::Error::external(BudgetExceeded { limit }))
            } else {
                Ok(VmState::Continue)
            }
        },
    )?;
    Ok(())
}

/// Whether an error must not be caught by script code (an exceeded budget).
pub(crate) fn is_fatal(err: &mlua::Error) -> bool {
    match err {
        mlua::Error::ExternalError(inner) => inner.downcast_ref::<BudgetExceeded>().is_some(),
        mlua::Error::CallbackError { cause, .. } | mlua::Error::WithContext { cause, .. } => {
            is_fatal(cause)
        }
        _ => false,
    }
}
