//! Entity handles: `e:get(C)`, `e:set(C, t)`, `e:despawn()`, ...
//!
//! A handle is plain data (the `Entity`), so it may outlive its entity: every method then
//! answers as for a dead entity (`alive()` false, `get` nil, `set` an error) instead of
//! touching whatever entity reuses the id.

use bevy_ecs::entity::Entity;
use mlua::{
    FromLua, Function, Lua, MetaMethod, Table, UserDataFields, UserDataMethods, UserDataRegistry,
    Value,
};

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

/// Registers the entity handle type in `lua`: Rust methods, and the component methods
/// (`get`, `set`, `has`, `remove`) written in Lua.
pub(super) fn register(lua: &Lua) -> mlua::Result<()> {
    let component_methods = super::components::methods(lua)?;
    let mut fields = Vec::new();
    for name in ["get", "set", "has", "remove"] {
        fields.push((name, component_methods.raw_get::<Function>(name)?));
    }
    lua.register_userdata_type::<LuaEntity>(|methods| {
        for (name, function) in fields {
            methods.add_field(name, function);
        }
        add_methods(methods);
    })
}

fn add_methods(methods: &mut UserDataRegistry<LuaEntity>) {
    {
        methods.add_method("id", |_, this, ()| Ok(this.0.to_bits() as i64));
        methods.add_method("alive", |lua, this, ()| {
            is_alive(&*Core::of(lua)?, this.0).map_err(mlua::Error::from)
        });
        methods.add_method("despawn", |lua, this, ()| {
            lifecycle::request_despawn(&*Core::of(lua)?, this.0).map_err(mlua::Error::from)
        });
        methods.add_method("script", |lua, this, path: String| {
            Ok(find_instance(&*Core::of(lua)?, this.0, &path)?.map(|(_, this)| this))
        });
        methods.add_method(
            "attach",
            |lua, this, (path, props): (String, Option<Table>)| {
                let core = Core::of(lua)?;
                require_alive(&core, this.0, "attach")?;
                let (_, instance_self) =
                    lifecycle::attach(lua, &core, this.0, &path, props.as_ref())
                        .map_err(mlua::Error::from)?;
                Ok(instance_self)
            },
        );
        methods.add_method("detach", |lua, this, path: String| {
            let core = Core::of(lua)?;
            match find_instance(&core, this.0, &path)? {
                Some((key, _)) => {
                    lifecycle::request_detach(&core, key).map_err(mlua::Error::from)?;
                    Ok(true)
                }
                None => Ok(false),
            }
        });
        methods.add_method("send", |lua, this, (event, payload): (String, Value)| {
            events::send(&*Core::of(lua)?, Some(this.0), &event, payload).map_err(mlua::Error::from)
        });
        methods.add_meta_method(MetaMethod::ToString, |_, this, ()| {
            Ok(format!("Entity({})", this.0))
        });
        methods.add_meta_method(MetaMethod::Eq, |lua, this, other: Value| {
            Ok(LuaEntity::from_lua(other, lua).is_ok_and(|o| o == *this))
        });
    }
}
