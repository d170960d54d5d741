//! Plain-old-data components: every leaf a number (`Vec3`, `Quat`, `Transform`, a game's
//! `Position { x, y }`). Scripts read and write them as flat lists of numbers, so the API
//! layer builds and takes their tables in Lua, with no table made or walked from Rust.

use std::any::TypeId;

use bevy_reflect::{PartialReflect, ReflectMut, ReflectRef, TypeInfo};
use mlua::Value;

use crate::data::error::CrescentError;

/// Most numbers a plain-old-data component may have (`Transform` has 10).
const MAX_LEAVES: usize = 32;
/// Deepest nesting of structs considered.
const MAX_DEPTH: usize = 4;

/// A numeric leaf's Rust type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Num {
    F32,
    F64,
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
    Isize,
    Usize,
}

impl Num {
    fn of(type_id: TypeId) -> Option<Self> {
        let table = [
            (TypeId::of::<f32>(), Num::F32),
            (TypeId::of::<f64>(), Num::F64),
            (TypeId::of::<i8>(), Num::I8),
            (TypeId::of::<i16>(), Num::I16),
            (TypeId::of::<i32>(), Num::I32),
            (TypeId::of::<i64>(), Num::I64),
            (TypeId::of::<u8>(), Num::U8),
            (TypeId::of::<u16>(), Num::U16),
            (TypeId::of::<u32>(), Num::U32),
            (TypeId::of::<u64>(), Num::U64),
            (TypeId::of::<isize>(), Num::Isize),
            (TypeId::of::<usize>(), Num::Usize),
        ];
        table.iter().find(|(id, _)| *id == type_id).map(|&(_, n)| n)
    }
}

/// The shape of a plain-old-data component: a tree of named structs over numbered leaves.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Shape {
    /// A struct: its fields, in declaration order.
    Struct(Vec<(String, Shape)>),
    /// A number: its index in the flat list.
    Leaf(usize),
}

#[derive(Clone, Debug)]
struct Leaf {
    /// Field indices from the component down to the number.
    path: Vec<usize>,
    /// Dotted field path, for errors.
    name: String,
    kind: Num,
}

/// A plain-old-data component's layout.
#[derive(Clone, Debug)]
pub(crate) struct PodLayout {
    shape: Shape,
    leaves: Vec<Leaf>,
}

impl PodLayout {
    /// The layout of a struct type whose every leaf is a number, if it is one.
    pub(super) fn of(info: &TypeInfo) -> Option<Self> {
        let mut leaves = Vec::new();
        let shape = walk(info, &mut Vec::new(), "", &mut leaves, 0)?;
        matches!(shape, Shape::Struct(_)).then_some(Self { shape, leaves })
    }

    /// The shape the API layer builds tables from.
    pub(crate) fn shape(&self) -> &Shape {
        &self.shape
    }

    /// Puts the component's numbers into `out`, in leaf order (`out` has room for
    /// every one).
    pub(super) fn read(&self, root: &dyn PartialReflect, out: &mut [Value]) {
        for (leaf, slot) in self.leaves.iter().zip(out) {
            *slot = at(root, &leaf.path)
                .and_then(|value| read_num(value, leaf.kind))
                .unwrap_or(Value::Nil);
        }
    }

    /// Writes `values` (one per leaf, `nil` for "leave as it is") into the component, after
    /// checking every one, so a bad value changes nothing.
    pub(super) fn write(
        &self,
        root: &mut dyn PartialReflect,
        values: &[Value],
        component: &str,
    ) -> Result<(), CrescentError> {
        if values.len() > self.leaves.len() {
            return Err(bad(
                component,
                "",
                format!("expected at most {} numbers", self.leaves.len()),
            ));
        }
        // Check every value first (so a bad one changes nothing), then write; checking is
        // cheap enough to do twice, cheaper than a vector per call.
        for (leaf, value) in self.leaves.iter().zip(values) {
            number(value, leaf.kind).map_err(|message| bad(component, &leaf.name, message))?;
        }
        for (leaf, value) in self.leaves.iter().zip(values) {
            if let Ok(Some(value)) = number(value, leaf.kind)
                && let Some(target) = at_mut(root, &leaf.path)
            {
                write_num(target, leaf.kind, value);
            }
        }
        Ok(())
    }
}

fn bad(component: &str, field: &str, message: String) -> CrescentError {
    CrescentError::BadComponentValue {
        component: component.to_owned(),
        field: field.to_owned(),
        message,
    }
}

fn walk(
    info: &TypeInfo,
    path: &mut Vec<usize>,
    name: &str,
    leaves: &mut Vec<Leaf>,
    depth: usize,
) -> Option<Shape> {
    if let Some(kind) = Num::of(info.type_id()) {
        if leaves.len() >= MAX_LEAVES {
            return None;
        }
        leaves.push(Leaf {
            path: path.clone(),
            name: name.to_owned(),
            kind,
        });
        return Some(Shape::Leaf(leaves.len() - 1));
    }
    let TypeInfo::Struct(info) = info else {
        return None;
    };
    if depth >= MAX_DEPTH || info.field_len() == 0 {
        return None;
    }
    let mut fields = Vec::with_capacity(info.field_len());
    for (index, field) in info.iter().enumerate() {
        let field_info = field.type_info()?;
        let dotted = if name.is_empty() {
            field.name().to_owned()
        } else {
            format!("{name}.{}", field.name())
        };
        path.push(index);
        let shape = walk(field_info, path, &dotted, leaves, depth + 1);
        path.pop();
        fields.push((field.name().to_owned(), shape?));
    }
    Some(Shape::Struct(fields))
}

fn at<'a>(mut value: &'a dyn PartialReflect, path: &[usize]) -> Option<&'a dyn PartialReflect> {
    for &index in path {
        value = match value.reflect_ref() {
            ReflectRef::Struct(s) => s.field_at(index)?,
            _ => return None,
        };
    }
    Some(value)
}

fn at_mut<'a>(
    mut value: &'a mut dyn PartialReflect,
    path: &[usize],
) -> Option<&'a mut dyn PartialReflect> {
    for &index in path {
        value = match value.reflect_mut() {
            ReflectMut::Struct(s) => s.field_at_mut(index)?,
            _ => return None,
        };
    }
    Some(value)
}

fn read_num(value: &dyn PartialReflect, kind: Num) -> Option<Value> {
    let int = |i: i64| Some(Value::Integer(i));
    match kind {
        Num::F32 => value
            .try_downcast_ref::<f32>()
            .map(|&v| Value::Number(f64::from(v))),
        Num::F64 => value.try_downcast_ref::<f64>().map(|&v| Value::Number(v)),
        Num::I8 => value
            .try_downcast_ref::<i8>()
            .and_then(|&v| int(i64::from(v))),
        Num::I16 => value
            .try_downcast_ref::<i16>()
            .and_then(|&v| int(i64::from(v))),
        Num::I32 => value
            .try_downcast_ref::<i32>()
            .and_then(|&v| int(i64::from(v))),
        Num::I64 => value.try_downcast_ref::<i64>().and_then(|&v| int(v)),
        Num::U8 => value
            .try_downcast_ref::<u8>()
            .and_then(|&v| int(i64::from(v))),
        Num::U16 => value
            .try_downcast_ref::<u16>()
            .and_then(|&v| int(i64::from(v))),
        Num::U32 => value
            .try_downcast_ref::<u32>()
            .and_then(|&v| int(i64::from(v))),
        // Past i64::MAX a u64 reads as a float, like Lua's own integer overflow.
        Num::U64 => value
            .try_downcast_ref::<u64>()
            .map(|&v| i64::try_from(v).map_or(Value::Number(v as f64), Value::Integer)),
        Num::Isize => value
            .try_downcast_ref::<isize>()
            .and_then(|&v| int(v as i64)),
        Num::Usize => value
            .try_downcast_ref::<usize>()
            .map(|&v| i64::try_from(v).map_or(Value::Number(v as f64), Value::Integer)),
    }
}

/// A checked number for a leaf of `kind`: floats take any number; integers take integers
/// and whole floats in range.
#[derive(Clone, Copy)]
enum Checked {
    Float(f64),
    Int(i128),
}

fn number(value: &Value, kind: Num) -> Result<Option<Checked>, String> {
    let float = matches!(kind, Num::F32 | Num::F64);
    match value {
        Value::Nil => Ok(None),
        Value::Integer(i) if float => Ok(Some(Checked::Float(*i as f64))),
        Value::Number(n) if float => Ok(Some(Checked::Float(*n))),
        Value::Integer(i) => in_range(i128::from(*i), kind).map(Some),
        Value::Number(n) if n.is_finite() && n.fract() == 0.0 => {
            in_range(*n as i128, kind).map(Some)
        }
        Value::Number(n) => Err(format!("expected an integer, got {n}")),
        other => Err(format!("expected a number, got {}", other.type_name())),
    }
}

fn in_range(value: i128, kind: Num) -> Result<Checked, String> {
    let (min, max): (i128, i128) = match kind {
        Num::I8 => (i8::MIN.into(), i8::MAX.into()),
        Num::I16 => (i16::MIN.into(), i16::MAX.into()),
        Num::I32 => (i32::MIN.into(), i32::MAX.into()),
        Num::I64 | Num::Isize => (i64::MIN.into(), i64::MAX.into()),
        Num::U8 => (0, u8::MAX.into()),
        Num::U16 => (0, u16::MAX.into()),
        Num::U32 => (0, u32::MAX.into()),
        Num::U64 | Num::Usize => (0, u64::MAX.into()),
        Num::F32 | Num::F64 => return Ok(Checked::Float(value as f64)),
    };
    if (min..=max).contains(&value) {
        Ok(Checked::Int(value))
    } else {
        Err(format!("{value} is out of range ({min} to {max})"))
    }
}

fn write_num(target: &mut dyn PartialReflect, kind: Num, value: Checked) {
    // Range was checked; the casts below cannot truncate.
    let (f, i) = match value {
        Checked::Float(f) => (f, f as i128),
        Checked::Int(i) => (i as f64, i),
    };
    macro_rules! put {
        ($ty:ty, $v:expr) => {
            if let Some(slot) = target.try_downcast_mut::<$ty>() {
                *slot = $v;
            }
        };
    }
    match kind {
        Num::F32 => put!(f32, f as f32),
        Num::F64 => put!(f64, f),
        Num::I8 => put!(i8, i as i8),
        Num::I16 => put!(i16, i as i16),
        Num::I32 => put!(i32, i as i32),
        Num::I64 => put!(i64, i as i64),
        Num::U8 => put!(u8, i as u8),
        Num::U16 => put!(u16, i as u16),
        Num::U32 => put!(u32, i as u32),
        Num::U64 => put!(u64, i as u64),
        Num::Isize => put!(isize, i as isize),
        Num::Usize => put!(usize, i as usize),
    }
}
