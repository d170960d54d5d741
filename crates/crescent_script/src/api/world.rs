//! The `world` table: `world.spawn`, `world.find`, `world.count`.

use bevy_ecs::{entity::Entity, name::Name};
use crescent_ecs::SpawnOrder;
use mlua::{Lua, LuaSerdeExt, Table, Value};

use super::query;
use crate::{
    data::{components::ScriptHandlers, limits::check_name, messages::ScriptMessage},
    frame::{Core, events, lifecycle, world_access},
    vm::{LuaEntity, entity_ids},
};

/// Keys of a spawn description that are not component names.
const SPAWN_KEYS: [&str; 3] = ["script", "props", "name"];

pub(super) fn table(lua: &Lua) -> mlua::Result<Table> {
    let world = lua.create_table()?;
    world.raw_set("spawn", lua.create_function(spawn)?)?;
    world.raw_set(
        "find",
        lua.create_function(|lua, name: String| {
            world_access::find(&*Core::of(lua)?, &name)
                .map(|found| found.map(LuaEntity))
                .map_err(mlua::Error::from)
        })?,
    )?;
    world.raw_set(
        "count",
        lua.create_function(|lua, ()| {
            world_access::entities(&*Core::of(lua)?, &[])
                .map(|entities| entities.len())
                .map_err(mlua::Error::from)
        })?,
    )?;
    world.raw_set("query", lua.create_function(query::query)?)?;
    world.raw_set(
        "entity",
        lua.create_function(|lua, id: i64| {
            // `e:id()` is the bits reinterpreted as a Lua integer: reinterpret back.
            let entity = Entity::try_from_bits(id as u64);
            let Some(entity) = entity else {
                return Err(mlua::Error::runtime(format!(
                    "world.entity: {id} is not an entity id (ids come from e:id())"
                )));
            };
            let alive = Core::of(lua)?
                .vm()
                .world()
                .with(|world| crescent_ecs::is_alive(world, entity))
                .map_err(mlua::Error::from)?;
            Ok(alive.then_some(LuaEntity(entity)))
        })?,
    )?;
    world.raw_set(
        "broadcast",
        lua.create_function(|lua, (event, payload): (String, Value)| {
            events::send(&*Core::of(lua)?, None, &event, payload).map_err(mlua::Error::from)
        })?,
    )?;
    world.raw_set(
        "emit",
        lua.create_function(|lua, (name, payload): (String, Value)| {
            let core = Core::of(lua)?;
            events::check_emit(&core, &name, &payload)?;
            let payload: serde_json::Value =
                lua.from_value(entity_ids(lua, payload)?).map_err(|e| {
                    mlua::Error::runtime(format!(
                        "world.emit('{name}'): payload cannot be sent to Rust: {e}"
                    ))
                })?;
            let sender = core.current().map(|r| r.entity);
            core.vm()
                .world()
                .with(|world| {
                    world.write_message(ScriptMessage {
                        name,
                        payload,
                        sender,
                    })
                })
                .map_err(mlua::Error::from)?;
            Ok(())
        })?,
    )?;
    Ok(world)
}

/// A spawn description, read before anything is spawned.
struct SpawnDesc {
    scripts: Vec<String>,
    props: Option<Table>,
    name: Option<String>,
    components: Vec<(String, Value)>,
}

fn read_desc(desc: Option<Table>) -> mlua::Result<SpawnDesc> {
    let mut out = SpawnDesc {
        scripts: Vec::new(),
        props: None,
        name: None,
        components: Vec::new(),
    };
    let Some(desc) = desc else { return Ok(out) };
    out.scripts = match desc.raw_get::<Value>("script")? {
        Value::Nil => Vec::new(),
        Value::String(s) => vec![s.to_str()?.to_owned()],
        Value::Table(list) => list
            .sequence_values::<String>()
            .collect::<mlua::Result<_>>()
            .map_err(|e| {
                mlua::Error::runtime(format!(
                    "world.spawn: 'script' must be a path or a list of paths ({e})"
                ))
            })?,
        other => {
            return Err(mlua::Error::runtime(format!(
                "world.spawn: 'script' must be a path or a list of paths, got {}",
                other.type_name()
            )));
        }
    };
    out.props = optional(&desc, "props", "a table", |v| match v {
        Value::Table(t) => Some(t),
        _ => None,
    })?;
    out.name = optional(&desc, "name", "a string", |v| match v {
        Value::String(s) => Some(s.to_string_lossy()),
        _ => None,
    })?;

    for pair in desc.pairs::<Value, Value>() {
        let (key, value) = pair?;
        let Value::String(key) = key else {
            return Err(mlua::Error::runtime(
                "world.spawn: keys must be 'script', 'props', 'name' or component names",
            ));
        };
        let key = key.to_str()?.to_owned();
        if !SPAWN_KEYS.contains(&key.as_str()) {
            out.components.push((key, value));
        }
    }
    // Deterministic insertion order, whatever the table's iteration order.
    out.components.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// The optional field `key` of a spawn description, converted by `accept`, which
/// returns `None` for a value that is not `expected`.
fn optional<T>(
    desc: &Table,
    key: &str,
    expected: &str,
    accept: impl FnOnce(Value) -> Option<T>,
) -> mlua::Result<Option<T>> {
    match desc.raw_get::<Value>(key)? {
        Value::Nil => Ok(None),
        value => {
            let got = value.type_name();
            accept(value).map(Some).ok_or_else(|| {
                mlua::Error::runtime(format!(
                    "world.spawn: '{key}' must be {expected}, got {got}"
                ))
            })
        }
    }
}

fn spawn(lua: &Lua, desc: Option<Table>) -> mlua::Result<LuaEntity> {
    let core = Core::of(lua)?;
    let desc = read_desc(desc)?;
    if let Some(name) = &desc.name {
        let max = core.config().max_name_bytes;
        check_name("world.spawn: name", name, "max_name_bytes", max)?;
    }
    let mut components = Vec::with_capacity(desc.components.len());
    for (name, value) in desc.components {
        let index = world_access::resolve(&core, &name).map_err(mlua::Error::from)?;
        components.push((index, value));
    }
    let entity = core
        .vm()
        .world()
        .with(|world| {
            // With scripts coming, spawn with their component in place: one archetype
            // move fewer per spawn.
            let mut e = if desc.scripts.is_empty() {
                world.spawn(SpawnOrder::default())
            } else {
                world.spawn((SpawnOrder::default(), ScriptHandlers::default()))
            };
            if let Some(name) = &desc.name {
                e.insert(Name::new(name.clone()));
            }
            e.id()
        })
        .map_err(mlua::Error::from)?;
    let built = components
        .into_iter()
        .try_for_each(|(index, value)| world_access::set(&core, lua, entity, index, value))
        .and_then(|()| {
            desc.scripts.iter().try_for_each(|path| {
                lifecycle::attach(lua, &core, entity, path, desc.props.as_ref()).map(|_| ())
            })
        });
    if let Err(err) = built {
        // Undo the half-built entity; its pending instances never ran. The lend that
        // just served the spawn still holds, so this cannot fail in practice; if it did,
        // the entity would stay, and the error below still stands.
        if let Err(undo) = core.vm().world().with(|world| world.despawn(entity)) {
            tracing::warn!(target: "crescent", "cannot undo a failed spawn: {undo}");
        }
        return Err(mlua::Error::from(err));
    }
    Ok(LuaEntity(entity))
}
