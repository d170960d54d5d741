//! Dispatch runs: how the registry keeps each event's handlers listed in dispatch order
//! (listing on activation, tombstoning on removal, rebuilding when a list is out of order
//! or mostly tombstones) and hands a list to the dispatch loop. The list itself is
//! [`dispatch_list`](super::dispatch_list); the registry's invariants are in
//! [the module doc](super).

use mlua::Table;

use super::{HandlerRegistry, dispatch_list::UNLISTED};
use crate::data::keys::{EventId, HandlerKey, HandlerSlot};

/// A dispatch in progress: the list's Lua arrays, its length and its dispatch number.
pub(crate) struct ListRun {
    pub(crate) fns: Table,
    pub(crate) selves: Table,
    pub(crate) len: usize,
    pub(crate) seq: u64,
}

impl HandlerRegistry {
    pub(super) fn index(&mut self, slot: HandlerSlot) -> mlua::Result<()> {
        let Some(entry) = self.handlers.get_mut(slot) else {
            return Ok(());
        };
        let Some(list) = self.lists.get_mut(entry.event.index()) else {
            return Ok(());
        };
        if entry.pos == UNLISTED {
            entry.pos = list.push(&self.lua, entry.order, slot, &entry.func, &entry.this)?;
            debug_assert!(entry.pos == UNLISTED || list.holds(entry.pos, slot));
        }
        Ok(())
    }

    pub(super) fn unlist(&mut self, slot: HandlerSlot) -> mlua::Result<()> {
        let Some(entry) = self.handlers.get_mut(slot) else {
            return Ok(());
        };
        if entry.pos == UNLISTED {
            return Ok(());
        }
        let (event, pos) = (entry.event, entry.pos);
        entry.pos = UNLISTED;
        if let Some(list) = self.lists.get_mut(event.index()) {
            list.tombstone(&self.lua, pos)?;
        }
        // Compact here too: an event that is only ever sent to single entities is never
        // dispatched as a list, and its tombstones would otherwise pile up. A compaction
        // that fails leaves the list as it was (tombstoned, still correct) and is tried
        // again before the next dispatch, so it must not fail the removal.
        if let Err(err) = self.prepare(event) {
            tracing::debug!(target: "crescent", "dispatch list compaction postponed: {err}");
        }
        Ok(())
    }

    /// Rebuilds `event`'s list if it is out of order or mostly tombstones.
    fn prepare(&mut self, event: EventId) -> mlua::Result<()> {
        let Some(list) = self.lists.get(event.index()) else {
            return Ok(());
        };
        if !list.needs_rebuild() {
            return Ok(());
        }
        let live: Vec<_> = list
            .live_sorted()
            .into_iter()
            .filter_map(|(order, slot)| {
                let entry = self.handlers.get(slot)?;
                Some((order, slot, entry.func.clone(), entry.this.clone()))
            })
            .collect();
        let slots: Vec<HandlerSlot> = live.iter().map(|&(_, slot, _, _)| slot).collect();
        if let Some(list) = self.lists.get_mut(event.index()) {
            list.rebuild(&self.lua, live)?;
        }
        for (pos, slot) in slots.into_iter().enumerate() {
            if let Some(entry) = self.handlers.get_mut(slot) {
                entry.pos = pos;
            }
        }
        Ok(())
    }

    /// Starts a Lua-side dispatch of `event`, after rebuilding its list if due; `None`
    /// when the event has no list (or the Lua state is gone).
    pub(crate) fn begin_dispatch(&mut self, event: EventId) -> mlua::Result<Option<ListRun>> {
        self.prepare(event)?;
        let Some(list) = self.lists.get_mut(event.index()) else {
            return Ok(None);
        };
        Ok(list.begin(&self.lua)?.map(|(fns, selves, len)| ListRun {
            fns,
            selves,
            len,
            seq: list.seq(),
        }))
    }

    /// Ends a dispatch started with [`HandlerRegistry::begin_dispatch`].
    pub(crate) fn end_dispatch(&mut self, event: EventId) {
        if let Some(list) = self.lists.get_mut(event.index()) {
            list.end();
        }
    }

    /// Live entries of `event`'s list between Lua indices `first` and `last`.
    pub(crate) fn live_between(&self, event: EventId, first: usize, last: usize) -> u64 {
        self.lists
            .get(event.index())
            .map_or(0, |list| list.live_between(first, last))
    }

    /// The handler that was at Lua index `index` of `event`'s list, listed or not since.
    pub(crate) fn listed_any(&self, event: EventId, index: usize) -> Option<HandlerKey> {
        let slot = self
            .lists
            .get(event.index())?
            .ever_at(index.checked_sub(1)?)?;
        Some(self.handler_key(slot))
    }

    /// The listed handlers of `event`, in dispatch order (after a rebuild if due).
    #[cfg(test)]
    pub(crate) fn dispatch_order(&mut self, event: EventId) -> mlua::Result<Vec<HandlerKey>> {
        self.prepare(event)?;
        Ok(self
            .lists
            .get(event.index())
            .map(|list| list.live().map(|slot| self.handler_key(slot)).collect())
            .unwrap_or_default())
    }
}
