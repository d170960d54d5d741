//! What the loader reads from a file's returned table: a script's handlers (in a fixed
//! order, the first bad lifecycle field named the same way in every process), and a
//! reloaded module's data fields carried over.

use mlua::{Function, Table, Value};

use crate::data::{error::CrescentError, keys::LIFECYCLE_HANDLERS};

/// The script table's handlers: lifecycle fields must be functions; other function fields
/// are custom event handlers; other values are left alone as script constants.
pub(super) fn collect_handlers(
    path: &str,
    table: &Table,
) -> Result<Vec<(String, Function)>, CrescentError> {
    let mut named: Vec<(String, Function)> = Vec::new();
    // The first bad lifecycle field in LIFECYCLE_HANDLERS order, whatever the table's
    // iteration order: the same message in every process.
    for name in LIFECYCLE_HANDLERS {
        match table.raw_get::<Value>(name)? {
            Value::Nil | Value::Function(_) => {}
            other => {
                return Err(CrescentError::HandlerNotFunction {
                    path: path.to_owned(),
                    field: name.to_owned(),
                    got: other.type_name().to_owned(),
                });
            }
        }
    }
    for pair in table.pairs::<Value, Value>() {
        let (key, value) = pair?;
        let Value::String(key) = key else { continue };
        if let Value::Function(f) = value {
            named.push((key.to_string_lossy(), f));
        }
    }
    // Table iteration order is not deterministic; handler registration order must be.
    let rank = |name: &str| {
        LIFECYCLE_HANDLERS
            .iter()
            .position(|n| *n == name)
            .unwrap_or(LIFECYCLE_HANDLERS.len())
    };
    named.sort_by(|a, b| rank(&a.0).cmp(&rank(&b.0)).then_with(|| a.0.cmp(&b.0)));
    Ok(named)
}

/// Copies the old table's data fields (non-functions) that the new table also has.
pub(super) fn carry_data(old: &Table, new: &Table) -> mlua::Result<()> {
    for pair in old.pairs::<Value, Value>() {
        let (key, value) = pair?;
        let fresh = new.raw_get::<Value>(key.clone())?;
        let data = !matches!(value, Value::Function(_)) && !matches!(fresh, Value::Function(_));
        if data && fresh != Value::Nil {
            new.raw_set(key, value)?;
        }
    }
    Ok(())
}
