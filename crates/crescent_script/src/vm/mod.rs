//! Layer 3, the VM: the Lua state and everything that runs in it, without the world's
//! rules. The sandbox and each file's environment, the loader (one load pipeline for
//! scripts and modules), the compile rule, the budget and memory limit, the
//! call scope (who is running), tasks, the GC policy at work, the frame clock, the
//! dispatch loop, the world slot Lua callbacks borrow the world through, and the handle
//! types Lua holds.
//!
//! Below: the [registry](crate::registry) and [plain data](crate::data). Above: the
//! [frame's verbs](crate::frame), which decide *what* runs; the VM only runs it.
//!
//! [`Vm`] is shared with the Rust callbacks installed in Lua (as Lua app data): it holds
//! no `Lua` handle, so there is no reference cycle, and [`Vm::clear`] drops every Lua
//! value it keeps before the state closes. Each part owns its state behind private fields
//! and never holds a borrow of it while calling out.

mod clock;
mod compile;
mod gc;
mod handles;
mod limits;
mod loader;
mod looper;
mod paths;
mod sandbox;
mod scope;
mod script_table;
mod sizes;
mod tasks;
mod world_slot;

use std::rc::{Rc, Weak};

use mlua::{HookTriggers, Lua, Table, VmState};

pub(crate) use self::{
    clock::Clock,
    compile::compile_file,
    gc::Collector,
    handles::{Connection, LuaEntity, LuaTask, entity_ids},
    loader::Loader,
    looper::{LoopError, Looper},
    paths::normalize_path,
    sandbox::join_values,
    scope::{Running, Who},
    sizes::value_size,
    tasks::{Scheduler, TaskFailure},
    world_slot::WorldSlot,
};
use self::{
    limits::{Budget, HOOK_PERIOD, HookKind},
    sandbox::Sandbox,
    scope::{CallScope, Scope},
};
use crate::data::{config::ScriptConfig, error::CrescentError};

/// The Lua state's side of a runtime: everything the VM layer keeps between calls.
pub(crate) struct Vm {
    loader: Loader,
    sandbox: Sandbox,
    tasks: Scheduler,
    scope: Scope,
    budget: Budget,
    world: WorldSlot,
    clock: Clock,
    collector: Collector,
    looper: Looper,
}

impl Vm {
    /// A fresh, sandboxed Lua state and its VM, installed as the state's app data. The
    /// API layer installs its globals next, then calls [`Vm::seal`].
    pub(crate) fn new(config: &ScriptConfig) -> Result<(Lua, Rc<Vm>), CrescentError> {
        let lua = sandbox::new_lua()?;
        let vm = Rc::new(Vm {
            loader: Loader::new(config.assets_root.clone()),
            sandbox: Sandbox::default(),
            tasks: Scheduler::default(),
            scope: Scope::default(),
            budget: Budget::new(config.budget),
            world: WorldSlot::default(),
            clock: Clock::default(),
            collector: Collector::default(),
            looper: Looper::default(),
        });
        lua.set_app_data(Rc::clone(&vm));
        if let Some(limit) = config.memory_limit {
            lua.set_memory_limit(limit)?;
        }
        install_budget_hook(&lua, &vm)?;
        vm.clock.install(&lua)?;
        vm.looper.install(&lua)?;
        vm.tasks.install_wait(&lua)?;
        sandbox::install(&lua, config.max_source_bytes)?;
        loader::install_require(&lua, &vm.loader, &lua.globals())?;
        Collector::apply_mode(&lua, &config.gc);
        Ok((lua, vm))
    }

    /// Enters a call: `who` runs (or, with `None`, whoever ran keeps running, as for a
    /// script's top level run on its spawner's behalf), under the budget.
    pub(crate) fn enter(&self, who: Option<Who>) -> CallScope<'_> {
        CallScope::enter(&self.scope, &self.budget, who, self.clock.frame())
    }

    /// Makes the globals (with the API now installed) the base of every environment.
    pub(crate) fn seal(&self, lua: &Lua) -> Result<(), CrescentError> {
        sandbox::seal(lua, self)
    }

    /// The VM of the runtime that owns `lua`.
    pub(crate) fn of(lua: &Lua) -> mlua::Result<Rc<Vm>> {
        lua.app_data_ref::<Rc<Vm>>()
            .map(|vm| Rc::clone(&vm))
            .ok_or_else(|| mlua::Error::runtime(CrescentError::RuntimeClosed))
    }

    /// A fresh script environment: own globals over the shared built-ins.
    pub(crate) fn new_env(&self, lua: &Lua) -> Result<Table, CrescentError> {
        sandbox::new_env(lua, self)
    }

    /// The script cache.
    pub(crate) fn loader(&self) -> &Loader {
        &self.loader
    }

    fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    /// Adds a global every script environment sees, old and new.
    pub(crate) fn set_global(
        &self,
        lua: &Lua,
        name: &str,
        value: mlua::Value,
    ) -> Result<(), CrescentError> {
        self.sandbox.set_global(lua, name, value)
    }

    /// The budget.
    pub(crate) fn budget(&self) -> &Budget {
        &self.budget
    }

    /// The task scheduler.
    pub(crate) fn tasks(&self) -> &Scheduler {
        &self.tasks
    }

    /// Who runs now.
    pub(crate) fn scope(&self) -> &Scope {
        &self.scope
    }

    /// The world lent to Lua callbacks.
    pub(crate) fn world(&self) -> &WorldSlot {
        &self.world
    }

    /// The frame clock.
    pub(crate) fn clock(&self) -> &Clock {
        &self.clock
    }

    /// The GC policy's bookkeeping.
    pub(crate) fn collector(&self) -> &Collector {
        &self.collector
    }

    /// The dispatch loop.
    pub(crate) fn looper(&self) -> &Looper {
        &self.looper
    }

    /// Drops every Lua value the VM keeps; called before the Lua state closes.
    pub(crate) fn clear(&self, lua: &Lua) {
        self.loader.clear();
        self.sandbox.clear();
        self.tasks.clear();
        self.clock.clear();
        self.looper.clear();
        lua.remove_app_data::<Rc<Vm>>();
    }
}

/// Installs the budget's hook: it checks the running call (each dispatch-loop handler on
/// its own) and raises [`BudgetExceeded`](crate::BudgetExceeded) once it is over. In time
/// mode the hook is handed to the native side, which sets it only on armed threads.
fn install_budget_hook(lua: &Lua, vm: &Rc<Vm>) -> Result<(), CrescentError> {
    let Some(kind) = vm.budget.hook() else {
        return Ok(());
    };
    let weak: Weak<Vm> = Rc::downgrade(vm);
    lua.set_global_hook(
        HookTriggers::new().every_nth_instruction(HOOK_PERIOD),
        move |_, _| {
            let Some(vm) = weak.upgrade() else {
                return Ok(VmState::Continue);
            };
            let cursor = match vm.scope.who() {
                Who::List { .. } => Some(vm.looper.cursor().unwrap_or(0)),
                _ => None,
            };
            vm.budget
                .check(cursor)
                .map(|()| VmState::Continue)
                .map_err(mlua::Error::external)
        },
    )?;
    if kind == HookKind::WhenArmed {
        crescent_lua::adopt_hook(lua, HOOK_PERIOD)?;
    }
    vm.budget.set_main(crescent_lua::MainThread::of(lua)?);
    Ok(())
}
