//! Methods of a script instance's `self`: `self:on(event, fn)` and its connections.

use mlua::{Function, Lua, MetaMethod, Table, UserData, UserDataMethods};

use crate::{HandlerKey, InstanceState, ScriptHandlers, runtime::Ctx};

/// A handler added with `self:on`; `:disconnect()` removes it (idempotent).
#[derive(Clone, Copy, Debug)]
pub struct Connection(pub HandlerKey);

impl UserData for Connection {
    fn add_methods<M: UserDataMethods<Self>>(methods: &mut M) {
        methods.add_method("disconnect", |lua, this, ()| {
            crate::dispatch::remove_handler(&*Ctx::of(lua)?, this.0);
            Ok(())
        });
        methods.add_method("connected", |lua, this, ()| {
            Ok(Ctx::of(lua)?.registry.borrow().handler(this.0).is_ok())
        });
        methods.add_meta_method(MetaMethod::ToString, |_, _, ()| Ok("connection"));
    }
}

/// The metatable every instance's `self` gets: `self:on(...)`.
pub(crate) fn instance_meta(lua: &Lua) -> mlua::Result<Table> {
    let methods = lua.create_table()?;
    methods.raw_set("on", lua.create_function(on)?)?;
    let meta = lua.create_table()?;
    meta.raw_set("__index", methods)?;
    Ok(meta)
}

fn on(lua: &Lua, (this, event, func): (Table, String, Function)) -> mlua::Result<Connection> {
    let ctx = Ctx::of(lua)?;
    let instance = ctx
        .selves
        .borrow()
        .get(&(this.to_pointer() as usize))
        .copied()
        .ok_or_else(|| mlua::Error::runtime("self:on: this script instance is detached"))?;
    let (key, owner) = {
        let mut registry = ctx.registry.borrow_mut();
        let inst = registry.instance(instance).map_err(mlua::Error::runtime)?;
        if matches!(inst.state, InstanceState::Detaching { .. }) {
            return Err(mlua::Error::runtime(
                "self:on: this script instance is detaching",
            ));
        }
        let owner = inst.entity;
        let event = registry.event_id(&event);
        let key = registry
            .insert_handler(instance, event, func, true)
            .map_err(mlua::Error::runtime)?;
        (key, owner)
    };
    ctx.world
        .with(|world| {
            if let Some(mut handlers) = world.get_mut::<ScriptHandlers>(owner) {
                handlers.handlers.push(key);
            }
        })
        .map_err(crate::api::lua_err)?;
    Ok(Connection(key))
}
