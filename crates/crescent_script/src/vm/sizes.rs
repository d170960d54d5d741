//! How many bytes a Lua value would take once copied into Rust, measured without copying.
//!
//! `world.emit` payloads become `serde_json` values; measuring first means an oversized
//! payload is refused before Rust allocates anything for it.

use std::collections::HashSet;

use mlua::{Table, Value};

/// Bytes counted for a number, boolean or nil, and for each table entry's overhead.
const SCALAR_BYTES: usize = 8;

/// The approximate size of `value` once converted (strings by length, scalars and table
/// entries at a fixed cost; a table reached twice counts once), or `None` as soon as it
/// passes `max`. The walk stops at `max`, so it costs at most `O(max)`.
pub(crate) fn value_size(value: &Value, max: usize) -> mlua::Result<Option<usize>> {
    let mut total = 0usize;
    let mut seen: HashSet<usize> = HashSet::new();
    let mut stack: Vec<Table> = Vec::new();
    let mut add = |value: &Value, stack: &mut Vec<Table>, total: &mut usize| {
        *total += match value {
            Value::String(s) => s.as_bytes().len() + 2,
            Value::Table(t) => {
                if seen.insert(t.to_pointer() as usize) {
                    stack.push(t.clone());
                }
                2
            }
            _ => SCALAR_BYTES,
        };
    };
    add(value, &mut stack, &mut total);
    while let Some(table) = stack.pop() {
        if total > max {
            return Ok(None);
        }
        for pair in table.pairs::<Value, Value>() {
            let (k, v) = pair?;
            add(&k, &mut stack, &mut total);
            add(&v, &mut stack, &mut total);
            total += 1;
            if total > max {
                return Ok(None);
            }
        }
    }
    Ok((total <= max).then_some(total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use mlua::Lua;

    #[test]
    fn sizes_grow_with_content_and_stop_at_the_limit() {
        let lua = Lua::new();
        let small: Value = lua.load("return { a = 'xy', 1, 2 }").eval().unwrap();
        let size = value_size(&small, 1000).unwrap().unwrap();
        assert!(size > 2 && size < 100, "{size}");
        let cyclic: Value = lua.load("local t = {}; t.t = t; return t").eval().unwrap();
        assert!(value_size(&cyclic, 1000).unwrap().is_some());
        let big: Value = lua.load("return string.rep('x', 5000)").eval().unwrap();
        assert_eq!(value_size(&big, 1000).unwrap(), None);
        let wide: Value = lua
            .load("local t = {} for i = 1, 10000 do t[i] = i end return t")
            .eval()
            .unwrap();
        assert_eq!(value_size(&wide, 1000).unwrap(), None);
    }
}
