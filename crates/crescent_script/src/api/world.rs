//! The `world` table: `world.spawn`, `world.find`, `world.count`.

use bevy_ecs::entity::Entity;
use crescent_ecs::{DespawnQueue, Name, SpawnCounter, SpawnOrder};
use mlua::{Lua, LuaSerdeExt, Table, Value};

use super::query;
use crate::{
    data::{
        components::ScriptHandlers, error::CrescentError, limits::check_name,
        messages::ScriptMessage,
    },
    frame::{Core, components, events, lifecycle},
    vm::LuaEntity,
};

/// Keys of a spawn description that are not component names.
const SPAWN_KEYS: [&str; 3] = ["script", "props", "name"];

pub(super) fn table(lua: &Lua) -> mlua::Result<Table> {
    let world = lua.create_table()?;
    world.raw_set("spawn", lua.create_function(spawn)?)?;
    world.raw_set(
        "find",
        lua.create_function(|lua, name: String| {
            find(&*Core::of(lua)?, &name).map_err(mlua::Error::from)
        })?,
    )?;
    world.raw_set(
        "count",
        lua.create_function(|lua, ()| {
            Core::of(lua)?
                .vm()
                .world()
                .with(|world| {
                    let live = world
                        .get_resource::<SpawnCounter>()
                        .map_or(0, SpawnCounter::live);
                    let leaving = world
                        .get_resource::<DespawnQueue>()
                        .map_or(0, DespawnQueue::len);
                    live.saturating_sub(leaving)
                })
                .map_err(mlua::Error::from)
        })?,
    )?;
    world.raw_set("query", lua.create_function(query::query)?)?;
    world.raw_set(
        "broadcast",
        lua.create_function(|lua, (event, payload): (String, Value)| {
            events::send(&*Core::of(lua)?, None, &event, payload);
            Ok(())
        })?,
    )?;
    world.raw_set(
        "emit",
        lua.create_function(|lua, (name, payload): (String, Value)| {
            let core = Core::of(lua)?;
            events::check_emit(&core, &name, &payload)?;
            let payload: serde_json::Value = lua.from_value(payload).map_err(|e| {
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
    let entity = core
        .vm()
        .world()
        .with(|world| -> Result<Entity, CrescentError> {
            let components = desc
                .components
                .iter()
                .map(|(name, _)| components::lookup(world, name))
                .collect::<Result<Vec<_>, _>>()?;
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
            let entity = e.id();
            for (component, (name, value)) in components.iter().zip(&desc.components) {
                if let Err(err) = component.set(world, entity, lua, value.clone(), name) {
                    world.despawn(entity);
                    return Err(err);
                }
            }
            Ok(entity)
        })
        .and_then(|r| r)
        .map_err(mlua::Error::from)?;
    for path in &desc.scripts {
        if let Err(err) = lifecycle::attach(lua, &core, entity, path, desc.props.as_ref()) {
            // Undo the half-built entity; its pending instances never ran. The lend that
            // just served `attach` still holds, so this cannot fail in practice; if it
            // did, the entity would stay, scriptless, and the error below still stands.
            if let Err(undo) = core.vm().world().with(|world| world.despawn(entity)) {
                tracing::warn!(target: "crescent", "cannot undo a failed spawn: {undo}");
            }
            return Err(mlua::Error::from(err));
        }
    }
    Ok(LuaEntity(entity))
}

fn find(core: &Core, name: &str) -> Result<Option<LuaEntity>, CrescentError> {
    core.vm().world().with(|world| {
        let leaving = world.get_resource::<DespawnQueue>();
        let mut best: Option<(u64, Entity)> = None;
        let mut query = world.try_query::<(Entity, &Name, &SpawnOrder)>();
        if let Some(query) = query.as_mut() {
            for (entity, entity_name, order) in query.iter(world) {
                let candidate = entity_name.as_str() == name
                    && !leaving.is_some_and(|q| q.is_pending(entity))
                    && best.is_none_or(|(o, _)| order.0 < o);
                if candidate {
                    best = Some((order.0, entity));
                }
            }
        }
        best.map(|(_, e)| LuaEntity(e))
    })
}
