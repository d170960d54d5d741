//! `e:get`, `e:set`, `e:has`, `e:remove`: entity methods written in Lua over a few Rust
//! primitives, so the common case costs one Rust call and no table built or walked in Rust.
//!
//! A component name resolves once per runtime to a handle, cached in a Lua table. For a
//! plain-old-data component (every leaf a number) a getter and a setter are generated in
//! Lua from its shape: the getter takes the numbers from one Rust call and builds the
//! table with a table constructor; the setter checks the table's keys and passes its
//! numbers to one Rust call (`nil` keeps a field, so partial tables work). Every other
//! component goes through the general reflection or serde conversion in Rust.

use std::{fmt::Write as _, rc::Rc};

use mlua::{Function, Lua, Table, Value, Variadic};

use crate::data::error::internal_chunk;
use crate::{
    data::error::CrescentError,
    frame::{Core, components::Shape, world_access},
    vm::LuaEntity,
};

/// The Lua side: the method table entity handles share.
const METHODS: &str = r#"
local resolve, get_any, set_any, has_c, remove_c = ...
local cache = {}
local function component(name)
  local c = cache[name]
  if c == nil then
    c = resolve(name)
    cache[name] = c
  end
  return c
end
local M = {}
function M.get(e, name)
  local c = cache[name] or component(name)
  local get = c.get
  if get then return get(e) end
  return get_any(e, c.index)
end
function M.set(e, name, value)
  local c = cache[name] or component(name)
  local set = c.set or set_any
  -- Not a tail call: the traceback keeps this frame, so errors name `set`.
  set(e, value, c.index)
end
function M.has(e, name)
  return has_c(e, (cache[name] or component(name)).index)
end
function M.remove(e, name)
  return remove_c(e, (cache[name] or component(name)).index)
end
return M
"#;

/// Builds the Lua methods `get`, `set`, `has` and `remove` for entity handles.
pub(super) fn methods(lua: &Lua) -> mlua::Result<Table> {
    let get_any = lua.create_function(|lua, (e, index): (LuaEntity, usize)| {
        world_access::get(&*Core::of(lua)?, lua, e.0, index).map_err(mlua::Error::from)
    })?;
    // (entity, value, index): the order a generated setter's arguments take too.
    let set_any = lua.create_function(|lua, (e, value, index): (LuaEntity, Value, usize)| {
        world_access::set(&*Core::of(lua)?, lua, e.0, index, value).map_err(mlua::Error::from)
    })?;
    let for_setters = set_any.clone();
    let resolve = lua.create_function(move |lua, name: String| {
        let core = Core::of(lua)?;
        let index = world_access::resolve(&core, &name).map_err(mlua::Error::from)?;
        describe(lua, &core, index, &for_setters)
    })?;
    let has = lua.create_function(|lua, (e, index): (LuaEntity, usize)| {
        world_access::has(&*Core::of(lua)?, e.0, index).map_err(mlua::Error::from)
    })?;
    let remove = lua.create_function(|lua, (e, index): (LuaEntity, usize)| {
        world_access::remove(&*Core::of(lua)?, e.0, index).map_err(mlua::Error::from)
    })?;
    lua.load(METHODS)
        .set_name(internal_chunk("entity"))
        .call((resolve, get_any, set_any, has, remove))
}

/// A resolved component for the Lua cache: `{ index = i }`, plus `get`/`set` for a
/// plain-old-data component (`set` only when scripts may write it).
fn describe(lua: &Lua, core: &Rc<Core>, index: usize, set_any: &Function) -> mlua::Result<Table> {
    let entry = lua.create_table()?;
    entry.raw_set("index", index)?;
    if let Some((shape, read_only)) = world_access::shape(core, index).map_err(mlua::Error::from)? {
        let name = world_access::name(core, index).map_err(mlua::Error::from)?;
        entry.raw_set("get", getter(lua, core, index, &shape)?)?;
        if !read_only {
            entry.raw_set(
                "set",
                setter(lua, core, index, &name, &shape, set_any.clone())?,
            )?;
        }
    }
    Ok(entry)
}

// The fast path's functions hold their runtime (no lookup per call): a closure in the Lua
// state holding the state's `Core` makes no cycle, `Core` holds no `Lua`. Up to 12 numbers
// cross as a tuple, which mlua moves on and off the Lua stack with no allocation.
fn read_fn(lua: &Lua, core: &Rc<Core>, leaves: usize) -> mlua::Result<Function> {
    macro_rules! reader {
        ($n:literal: $($v:ident)+) => {{
            let core = Rc::clone(core);
            lua.create_function(move |_, (e, index): (LuaEntity, usize)| {
                let mut out = [const { Value::Nil }; $n];
                // Not found: all nil, which the getter answers with nil.
                world_access::read_pod(&core, e.0, index, &mut out).map_err(mlua::Error::from)?;
                let [$($v),+] = out;
                Ok(($($v,)+))
            })
        }};
    }
    match leaves {
        1 => reader!(1: a),
        2 => reader!(2: a b),
        3 => reader!(3: a b c),
        4 => reader!(4: a b c d),
        5 => reader!(5: a b c d f),
        6 => reader!(6: a b c d f g),
        7 => reader!(7: a b c d f g h),
        8 => reader!(8: a b c d f g h i),
        9 => reader!(9: a b c d f g h i j),
        10 => reader!(10: a b c d f g h i j k),
        11 => reader!(11: a b c d f g h i j k l),
        12 => reader!(12: a b c d f g h i j k l m),
        _ => {
            let core = Rc::clone(core);
            lua.create_function(move |_, (e, index): (LuaEntity, usize)| {
                let mut out = vec![Value::Nil; leaves];
                let found = world_access::read_pod(&core, e.0, index, &mut out)
                    .map_err(mlua::Error::from)?;
                out.truncate(if found { leaves } else { 0 });
                Ok(Variadic::from(out))
            })
        }
    }
}

fn write_fn(lua: &Lua, core: &Rc<Core>, leaves: usize) -> mlua::Result<Function> {
    macro_rules! writer {
        ($($v:ident)+) => {{
            let core = Rc::clone(core);
            lua.create_function(
                move |_, (e, index, $($v),+): (LuaEntity, usize, $(writer!(@ty $v)),+)| {
                    world_access::write_pod(&core, e.0, index, &[$($v),+]).map_err(mlua::Error::from)
                },
            )
        }};
        (@ty $v:ident) => { Value };
    }
    match leaves {
        1 => writer!(a),
        2 => writer!(a b),
        3 => writer!(a b c),
        4 => writer!(a b c d),
        5 => writer!(a b c d f),
        6 => writer!(a b c d f g),
        7 => writer!(a b c d f g h),
        8 => writer!(a b c d f g h i),
        9 => writer!(a b c d f g h i j),
        10 => writer!(a b c d f g h i j k),
        11 => writer!(a b c d f g h i j k l),
        12 => writer!(a b c d f g h i j k l m),
        _ => {
            let core = Rc::clone(core);
            lua.create_function(
                move |_, (e, index, values): (LuaEntity, usize, Variadic<Value>)| {
                    world_access::write_pod(&core, e.0, index, &values).map_err(mlua::Error::from)
                },
            )
        }
    }
}

/// The Lua table constructor for `shape`, over the locals `v1..vn`.
fn constructor(shape: &Shape, out: &mut String) {
    match shape {
        Shape::Leaf(i) => {
            let _ = write!(out, "v{}", i + 1);
        }
        Shape::Struct(fields) => {
            out.push('{');
            for (name, field) in fields {
                let _ = write!(out, "[{name:?}] = ");
                constructor(field, out);
                out.push_str(", ");
            }
            out.push('}');
        }
    }
}

fn leaves(shape: &Shape) -> usize {
    match shape {
        Shape::Leaf(_) => 1,
        Shape::Struct(fields) => fields.iter().map(|(_, f)| leaves(f)).sum(),
    }
}

fn getter(lua: &Lua, core: &Rc<Core>, index: usize, shape: &Shape) -> mlua::Result<Function> {
    let n = leaves(shape);
    let locals: Vec<String> = (1..=n).map(|i| format!("v{i}")).collect();
    let mut table = String::new();
    constructor(shape, &mut table);
    let source = format!(
        "local read, index = ...\n\
         return function(e)\n\
           local {locals} = read(e, index)\n\
           if v1 == nil then return nil end\n\
           return {table}\n\
         end",
        locals = locals.join(", ")
    );
    lua.load(source)
        .set_name(internal_chunk("entity.get"))
        .call((read_fn(lua, core, n)?, index))
}

/// The setter: checks each table level's keys (unknown fields are errors naming the
/// path), then passes the numbers, `nil` for fields not given.
fn setter(
    lua: &Lua,
    core: &Rc<Core>,
    index: usize,
    component: &str,
    shape: &Shape,
    set_any: Function,
) -> mlua::Result<Function> {
    let mut checks = String::new();
    let mut args = vec![String::new(); leaves(shape)];
    let mut next_local = 0usize;
    unpack(shape, "t", "", &mut checks, &mut args, &mut next_local);
    let source = format!(
        "local write, index, bad, next, type, EMPTY, set_any = ...\n\
         return function(e, t)\n\
           if type(t) ~= 'table' then return bad('', t) end\n\
           {checks}\
           if not write(e, index, {args}) then return set_any(e, t, index) end\n\
         end",
        args = args.join(", ")
    );
    let name = component.to_owned();
    let bad = lua.create_function(
        move |_, (path, got, known): (String, Value, Option<String>)| -> mlua::Result<()> {
            Err(mlua::Error::from(bad_value(
                &name,
                &path,
                &got,
                known.as_deref(),
            )))
        },
    )?;
    let next: Function = lua.globals().raw_get("next")?;
    let type_fn: Function = lua.globals().raw_get("type")?;
    lua.load(source)
        .set_name(internal_chunk("entity.set"))
        .call((
            write_fn(lua, core, leaves(shape))?,
            index,
            bad,
            next,
            type_fn,
            lua.create_table()?,
            set_any,
        ))
}

/// Emits the key check of the table in local `var` (at field path `path`), then its
/// numbers into `args`, recursing into nested structs.
fn unpack(
    shape: &Shape,
    var: &str,
    path: &str,
    checks: &mut String,
    args: &mut [String],
    next_local: &mut usize,
) {
    let Shape::Struct(fields) = shape else {
        return;
    };
    let test: Vec<String> = fields
        .iter()
        .map(|(name, _)| format!("k == {name:?}"))
        .collect();
    let names: Vec<&str> = fields.iter().map(|(name, _)| name.as_str()).collect();
    let _ = writeln!(
        checks,
        "for k in next, {var} do if not ({test}) then return bad({path:?}, k, {names:?}) end end",
        test = test.join(" or "),
        names = names.join(", ")
    );
    let prefix = if path.is_empty() {
        String::new()
    } else {
        format!("{path}.")
    };
    for (name, field) in fields {
        let field_path = format!("{prefix}{name}");
        match field {
            Shape::Leaf(i) => {
                if let Some(slot) = args.get_mut(*i) {
                    *slot = format!("{var}[{name:?}]");
                }
            }
            Shape::Struct(_) => {
                *next_local += 1;
                let local = format!("t{next_local}");
                let _ = write!(
                    checks,
                    "local {local} = {var}[{name:?}]\n\
                     if {local} == nil then {local} = EMPTY elseif type({local}) ~= 'table' then return bad({field_path:?}, {local}) end\n"
                );
                unpack(field, &local, &field_path, checks, args, next_local);
            }
        }
    }
}

/// The error for a table that does not fit a plain-old-data component (raised from Lua):
/// with `known` fields, `got` is a key the table at `path` should not have; without,
/// `got` is what stands at `path` instead of a table.
fn bad_value(component: &str, path: &str, got: &Value, known: Option<&str>) -> CrescentError {
    let join = |field: &str| {
        if path.is_empty() {
            field.to_owned()
        } else {
            format!("{path}.{field}")
        }
    };
    let (field, message) = match (known, got) {
        (Some(known), Value::String(key)) => (
            join(&key.to_string_lossy()),
            format!("unknown field (fields: {known})"),
        ),
        (Some(_), key) => (
            path.to_owned(),
            format!("unexpected key {} in a table of fields", key_text(key)),
        ),
        (None, got) => (
            path.to_owned(),
            format!("expected a table, got {}", got.type_name()),
        ),
    };
    CrescentError::BadComponentValue {
        component: component.to_owned(),
        field,
        message,
    }
}

fn key_text(key: &Value) -> String {
    match key {
        Value::Integer(i) => i.to_string(),
        Value::Number(n) => n.to_string(),
        other => other.type_name().to_owned(),
    }
}
