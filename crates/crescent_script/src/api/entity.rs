//! Entity handles: `e:get(C)`, `e:set(C, t)`, `e:despawn()`, ...
//!
//! A handle is plain data (the `Entity`), so it may outlive its entity: every method then
//! answers as for a dead entity (`alive()` false, `get` nil, `set` an error) instead of
//! touching whatever entity reuses the id.

use bevy_ecs::entity::Entity;
use mlua::{Function, LightUserData, Lua, Table, Value};

use crate::{
    data::{components::ScriptHandlers, error::CrescentError, keys::InstanceKey},
    frame::{Core, events, lifecycle},
    vm::{LuaEntity, normalize_path},
};

/// Whether the entity exists and is not waiting for despawn.
fn is_alive(core: &Core, entity: Entity) -> Result<bool, CrescentError> {
    core.vm()
        .world()
        .with(|world| crescent_ecs::is_alive(world, entity))
}

fn require_alive(core: &Core, entity: Entity, what: &'static str) -> mlua::Result<()> {
    if is_alive(core, entity).map_err(mlua::Error::from)? {
        Ok(())
    } else {
        Err(mlua::Error::from(CrescentError::Despawned { what, entity }))
    }
}

/// The instance of `path` on `entity`, if attached and not detaching.
fn find_instance(
    core: &Core,
    entity: Entity,
    path: &str,
) -> mlua::Result<Option<(InstanceKey, Table)>> {
    let path = normalize_path(path).map_err(mlua::Error::from)?;
    let Some(script) = core.vm().loader().index_of(&path) else {
        return Ok(None);
    };
    let instances = core
        .vm()
        .world()
        .with(|world| {
            world
                .get::<ScriptHandlers>(entity)
                .map(|h| h.instances().to_vec())
        })
        .map_err(mlua::Error::from)?
        .unwrap_or_default();
    let registry = core.registry();
    Ok(instances.into_iter().find_map(|key| {
        let inst = registry.instance(key).ok()?;
        (inst.is_live() && inst.script() == script).then(|| (key, inst.this().clone()))
    }))
}

/// Sets the metatable of entity handles (every light userdata, see [`LuaEntity`]): the
/// Rust methods and the component methods (`get`, `set`, `has`, `remove`) written in
/// Lua, behind `__metatable` so no script can reach or change what every script shares.
pub(super) fn register(lua: &Lua) -> mlua::Result<()> {
    let methods = super::components::methods(lua)?;
    add_methods(lua, &methods)?;
    let meta = lua.create_table()?;
    meta.raw_set("__index", methods)?;
    meta.raw_set("__metatable", "crescent.Entity")?;
    meta.raw_set(
        "__tostring",
        lua.create_function(|_, light: LightUserData| {
            Ok(match LuaEntity::from_light(light) {
                Some(e) => format!("Entity({})", e.0),
                // mlua's serde null, the one light userdata that is not a handle.
                None => "null".to_owned(),
            })
        })?,
    )?;
    lua.set_type_metatable::<LightUserData>(Some(meta));
    Ok(())
}

fn add_methods(lua: &Lua, methods: &Table) -> mlua::Result<()> {
    let add = |name: &str, f: Function| methods.raw_set(name, f);
    add(
        "id",
        lua.create_function(|_, this: LuaEntity| Ok(this.id()))?,
    )?;
    add(
        "alive",
        lua.create_function(|lua, this: LuaEntity| {
            is_alive(&*Core::of(lua)?, this.0).map_err(mlua::Error::from)
        })?,
    )?;
    add(
        "despawn",
        lua.create_function(|lua, this: LuaEntity| {
            lifecycle::request_despawn(&*Core::of(lua)?, this.0).map_err(mlua::Error::from)
        })?,
    )?;
    add(
        "script",
        lua.create_function(|lua, (this, path): (LuaEntity, String)| {
            Ok(find_instance(&*Core::of(lua)?, this.0, &path)?.map(|(_, this)| this))
        })?,
    )?;
    add(
        "attach",
        lua.create_function(
            |lua, (this, path, props): (LuaEntity, String, Option<Table>)| {
                let core = Core::of(lua)?;
                require_alive(&core, this.0, "attach")?;
                let (_, instance_self) =
                    lifecycle::attach(lua, &core, this.0, &path, props.as_ref())
                        .map_err(mlua::Error::from)?;
                Ok(instance_self)
            },
        )?,
    )?;
    add(
        "detach",
        lua.create_function(|lua, (this, path): (LuaEntity, String)| {
            let core = Core::of(lua)?;
            match find_instance(&core, this.0, &path)? {
                Some((key, _)) => {
                    lifecycle::request_detach(&core, key).map_err(mlua::Error::from)?;
                    Ok(true)
                }
                None => Ok(false),
            }
        })?,
    )?;
    add(
        "send",
        lua.create_function(|lua, (this, event, payload): (LuaEntity, String, Value)| {
            events::send(&*Core::of(lua)?, Some(this.0), &event, payload).map_err(mlua::Error::from)
        })?,
    )
}
