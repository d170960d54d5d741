//! Event names interned to [`EventId`]s, so lists and handlers compare ids, not strings.
//!
//! Interning is for names that have handlers (script fields, `self:on`): sending an event
//! never interns its name. Both the count of names and each name's length are capped
//! (`max_event_names`, `max_name_bytes`), so script input cannot grow this table without
//! bound and an id never wraps.

use std::collections::HashMap;

use crate::data::{
    config::ScriptConfig,
    error::CrescentError,
    keys::{EventId, LIFECYCLE_HANDLERS},
    limits::{check_name, preview},
};

/// Every event name the runtime has seen, by id and by name.
///
/// Invariant: `names[id]` and `ids[name]` are inverse maps; `names.len() <= max_names`.
#[derive(Debug)]
pub(super) struct EventNames {
    names: Vec<String>,
    ids: HashMap<String, EventId>,
    max_names: usize,
    max_bytes: usize,
}

impl Default for EventNames {
    fn default() -> Self {
        let config = ScriptConfig::default();
        Self::new(config.max_event_names, config.max_name_bytes)
    }
}

impl EventNames {
    /// An empty table with these caps; the lifecycle names are interned first, so they
    /// always have ids whatever scripts do.
    pub(super) fn new(max_names: usize, max_bytes: usize) -> Self {
        let mut names = Self {
            names: Vec::new(),
            ids: HashMap::new(),
            max_names: max_names.min(u32::MAX as usize),
            max_bytes,
        };
        for name in LIFECYCLE_HANDLERS {
            names.names.push(name.to_owned());
            names
                .ids
                .insert(name.to_owned(), EventId(names.ids.len() as u32));
        }
        names
    }

    /// The id of `name`, and whether it was new; refuses a name that is too long or one
    /// more than the table may hold.
    pub(super) fn intern(&mut self, name: &str) -> Result<(EventId, bool), CrescentError> {
        if let Some(&id) = self.ids.get(name) {
            return Ok((id, false));
        }
        check_name("event name", name, "max_name_bytes", self.max_bytes)?;
        let index = self.names.len();
        let id = match u32::try_from(index) {
            Ok(id) if index < self.max_names => EventId(id),
            _ => {
                return Err(CrescentError::TooLarge {
                    what: format!("new event name '{}'", preview(name)),
                    size: format!("{} distinct names already", self.names.len()),
                    limit: "max_event_names",
                    max: self.max_names,
                });
            }
        };
        self.names.push(name.to_owned());
        self.ids.insert(name.to_owned(), id);
        debug_assert_eq!(self.names.len(), self.ids.len());
        Ok((id, true))
    }

    pub(super) fn find(&self, name: &str) -> Option<EventId> {
        self.ids.get(name).copied()
    }

    pub(super) fn name(&self, id: EventId) -> &str {
        self.names
            .get(id.index())
            .map_or("<unknown event>", String::as_str)
    }

    /// Names interned, and the bytes they hold.
    pub(super) fn usage(&self) -> (usize, usize) {
        (self.names.len(), self.names.iter().map(String::len).sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle_names_come_first_and_never_count_as_new() {
        let mut names = EventNames::new(8, 16);
        assert_eq!(names.intern("init").ok(), Some((EventId(0), false)));
        assert_eq!(names.intern("hit").ok(), Some((EventId(5), true)));
        assert_eq!(names.usage().0, 6);
    }

    #[test]
    fn too_many_names_or_too_long_a_name_is_refused_naming_the_limit() {
        let mut names = EventNames::new(6, 8);
        assert!(names.intern("a").is_ok());
        let full = names.intern("b").map_err(|e| e.to_string()).err();
        assert_eq!(
            full.as_deref(),
            Some(
                "new event name 'b': 6 distinct names already exceeds the limit max_event_names = 6"
            )
        );
        let long = names.intern("abcdefghij").map_err(|e| e.to_string()).err();
        assert_eq!(
            long.as_deref(),
            Some("event name 'abcdefghij': 10 bytes exceeds the limit max_name_bytes = 8")
        );
        // A known name still resolves when the table is full.
        assert_eq!(names.intern("a").ok(), Some((EventId(5), false)));
    }
}
