//! Methods of a script instance's `self`: `self:on(event, fn)` and its connections.

use mlua::{Function, Lua, MetaMethod, Table, UserData, UserDataMethods};

use crate::{
    frame::{Core, keys},
    vm::Connection,
};

impl UserData for Connection {
    fn add_methods<M: UserDataMethods<Self>>(methods: &mut M) {
        methods.add_method("disconnect", |lua, this, ()| {
            keys::remove_handler(&*Core::of(lua)?, this.0).map_err(mlua::Error::from)
        });
        methods.add_method("connected", |lua, this, ()| {
            Ok(Core::of(lua)?.registry().handler(this.0).is_ok())
        });
        methods.add_meta_method(MetaMethod::ToString, |_, _, ()| Ok("connection"));
    }
}

/// The metatable every instance's `self` gets: `self:on(...)`.
pub(super) fn instance_meta(lua: &Lua) -> mlua::Result<Table> {
    let methods = lua.create_table()?;
    methods.raw_set("on", lua.create_function(on)?)?;
    let meta = lua.create_table()?;
    meta.raw_set("__index", methods)?;
    Ok(meta)
}

fn on(lua: &Lua, (this, event, func): (Table, String, Function)) -> mlua::Result<Connection> {
    keys::connect(&*Core::of(lua)?, &this, &event, func)
        .map(Connection)
        .map_err(mlua::Error::from)
}
