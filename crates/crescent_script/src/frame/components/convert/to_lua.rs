//! Component values as Lua values.

use bevy_reflect::{PartialReflect, ReflectRef, enums::VariantType};
use mlua::{Lua, Value};

use super::{Place, is_option};
use crate::data::error::CrescentError;

/// A component value (or part of one) as a Lua value.
pub(in crate::frame::components) fn to_lua(
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
