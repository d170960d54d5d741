//! Hot reload: a changed script gets new handlers in every instance, keeping `self`.
//!
//! - A script file: recompiled and run in a fresh environment; if it compiles and returns
//!   a valid handler table, every live instance keeps its `self` (and its `self:on`
//!   handlers and tasks), loses its old script handlers (their keys go stale) and gets
//!   the new ones under new keys, then `on_reload(self)` runs. Handlers that appear or
//!   disappear in the new version take effect at once.
//! - A module (`require`d file): re-run in a fresh environment; its new table replaces
//!   the old one in `package.loaded`, and data fields present in both (non-function
//!   values) carry over from the old table, so shared state survives. The new functions
//!   close over the new table, so everything that required the module must see the new
//!   table: every module that required it reloads the same way (in dependency order),
//!   then every script that required any of them reloads as above. Code that stashed
//!   the old module table somewhere else (in `self`, say) keeps the old one.
//! - A file that no longer compiles or fails to load keeps everything as it was and
//!   reports a `ScriptError` (event `reload`) with `file:line`.

use std::collections::{BTreeSet, VecDeque};

use mlua::Lua;

use super::{
    Core,
    dispatch::call_lifecycle,
    keys::sync_keys,
    report::{Cause, Source},
};
use crate::{
    data::{error::CrescentError, keys::InstanceKey},
    vm::normalize_path,
};

/// Reloads the file at `path` (relative to the assets root), from `source` when given
/// (which then also replaces the file for later loads), else from disk. Returns whether
/// anything loaded from that file was replaced.
pub(crate) fn reload(
    lua: &Lua,
    core: &Core,
    path: &str,
    source: Option<Vec<u8>>,
) -> Result<bool, CrescentError> {
    let path = normalize_path(path)?;
    let loader = core.vm().loader();
    if let Some(source) = source {
        loader.set_override(&path, source);
    }
    if let Some(name) = loader.module_name(&path) {
        if reload_module(lua, core, &path, &name) {
            reload_dependents(lua, core, &path);
        }
        return Ok(true);
    }
    let is_script = loader.index_of(&path).is_some();
    if is_script {
        reload_script(lua, core, &path);
    }
    Ok(is_script)
}

fn report(core: &Core, path: &str, err: &CrescentError) {
    let source = Source::File {
        entity: None,
        path: path.to_owned(),
    };
    core.report(source, "reload", Cause::Api(err));
}

/// Reloads, breadth first from the changed module, every module that required a
/// reloaded module, then every script that required any of them.
fn reload_dependents(lua: &Lua, core: &Core, changed: &str) {
    let mut reloaded = BTreeSet::from([changed.to_owned()]);
    let mut queue = VecDeque::from([changed.to_owned()]);
    let mut scripts = BTreeSet::new();
    while let Some(module) = queue.pop_front() {
        for user in core.vm().loader().users_of(&module) {
            if !reloaded.insert(user.clone()) {
                continue;
            }
            match core.vm().loader().module_name(&user) {
                Some(name) => {
                    if reload_module(lua, core, &user, &name) {
                        queue.push_back(user);
                    }
                }
                None => {
                    scripts.insert(user);
                }
            }
        }
    }
    for script in scripts {
        reload_script(lua, core, &script);
    }
}

/// Re-runs a module; false (and reported) when it failed.
fn reload_module(lua: &Lua, core: &Core, path: &str, name: &str) -> bool {
    match core.vm().reload_module(lua, path, name) {
        Ok(()) => true,
        Err(err) => {
            report(core, path, &err);
            false
        }
    }
}

/// Recompiles a script and swaps the handlers of its instances; reports on failure.
fn reload_script(lua: &Lua, core: &Core, path: &str) {
    let index = match core.vm().reload_script(lua, path) {
        Ok(Some(index)) => index,
        Ok(None) => return,
        Err(err) => return report(core, path, &err),
    };
    let instances: Vec<InstanceKey> = {
        let registry = core.registry();
        registry
            .instance_keys()
            .into_iter()
            .filter(|&key| {
                registry
                    .instance(key)
                    .is_ok_and(|inst| inst.script() == index && inst.is_live())
            })
            .collect()
    };
    for &instance in &instances {
        if let Err(err) = swap_handlers(core, instance, index) {
            report(core, path, &err);
        }
    }
    for instance in instances {
        call_lifecycle(core, instance, "on_reload", false);
    }
}

/// Replaces an instance's script handlers (not its `self:on` ones) with the script's.
fn swap_handlers(core: &Core, instance: InstanceKey, script: usize) -> Result<(), CrescentError> {
    let handlers = core.vm().loader().handlers(script);
    let entity = {
        let mut registry = core.registry_mut();
        registry.set_script_handlers(instance, handlers)?;
        registry.instance(instance)?.entity()
    };
    core.vm()
        .world()
        .with(|world| sync_keys(core, world, entity, None))
}
