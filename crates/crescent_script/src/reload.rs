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

use mlua::{Lua, Table, Value};

use crate::{
    CrescentError, InstanceKey, InstanceState, ScriptError, ScriptHandlers, dispatch, loader,
    runtime::Ctx,
};

/// Reloads the file at `path` (relative to the assets root), from `source` when given
/// (which then also replaces the file for later loads), else from disk. Returns whether
/// anything loaded from that file was replaced.
pub(crate) fn reload(
    lua: &Lua,
    ctx: &Ctx,
    path: &str,
    source: Option<Vec<u8>>,
) -> Result<bool, CrescentError> {
    let path = loader::normalize_path(path)?;
    if let Some(source) = source {
        ctx.scripts
            .borrow_mut()
            .overrides
            .insert(path.clone(), source);
    }
    let is_script = ctx.scripts.borrow().index_of(&path).is_some();
    let module = ctx.scripts.borrow().modules.get(&path).cloned();
    if let Some(name) = module {
        if reload_module(lua, ctx, &path, &name) {
            reload_dependents(lua, ctx, &path);
        }
        return Ok(true);
    }
    if is_script {
        reload_script(lua, ctx, &path);
    }
    Ok(is_script)
}

fn report(ctx: &Ctx, path: &str, err: &CrescentError) {
    let (message, traceback) = match err {
        CrescentError::Lua(inner) => crate::error::split_lua_error(inner),
        other => (other.to_string(), String::new()),
    };
    ctx.report(ScriptError {
        frame: ctx.frame.get(),
        entity: None,
        script: path.to_owned(),
        event: "reload".to_owned(),
        message,
        traceback,
    });
}

/// Reloads, breadth first from the changed module, every module that required a
/// reloaded module, then every script that required any of them.
fn reload_dependents(lua: &Lua, ctx: &Ctx, changed: &str) {
    let mut reloaded = BTreeSet::from([changed.to_owned()]);
    let mut queue = VecDeque::from([changed.to_owned()]);
    let mut scripts = BTreeSet::new();
    while let Some(module) = queue.pop_front() {
        let users: Vec<String> = ctx
            .scripts
            .borrow()
            .requires
            .iter()
            .filter(|(file, requires)| requires.contains(&module) && !reloaded.contains(*file))
            .map(|(file, _)| file.clone())
            .collect();
        for user in users {
            reloaded.insert(user.clone());
            let name = ctx.scripts.borrow().modules.get(&user).cloned();
            match name {
                Some(name) => {
                    if reload_module(lua, ctx, &user, &name) {
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
        reload_script(lua, ctx, &script);
    }
}

/// Re-runs a module and merges its new table into the old one; false when it failed.
fn reload_module(lua: &Lua, ctx: &Ctx, path: &str, name: &str) -> bool {
    let fresh = (|| -> Result<Value, CrescentError> {
        let env = crate::sandbox::new_env(lua, ctx)?;
        let chunk = loader::compile_file(lua, ctx, path, env)?;
        let value = loader::run_tracked(ctx, path, || chunk.call::<Value>((name, path)))?;
        Ok(if value == Value::Nil {
            Value::Boolean(true)
        } else {
            value
        })
    })();
    let fresh = match fresh {
        Ok(value) => value,
        Err(err) => {
            report(ctx, path, &err);
            return false;
        }
    };
    let replaced = (|| -> Result<(), CrescentError> {
        let loaded = ctx.values(|v| v.package_loaded.clone())?;
        if let (Value::Table(old), Value::Table(new)) = (loaded.raw_get::<Value>(name)?, &fresh) {
            carry_data(&old, new)?;
        }
        loaded.raw_set(name, fresh)?;
        Ok(())
    })();
    if let Err(err) = replaced {
        report(ctx, path, &err);
        return false;
    }
    true
}

/// Copies the old table's data fields (non-functions) that the new table also has.
fn carry_data(old: &Table, new: &Table) -> mlua::Result<()> {
    for pair in old.pairs::<Value, Value>() {
        let (key, value) = pair?;
        let fresh = new.raw_get::<Value>(key.clone())?;
        let data = !matches!(value, Value::Function(_)) && !matches!(fresh, Value::Function(_));
        if data && fresh != Value::Nil {
            new.raw_set(key, value)?;
        }
    }
    Ok(())
}

/// Recompiles a script and swaps the handlers of its instances; reports on failure.
fn reload_script(lua: &Lua, ctx: &Ctx, path: &str) {
    let Some(index) = ctx.scripts.borrow().index_of(path) else {
        return;
    };
    let loaded = (|| -> Result<_, CrescentError> {
        let env = crate::sandbox::new_env(lua, ctx)?;
        let chunk = loader::compile_file(lua, ctx, path, env)?;
        let table = loader::run_tracked(ctx, path, || loader::run_script_chunk(path, chunk))?;
        loader::collect_handlers(ctx, path, &table)
    })();
    let handlers = match loaded {
        Ok(handlers) => handlers,
        Err(err) => {
            report(ctx, path, &err);
            return;
        }
    };
    ctx.scripts
        .borrow_mut()
        .set_handlers(index, handlers.clone());
    let instances: Vec<InstanceKey> = {
        let registry = ctx.registry.borrow();
        registry
            .instance_keys()
            .into_iter()
            .filter(|&key| {
                registry.instance(key).is_ok_and(|inst| {
                    inst.script == index && !matches!(inst.state, InstanceState::Detaching { .. })
                })
            })
            .collect()
    };
    for &instance in &instances {
        swap_handlers(ctx, instance, &handlers);
    }
    for instance in instances {
        if let Some(key) = dispatch::handler_of(ctx, instance, "on_reload") {
            dispatch::call(ctx, key, &[], false);
        }
    }
}

/// Replaces an instance's script handlers (not its `self:on` ones) with `handlers`.
fn swap_handlers(ctx: &Ctx, instance: InstanceKey, handlers: &[(crate::EventId, mlua::Function)]) {
    let (entity, old, new) = {
        let mut registry = ctx.registry.borrow_mut();
        let Ok(inst) = registry.instance(instance) else {
            return;
        };
        let entity = inst.entity;
        let old: Vec<_> = inst
            .handlers
            .iter()
            .copied()
            .filter(|&key| registry.handler(key).is_ok_and(|h| !h.dynamic))
            .collect();
        for &key in &old {
            let _ = registry.remove_handler(key);
        }
        let new: Vec<_> = handlers
            .iter()
            .filter_map(|(event, func)| {
                registry
                    .insert_handler(instance, *event, func.clone(), false)
                    .ok()
            })
            .collect();
        (entity, old, new)
    };
    let _ = ctx.world.with(|world| {
        if let Some(mut component) = world.get_mut::<ScriptHandlers>(entity) {
            component.handlers.retain(|key| !old.contains(key));
            component.handlers.extend(new);
        }
    });
}
