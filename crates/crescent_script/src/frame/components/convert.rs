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

use bevy_reflect::{
    PartialReflect, ReflectFromReflect, ReflectMut, ReflectRef, TypeInfo, TypeRegistry,
    array::DynamicArray,
    enums::{DynamicEnum, DynamicVariant, EnumInfo, VariantInfo, VariantType},
    list::DynamicList,
    std_traits::ReflectDefault,
    structs::DynamicStruct,
    tuple::DynamicTuple,
    tuple_struct::DynamicTupleStruct,
};
use mlua::{Lua, Table, Value};

use crate::data::error::CrescentError;

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

/// A component value (or part of one) as a Lua value.
pub(super) fn to_lua(
    lua: &Lua,
    value: &dyn PartialReflect,
    place: &Place,
) -> Result<Value, CrescentError> {
    let table = |len: usize| lua.create_table_with_capacity(len, 0);
    Ok(match value.reflect_ref() {
        ReflectRef::Struct(s) => {
            let t = lua.create_table_with_capacity(0, s.field_len())?;
            for i in 0..s.field_len() {
                if let (Some(name), Some(field)) = (s.name_at(i), s.field_at(i)) {
                    t.raw_set(name, to_lua(lua, field, &place.field(name)?)?)?;
                }
            }
            Value::Table(t)
        }
        ReflectRef::TupleStruct(s) if s.field_len() == 1 => match s.field(0) {
            Some(inner) => to_lua(lua, inner, place)?,
            None => Value::Nil,
        },
        ReflectRef::TupleStruct(s) => {
            let t = table(s.field_len())?;
            for (i, field) in s.iter_fields().enumerate() {
                t.raw_set(i + 1, to_lua(lua, field, &place.index(i)?)?)?;
            }
            Value::Table(t)
        }
        ReflectRef::Tuple(s) => {
            let t = table(s.field_len())?;
            for (i, field) in s.iter_fields().enumerate() {
                t.raw_set(i + 1, to_lua(lua, field, &place.index(i)?)?)?;
            }
            Value::Table(t)
        }
        ReflectRef::List(list) => {
            let t = table(list.len())?;
            for (i, item) in list.iter().enumerate() {
                t.raw_set(i + 1, to_lua(lua, item, &place.index(i)?)?)?;
            }
            Value::Table(t)
        }
        ReflectRef::Array(array) => {
            let t = table(array.len())?;
            for (i, item) in array.iter().enumerate() {
                t.raw_set(i + 1, to_lua(lua, item, &place.index(i)?)?)?;
            }
            Value::Table(t)
        }
        ReflectRef::Map(map) => {
            let t = lua.create_table()?;
            for (key, item) in map.iter() {
                let key = to_lua(lua, key, place)?;
                t.raw_set(key, to_lua(lua, item, place)?)?;
            }
            Value::Table(t)
        }
        ReflectRef::Set(set) => {
            let t = table(set.len())?;
            for (i, item) in set.iter().enumerate() {
                t.raw_set(i + 1, to_lua(lua, item, &place.index(i)?)?)?;
            }
            Value::Table(t)
        }
        ReflectRef::Enum(e) => {
            let name = e.variant_name();
            if is_option(value) {
                return match e.field_at(0) {
                    Some(inner) => to_lua(lua, inner, place),
                    None => Ok(Value::Nil),
                };
            }
            match e.variant_type() {
                VariantType::Unit => Value::String(lua.create_string(name)?),
                VariantType::Tuple if e.field_len() == 1 => {
                    let t = lua.create_table()?;
                    if let Some(inner) = e.field_at(0) {
                        t.raw_set(name, to_lua(lua, inner, &place.field(name)?)?)?;
                    }
                    Value::Table(t)
                }
                VariantType::Tuple => {
                    let fields = table(e.field_len())?;
                    for (i, field) in e.iter_fields().enumerate() {
                        fields.raw_set(i + 1, to_lua(lua, field.value(), &place.index(i)?)?)?;
                    }
                    let t = lua.create_table()?;
                    t.raw_set(name, fields)?;
                    Value::Table(t)
                }
                VariantType::Struct => {
                    let fields = lua.create_table()?;
                    for field in e.iter_fields() {
                        if let Some(field_name) = field.name() {
                            let inner = place.field(field_name)?;
                            fields.raw_set(field_name, to_lua(lua, field.value(), &inner)?)?;
                        }
                    }
                    let t = lua.create_table()?;
                    t.raw_set(name, fields)?;
                    Value::Table(t)
                }
            }
        }
        ReflectRef::Opaque(opaque) => opaque_to_lua(lua, opaque, place)?,
        #[allow(unreachable_patterns)]
        _ => return Err(place.error("this kind of value cannot be read from Lua")),
    })
}

fn is_option(value: &dyn PartialReflect) -> bool {
    value
        .get_represented_type_info()
        .is_some_and(|info| info.type_path().starts_with("core::option::Option<"))
}

fn opaque_to_lua(
    lua: &Lua,
    value: &dyn PartialReflect,
    place: &Place,
) -> Result<Value, CrescentError> {
    macro_rules! try_num {
        ($($ty:ty => $make:expr),* $(,)?) => {
            $(if let Some(v) = value.try_downcast_ref::<$ty>() {
                return Ok($make(*v));
            })*
        };
    }
    try_num!(
        f32 => |v: f32| Value::Number(f64::from(v)),
        f64 => Value::Number,
        i8 => |v: i8| Value::Integer(i64::from(v)),
        i16 => |v: i16| Value::Integer(i64::from(v)),
        i32 => |v: i32| Value::Integer(i64::from(v)),
        i64 => Value::Integer,
        u8 => |v: u8| Value::Integer(i64::from(v)),
        u16 => |v: u16| Value::Integer(i64::from(v)),
        u32 => |v: u32| Value::Integer(i64::from(v)),
        u64 => |v: u64| i64::try_from(v).map_or(Value::Number(v as f64), Value::Integer),
        usize => |v: usize| i64::try_from(v).map_or(Value::Number(v as f64), Value::Integer),
        isize => |v: isize| Value::Integer(v as i64),
        bool => Value::Boolean,
    );
    if let Some(s) = value.try_downcast_ref::<String>() {
        return Ok(Value::String(lua.create_string(s)?));
    }
    if let Some(s) = value.try_downcast_ref::<&'static str>() {
        return Ok(Value::String(lua.create_string(s)?));
    }
    if let Some(c) = value.try_downcast_ref::<char>() {
        return Ok(Value::String(lua.create_string(c.to_string())?));
    }
    Err(place.error(format!(
        "values of type {} cannot be read from Lua",
        value.reflect_type_path()
    )))
}

/// Writes `value` into `target` in place: struct fields named in the table change, the
/// rest stay; anything else is replaced whole.
pub(super) fn apply(
    target: &mut dyn PartialReflect,
    value: Value,
    registry: &TypeRegistry,
    place: &Place,
) -> Result<(), CrescentError> {
    match (target.reflect_mut(), value) {
        (ReflectMut::Struct(s), Value::Table(table)) => {
            let (positional, named) = entries(&table, place)?;
            if !positional.is_empty() {
                return Err(place.error("expected a table of named fields, got a list"));
            }
            for (name, value) in named {
                let inner = place.field(&name)?;
                let Some(field) = s.field_mut(&name) else {
                    let known: Vec<&str> =
                        (0..s.field_len()).filter_map(|i| s.name_at(i)).collect();
                    return Err(
                        inner.error(format!("unknown field (fields: {})", known.join(", ")))
                    );
                };
                apply(field, value, registry, &inner)?;
            }
            Ok(())
        }
        (ReflectMut::TupleStruct(s), value) if s.field_len() == 1 => match s.field_mut(0) {
            Some(inner) => apply(inner, value, registry, place),
            None => Ok(()),
        },
        (ReflectMut::Opaque(opaque), value) => set_opaque(opaque, value, place),
        // A list is replaced whole (applying a shorter list would keep the old tail).
        (ReflectMut::List(list), value) => {
            let item = list
                .get_represented_list_info()
                .and_then(|info| info.item_info())
                .ok_or_else(|| place.error("this list has no item type information"))?;
            let mut items = Vec::new();
            for (i, value) in sequence(value, place)?.into_iter().enumerate() {
                let inner = place.index(i)?;
                let built = from_lua(value, item, registry, &inner)?;
                // `push` panics on a value it cannot take: only real values go in.
                if built.try_as_reflect().is_none() {
                    return Err(inner.error("this list item cannot be built by reflection"));
                }
                items.push(built);
            }
            list.drain();
            for built in items {
                list.push(built);
            }
            Ok(())
        }
        (_, value) => {
            let info = target
                .get_represented_type_info()
                .ok_or_else(|| place.error("this value has no type information"))?;
            let fresh = from_lua(value, info, registry, place)?;
            target
                .try_apply(fresh.as_ref())
                .map_err(|err| place.error(err.to_string()))
        }
    }
}

fn set_opaque(
    target: &mut dyn PartialReflect,
    value: Value,
    place: &Place,
) -> Result<(), CrescentError> {
    let built = opaque_from_lua(value, target.reflect_type_path(), place)?;
    target
        .try_apply(built.as_ref())
        .map_err(|err| place.error(err.to_string()))
}

/// A whole value of type `info` from Lua: a concrete value when the type can be built from
/// reflection, else a dynamic one the caller applies.
pub(super) fn from_lua(
    value: Value,
    info: &'static TypeInfo,
    registry: &TypeRegistry,
    place: &Place,
) -> Result<Box<dyn PartialReflect>, CrescentError> {
    let dynamic: Box<dyn PartialReflect> = match info {
        TypeInfo::Opaque(_) => return opaque_from_lua(value, info.type_path(), place),
        TypeInfo::Struct(s) => {
            let Value::Table(table) = value else {
                return Err(expected(place, "a table", &value));
            };
            let (positional, named) = entries(&table, place)?;
            if !positional.is_empty() {
                return Err(place.error("expected a table of named fields, got a list"));
            }
            let mut out = DynamicStruct::default();
            out.set_represented_type(Some(info));
            for (name, value) in named {
                let inner = place.field(&name)?;
                let field = s.field(&name).ok_or_else(|| {
                    let known: Vec<&str> = s.iter().map(|f| f.name()).collect();
                    inner.error(format!("unknown field (fields: {})", known.join(", ")))
                })?;
                let field_info = field
                    .type_info()
                    .ok_or_else(|| inner.error("this field has no type information"))?;
                out.insert_boxed(name, from_lua(value, field_info, registry, &inner)?);
            }
            Box::new(out)
        }
        TypeInfo::TupleStruct(s) if s.field_len() == 1 => {
            let field_info = s
                .field_at(0)
                .and_then(|f| f.type_info())
                .ok_or_else(|| place.error("this field has no type information"))?;
            let mut out = DynamicTupleStruct::default();
            out.set_represented_type(Some(info));
            out.insert_boxed(from_lua(value, field_info, registry, place)?);
            Box::new(out)
        }
        TypeInfo::List(list) => {
            let item = list
                .item_info()
                .ok_or_else(|| place.error("this list has no item type information"))?;
            let mut out = DynamicList::default();
            out.set_represented_type(Some(info));
            for (i, value) in sequence(value, place)?.into_iter().enumerate() {
                out.push_box(from_lua(value, item, registry, &place.index(i)?)?);
            }
            Box::new(out)
        }
        TypeInfo::Array(array) => {
            let item = array
                .item_info()
                .ok_or_else(|| place.error("this array has no item type information"))?;
            let items = sequence(value, place)?;
            if items.len() != array.capacity() {
                return Err(place.error(format!(
                    "expected {} items, got {}",
                    array.capacity(),
                    items.len()
                )));
            }
            let mut boxed = Vec::with_capacity(items.len());
            for (i, value) in items.into_iter().enumerate() {
                boxed.push(from_lua(value, item, registry, &place.index(i)?)?);
            }
            let mut out = DynamicArray::new(boxed.into_boxed_slice());
            out.set_represented_type(Some(info));
            Box::new(out)
        }
        TypeInfo::Tuple(tuple) => {
            let items = sequence(value, place)?;
            if items.len() != tuple.field_len() {
                return Err(place.error(format!(
                    "expected {} items, got {}",
                    tuple.field_len(),
                    items.len()
                )));
            }
            let mut out = DynamicTuple::default();
            for (i, value) in items.into_iter().enumerate() {
                let field_info = tuple
                    .field_at(i)
                    .and_then(|f| f.type_info())
                    .ok_or_else(|| place.error("this field has no type information"))?;
                out.insert_boxed(from_lua(value, field_info, registry, &place.index(i)?)?);
            }
            out.set_represented_type(Some(info));
            Box::new(out)
        }
        TypeInfo::Enum(e) => Box::new(enum_from_lua(value, info, e, registry, place)?),
        _ => {
            return Err(place.error(format!(
                "values of type {} cannot be written from Lua",
                info.type_path()
            )));
        }
    };
    concrete(dynamic, info, registry, place)
}

/// Turns a dynamic value into the real type when the registry knows how, so lists and
/// components receive values they can take without panicking.
fn concrete(
    dynamic: Box<dyn PartialReflect>,
    info: &'static TypeInfo,
    registry: &TypeRegistry,
    place: &Place,
) -> Result<Box<dyn PartialReflect>, CrescentError> {
    let id = info.type_id();
    if let Some(from) = registry.get_type_data::<ReflectFromReflect>(id)
        && let Some(value) = from.from_reflect(dynamic.as_ref())
    {
        return Ok(value.into_partial_reflect());
    }
    if let Some(default) = registry.get_type_data::<ReflectDefault>(id) {
        let mut value = default.default();
        value
            .try_apply(dynamic.as_ref())
            .map_err(|err| place.error(err.to_string()))?;
        return Ok(value.into_partial_reflect());
    }
    match info {
        TypeInfo::Struct(_) | TypeInfo::TupleStruct(_) | TypeInfo::Enum(_) => Err(place.error(format!(
            "cannot build a {} from this table: give every field (the type has no #[reflect(Default)])",
            info.type_path()
        ))),
        _ => Ok(dynamic),
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

fn enum_from_lua(
    value: Value,
    info: &'static TypeInfo,
    e: &EnumInfo,
    registry: &TypeRegistry,
    place: &Place,
) -> Result<DynamicEnum, CrescentError> {
    let option = info.type_path().starts_with("core::option::Option<");
    let (name, payload) = match value {
        Value::Nil if option => ("None".to_owned(), None),
        value if option => ("Some".to_owned(), Some(value)),
        Value::String(s) => (s.to_string_lossy(), None),
        Value::Table(table) => {
            let (positional, mut named) = entries(&table, place)?;
            if !positional.is_empty() || named.len() != 1 {
                return Err(place.error(
                    "expected a variant name, or a table with exactly one variant: { Variant = ... }",
                ));
            }
            let (name, payload) = named.remove(0);
            (name, Some(payload))
        }
        other => {
            return Err(expected(
                place,
                "a variant name or { Variant = ... }",
                &other,
            ));
        }
    };
    let variant = e.variant(&name).ok_or_else(|| {
        let known: Vec<&str> = e.iter().map(|v| v.name()).collect();
        place.error(format!(
            "unknown variant '{name}' (variants: {})",
            known.join(", ")
        ))
    })?;
    let inner = place.field(&name)?;
    let dynamic = match (variant, payload) {
        (VariantInfo::Unit(_), None) => DynamicVariant::Unit,
        (VariantInfo::Unit(_), Some(_)) => {
            return Err(inner.error("this variant takes no value"));
        }
        (VariantInfo::Tuple(t), Some(payload)) => {
            let items = if t.field_len() == 1 {
                vec![payload]
            } else {
                sequence(payload, &inner)?
            };
            if items.len() != t.field_len() {
                return Err(inner.error(format!(
                    "expected {} values, got {}",
                    t.field_len(),
                    items.len()
                )));
            }
            let mut tuple = DynamicTuple::default();
            for (i, item) in items.into_iter().enumerate() {
                let field_info = t
                    .field_at(i)
                    .and_then(|f| f.type_info())
                    .ok_or_else(|| inner.error("this field has no type information"))?;
                tuple.insert_boxed(from_lua(item, field_info, registry, &inner.index(i)?)?);
            }
            DynamicVariant::Tuple(tuple)
        }
        (VariantInfo::Struct(s), Some(Value::Table(table))) => {
            let (positional, named) = entries(&table, &inner)?;
            if !positional.is_empty() {
                return Err(inner.error("expected a table of named fields, got a list"));
            }
            let mut fields = DynamicStruct::default();
            for (field_name, item) in named {
                let at = inner.field(&field_name)?;
                let field_info = s
                    .field(&field_name)
                    .and_then(|f| f.type_info())
                    .ok_or_else(|| at.error("unknown field"))?;
                fields.insert_boxed(field_name, from_lua(item, field_info, registry, &at)?);
            }
            DynamicVariant::Struct(fields)
        }
        (_, _) => return Err(inner.error("this variant needs a value")),
    };
    let mut out = DynamicEnum::new(name, dynamic);
    out.set_represented_type(Some(info));
    Ok(out)
}

fn opaque_from_lua(
    value: Value,
    type_path: &str,
    place: &Place,
) -> Result<Box<dyn PartialReflect>, CrescentError> {
    let number = |value: &Value| -> Option<f64> {
        match value {
            Value::Integer(i) => Some(*i as f64),
            Value::Number(n) => Some(*n),
            _ => None,
        }
    };
    let integer = |value: &Value, min: i128, max: i128| -> Result<i128, CrescentError> {
        let n = match value {
            Value::Integer(i) => i128::from(*i),
            Value::Number(n) if n.is_finite() && n.fract() == 0.0 => *n as i128,
            Value::Number(n) => return Err(place.error(format!("expected an integer, got {n}"))),
            other => return Err(expected(place, "an integer", other)),
        };
        if (min..=max).contains(&n) {
            Ok(n)
        } else {
            Err(place.error(format!("{n} is out of range ({min} to {max})")))
        }
    };
    macro_rules! int {
        ($ty:ty) => {
            Box::new(integer(&value, <$ty>::MIN as i128, <$ty>::MAX as i128)? as $ty)
        };
    }
    Ok(match type_path {
        "f32" => {
            Box::new(number(&value).ok_or_else(|| expected(place, "a number", &value))? as f32)
        }
        "f64" => Box::new(number(&value).ok_or_else(|| expected(place, "a number", &value))?),
        "i8" => int!(i8),
        "i16" => int!(i16),
        "i32" => int!(i32),
        "i64" => int!(i64),
        "isize" => int!(isize),
        "u8" => int!(u8),
        "u16" => int!(u16),
        "u32" => int!(u32),
        "u64" => int!(u64),
        "usize" => int!(usize),
        "bool" => match value {
            Value::Boolean(b) => Box::new(b),
            other => return Err(expected(place, "a boolean", &other)),
        },
        "alloc::string::String" | "std::string::String" => match value {
            Value::String(s) => Box::new(s.to_string_lossy()),
            other => return Err(expected(place, "a string", &other)),
        },
        other => {
            return Err(place.error(format!("values of type {other} cannot be written from Lua")));
        }
    })
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
