//! Lua values into component values: applied in place, or built whole.

use bevy_reflect::{
    PartialReflect, ReflectFromReflect, ReflectMut, TypeInfo, TypeRegistry,
    array::DynamicArray,
    enums::{DynamicEnum, DynamicVariant, EnumInfo, VariantInfo},
    list::DynamicList,
    std_traits::ReflectDefault,
    structs::DynamicStruct,
    tuple::DynamicTuple,
    tuple_struct::DynamicTupleStruct,
};
use mlua::Value;

use super::{Place, entries, expected, sequence};
use crate::data::error::CrescentError;

/// Writes `value` into `target` in place: struct fields named in the table change, the
/// rest stay; anything else is replaced whole.
pub(in crate::frame::components) fn apply(
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
pub(in crate::frame::components) fn from_lua(
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
