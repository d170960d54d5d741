//! Event names interned to [`EventId`]s, so lists and handlers compare ids, not strings.

use std::collections::HashMap;

use crate::data::keys::EventId;

/// Every event name the runtime has seen, by id and by name.
///
/// Invariant: `names[id]` and `ids[name]` are inverse maps.
#[derive(Debug, Default)]
pub(super) struct EventNames {
    names: Vec<String>,
    ids: HashMap<String, EventId>,
}

impl EventNames {
    /// The id of `name`, and whether it was new.
    pub(super) fn intern(&mut self, name: &str) -> (EventId, bool) {
        if let Some(&id) = self.ids.get(name) {
            return (id, false);
        }
        let id = EventId(self.names.len() as u32);
        self.names.push(name.to_owned());
        self.ids.insert(name.to_owned(), id);
        debug_assert_eq!(self.names.len(), self.ids.len());
        (id, true)
    }

    pub(super) fn find(&self, name: &str) -> Option<EventId> {
        self.ids.get(name).copied()
    }

    pub(super) fn name(&self, id: EventId) -> &str {
        self.names
            .get(id.index())
            .map_or("<unknown event>", String::as_str)
    }
}
