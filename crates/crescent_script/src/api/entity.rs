//! Entity handles: `e:get(C)`, `e:set(C, t)`, `e:despawn()`, ...
//!
//! A handle is plain data (the `Entity`), so it may outlive its entity: every method then
//! answers as for a dead entity (`alive()` false, `get` nil, `set` an error) instead of
//! touching whatever entity reuses the id.

use bevy_ecs::entity::Entity;
use mlua::{FromLua, Lua, MetaMethod, Table, UserData, UserDataMethods, Value};

use crate::{CrescentError, ScriptHandlers, api::lua_err, lifecycle, loader, runtime::Ctx};

/// A Lua handle to an entity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LuaEntity(pub Entity);

impl FromLua for LuaEntity {
    fn from_lua(value: Value, _: &Lua) -> mlua::Result<Self> {
        match value {
            Value::UserData(ud) => ud.borrow::<LuaEntity>().map(|e| *e),
            other => Err(mlua::Error::runtime(format!(
                "expected an entity, got {}",
                other.type_name()
            ))),
        }
    }
}

/// Whether the entity exists and is not waiting for despawn.
pub(crate) fn is_alive(ctx: &Ctx, entity: Entity) -> Result<bool, CrescentError> {
    ctx.world
        .with(|world| crescent_ecs::is_alive(world, entity))
}

fn require_alive(ctx: &Ctx, entity: Entity, what: &'static str) -> mlua::Result<()> {
    if is_alive(ctx, entity).map_err(lua_err)? {
        Ok(())
    } else {
        Err(lua_err(CrescentError::Despawned { what, entity }))
    }
}

/// The instance of `path` on `entity`, if attached and not detaching.
fn find_instance(
    ctx: &Ctx,
    entity: Entity,
    path: &str,
) -> mlua::Result<Option<(crate::InstanceKey, Table)>> {
    let path = loader::normalize_path(path).map_err(lua_err)?;
    let instances = ctx
        .world
        .with(|world| {
            world
                .get::<ScriptHandlers>(entity)
                .map(|h| h.instances.clone())
        })
        .map_err(lua_err)?
        .unwrap_or_default();
    let registry = ctx.registry.borrow();
    let scripts = ctx.scripts.borrow();
    Ok(instances.into_iter().find_map(|key| {
        let inst = registry.instance(key).ok()?;
        let live = !matches!(inst.state, crate::InstanceState::Detaching { .. });
        (live && scripts.path(inst.script) == path).then(|| (key, inst.this.clone()))
    }))
}

/// Runs `f` with the lent world and the script component called `name` (an unknown name
/// is an error listing the known ones).
fn with_component<R>(
    lua: &Lua,
    name: &str,
    f: impl FnOnce(&mut bevy_ecs::world::World, crate::ScriptComponent) -> Result<R, CrescentError>,
) -> mlua::Result<R> {
    Ctx::of(lua)?
        .world
        .with(|world| f(world, crate::components::lookup(world, name)?))
        .and_then(|r| r)
        .map_err(lua_err)
}

impl UserData for LuaEntity {
    fn add_methods<M: UserDataMethods<Self>>(methods: &mut M) {
        methods.add_method("id", |_, this, ()| Ok(this.0.to_bits() as i64));
        methods.add_method("alive", |lua, this, ()| {
            is_alive(&*Ctx::of(lua)?, this.0).map_err(lua_err)
        });
        methods.add_method("despawn", |lua, this, ()| {
            lifecycle::request_despawn(&*Ctx::of(lua)?, this.0).map_err(lua_err)
        });
        methods.add_method("get", |lua, this, name: String| {
            with_component(lua, &name, |world, component| {
                component.get(world, this.0, lua)
            })
        });
        methods.add_method("set", |lua, this, (name, value): (String, Value)| {
            require_alive(&*Ctx::of(lua)?, this.0, "set")?;
            with_component(lua, &name, |world, component| {
                component.set(world, this.0, lua, value, &name)
            })
        });
        methods.add_method("has", |lua, this, name: String| {
            with_component(lua, &name, |world, component| {
                Ok(component.has(world, this.0))
            })
        });
        methods.add_method("remove", |lua, this, name: String| {
            require_alive(&*Ctx::of(lua)?, this.0, "remove")?;
            with_component(lua, &name, |world, component| {
                Ok(component.remove(world, this.0))
            })
        });
        methods.add_method("script", |lua, this, path: String| {
            let ctx = Ctx::of(lua)?;
            Ok(find_instance(&ctx, this.0, &path)?.map(|(_, this)| this))
        });
        methods.add_method(
            "attach",
            |lua, this, (path, props): (String, Option<Table>)| {
                let ctx = Ctx::of(lua)?;
                require_alive(&ctx, this.0, "attach")?;
                let (_, instance_self) =
                    lifecycle::attach(lua, &ctx, this.0, &path, props.as_ref()).map_err(lua_err)?;
                Ok(instance_self)
            },
        );
        methods.add_method("detach", |lua, this, path: String| {
            let ctx = Ctx::of(lua)?;
            match find_instance(&ctx, this.0, &path)? {
                Some((key, _)) => {
                    lifecycle::request_detach(&ctx, key).map_err(lua_err)?;
                    Ok(true)
                }
                None => Ok(false),
            }
        });
        methods.add_method("send", |lua, this, (event, payload): (String, Value)| {
            crate::events::send(&*Ctx::of(lua)?, Some(this.0), &event, payload);
            Ok(())
        });
        methods.add_meta_method(MetaMethod::ToString, |_, this, ()| {
            Ok(format!("Entity({})", this.0))
        });
        methods.add_meta_method(MetaMethod::Eq, |lua, this, other: Value| {
            Ok(LuaEntity::from_lua(other, lua).is_ok_and(|o| o == *this))
        });
    }
}
