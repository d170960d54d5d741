//! Component values between Lua and Bevy's reflection, both ways, and the rules every
//! conversion follows:
//!
//! - a whole float (`10/2`) is accepted for an integer field; a fraction or an
//!   out-of-range number is refused;
//! - NaN and infinities pass through float fields unchanged and are refused for integers;
//! - `{}` is an empty list where a list is expected;
//! - a table with both positional and named entries (`{1, 2, x = 3}`) is refused, never
//!   half-read;
//! - a struct takes a partial table: the fields given change, the rest stay;
//! - an unknown field, or a value of the wrong type, is an error naming the component
//!   and the field's path.

mod from_lua;
mod to_lua;

use bevy_reflect::PartialReflect;
use mlua::{Lua, Table, Value};

pub(super) use self::{
    from_lua::{apply, from_lua},
    to_lua::to_lua,
};
use crate::{data::error::CrescentError, vm::LuaEntity};

/// Deepest nesting converted; deeper (or cyclic) tables are refused.
const MAX_DEPTH: usize = 32;

/// Where a conversion is: the component and the field path, for errors.
#[derive(Clone)]
pub(super) struct Place<'a> {
    pub(super) component: &'a str,
    path: String,
    depth: usize,
}

impl<'a> Place<'a> {
    pub(super) fn root(component: &'a str) -> Self {
        Self {
            component,
            path: String::new(),
            depth: 0,
        }
    }

    fn field(&self, name: &str) -> Result<Self, CrescentError> {
        self.deeper(if self.path.is_empty() {
            name.to_owned()
        } else {
            format!("{}.{name}", self.path)
        })
    }

    fn index(&self, index: usize) -> Result<Self, CrescentError> {
        self.deeper(format!("{}[{}]", self.path, index + 1))
    }

    fn deeper(&self, path: String) -> Result<Self, CrescentError> {
        if self.depth >= MAX_DEPTH {
            return Err(self.error(format!("nested deeper than {MAX_DEPTH} levels")));
        }
        Ok(Self {
            component: self.component,
            path,
            depth: self.depth + 1,
        })
    }

    pub(super) fn error(&self, message: impl Into<String>) -> CrescentError {
        CrescentError::BadComponentValue {
            component: self.component.to_owned(),
            field: self.path.clone(),
            message: message.into(),
        }
    }
}

/// A Lua table's entries: positional (1..n) and named, sorted by name.
type Entries = (Vec<Value>, Vec<(String, Value)>);

/// A Lua table's entries, split into positional (1..n) and named ones; refuses a mix.
fn entries(table: &Table, place: &Place) -> Result<Entries, CrescentError> {
    let len = table.raw_len();
    let mut positional = Vec::with_capacity(len);
    let mut named = Vec::new();
    for pair in table.clone().pairs::<Value, Value>() {
        let (key, value) = pair?;
        match key {
            Value::Integer(i) if i >= 1 && (i as usize) <= len => {}
            Value::String(s) => named.push((s.to_string_lossy(), value)),
            other => {
                return Err(place.error(format!(
                    "unexpected key {} in a table of fields",
                    describe(&other)
                )));
            }
        }
    }
    if len > 0 && !named.is_empty() {
        return Err(place.error("a table with both positional and named entries is ambiguous"));
    }
    for i in 1..=len {
        positional.push(table.raw_get::<Value>(i)?);
    }
    // Named fields are applied in a fixed order, so which error is reported first does
    // not depend on the table's hash order.
    named.sort_by(|a, b| a.0.cmp(&b.0));
    Ok((positional, named))
}

fn describe(value: &Value) -> String {
    match value {
        Value::String(s) => format!("'{}'", s.to_string_lossy()),
        Value::Integer(i) => i.to_string(),
        Value::Number(n) => n.to_string(),
        other => other.type_name().to_owned(),
    }
}

fn sequence(value: Value, place: &Place) -> Result<Vec<Value>, CrescentError> {
    let Value::Table(table) = value else {
        return Err(expected(place, "a list", &value));
    };
    let (positional, named) = entries(&table, place)?;
    if !named.is_empty() {
        return Err(place.error("expected a list, got a table with named fields"));
    }
    Ok(positional)
}

fn expected(place: &Place, what: &str, got: &Value) -> CrescentError {
    place.error(format!("expected {what}, got {}", got.type_name()))
}

fn is_option(value: &dyn PartialReflect) -> bool {
    value
        .get_represented_type_info()
        .is_some_and(|info| info.type_path().starts_with("core::option::Option<"))
}

/// For serde-converted components: a copy of `value` where whole floats are integers (so
/// integer fields take `10/2`); a mixed table is refused rather than half-read.
pub(super) fn normalize_for_serde(
    lua: &Lua,
    value: Value,
    component: &str,
) -> Result<Value, CrescentError> {
    normalize(lua, value, &Place::root(component))
}

fn normalize(lua: &Lua, value: Value, place: &Place) -> Result<Value, CrescentError> {
    if let Some(entity) = LuaEntity::of(&value) {
        // A handle travels to serde as its id, as in every payload for Rust.
        return Ok(Value::Integer(entity.id()));
    }
    match value {
        Value::Number(n) if n.is_finite() && n.fract() == 0.0 && n.abs() < 9.0e15 => {
            Ok(Value::Integer(n as i64))
        }
        Value::Table(table) => {
            let (positional, named) = entries(&table, place)?;
            let copy = lua.create_table_with_capacity(positional.len(), named.len())?;
            for (i, item) in positional.into_iter().enumerate() {
                copy.raw_set(i + 1, normalize(lua, item, &place.index(i)?)?)?;
            }
            for (name, item) in named {
                let inner = place.field(&name)?;
                copy.raw_set(name, normalize(lua, item, &inner)?)?;
            }
            Ok(Value::Table(copy))
        }
        other => Ok(other),
    }
}
