//! Tasks as the frame sees them: started on behalf of whoever runs now, resumed in the
//! tasks phase while their owner is active, their errors reported against their owner.

use mlua::{Function, Lua, MultiValue};

use super::{
    Core,
    report::{Cause, Source},
};
use crate::{data::keys::TaskKey, registry::InstanceState, vm::TaskFailure};

fn report(core: &Core, failure: TaskFailure) {
    let source = failure.owner.map_or(Source::Host, Source::Instance);
    core.report(source, "task", Cause::Lua(&failure.error));
}

/// `task.spawn(fn, ...)`: starts at once and runs to its first wait.
pub(crate) fn spawn(
    core: &Core,
    lua: &Lua,
    func: Function,
    args: MultiValue,
) -> mlua::Result<TaskKey> {
    let (key, failure) = core.vm().spawn_task(lua, func, args, core.current())?;
    if let Some(failure) = failure {
        report(core, failure);
    }
    Ok(key)
}

/// `task.delay(seconds, fn, ...)`: starts once `seconds` have passed.
pub(crate) fn delay(
    core: &Core,
    lua: &Lua,
    seconds: f64,
    func: Function,
    args: MultiValue,
) -> mlua::Result<TaskKey> {
    core.vm()
        .delay_task(lua, seconds, func, args, core.current())
}

/// The tasks phase: resumes every due task whose owner is still active.
pub(crate) fn run_due(core: &Core) {
    let failures = core.vm().run_due_tasks(|instance| {
        matches!(
            core.registry().instance(instance).map(|i| i.state()),
            Ok(InstanceState::Active)
        )
    });
    for failure in failures {
        report(core, failure);
    }
}
