//! Dispatch lists: per event, the active handlers in dispatch order, mirrored into two
//! Lua arrays (`fns`, `selves`) so one Rust->Lua call runs them all in a Lua loop (the
//! VM's [`looper`](crate::vm)).
//!
//! Invariants (checked with `debug_assert!` where they are established):
//! - `entries[i]` corresponds to `fns[i + 1]` / `selves[i + 1]`; a dead entry is a
//!   tombstone, mirrored as `fns[i + 1] = false`, and the loop skips it;
//! - `tombstones` counts the dead entries;
//! - while a dispatch runs (`active`) the arrays are only appended to or tombstoned, never
//!   rebuilt, so the running loop sees removals at once and additions not at all;
//! - a rebuild (sorted, compacted, into fresh arrays) happens before a dispatch when
//!   entries arrived out of order or tombstones outnumber live entries.
//!
//! A mirror write that fails under the memory limit is retried with the limit lifted: a
//! tombstone that did not reach Lua would leave a removed handler callable.

use mlua::{Function, IntoLua, Lua, Table, WeakLua};

use super::entries::Order;
use crate::data::keys::HandlerSlot;

/// Position marking a handler that is in no list.
pub(super) const UNLISTED: usize = usize::MAX;

/// One place in a list; a tombstone keeps its slot so errors can still be attributed.
#[derive(Debug, Clone, Copy)]
struct Entry {
    order: Order,
    slot: HandlerSlot,
    live: bool,
}

/// One event's handlers in dispatch order, and their Lua mirror.
#[derive(Debug, Default)]
pub(super) struct EventList {
    entries: Vec<Entry>,
    arrays: Option<(Table, Table)>,
    sorted: bool,
    tombstones: usize,
    active: bool,
    /// Dispatches run so far (for "errors in a row" across dispatches).
    seq: u64,
    /// Whether handlers of this event are listed at all (lifecycle events are not).
    listed: bool,
}

/// Runs `f`, and once more with the memory limit lifted if it failed: the invariant that
/// Lua sees what the registry holds must not depend on free memory. What is written is
/// bounded by the handlers the registry already holds.
fn lifted<R>(lua: &Lua, mut f: impl FnMut() -> mlua::Result<R>) -> mlua::Result<R> {
    if let Ok(done) = f() {
        return Ok(done);
    }
    let limit = lua.set_memory_limit(0)?;
    let retried = f();
    lua.set_memory_limit(limit)?;
    retried
}

/// Writes `value` at `index` of a mirror array.
fn mirror_set(
    lua: &Lua,
    table: &Table,
    index: usize,
    value: impl IntoLua + Clone,
) -> mlua::Result<()> {
    lifted(lua, || table.raw_set(index, value.clone()))
}

/// A mirror array for `n` entries.
fn mirror_table(lua: &Lua, n: usize) -> mlua::Result<Table> {
    lifted(lua, || lua.create_table_with_capacity(n, 0))
}

impl EventList {
    /// A list for an event; `listed: false` for events never dispatched as a list.
    pub(super) fn new(listed: bool) -> Self {
        Self {
            sorted: true,
            listed,
            ..Default::default()
        }
    }

    /// The mirror arrays, created empty with the list's first entry.
    fn arrays(&mut self, lua: &Lua) -> mlua::Result<(Table, Table)> {
        if let Some(arrays) = &self.arrays {
            return Ok(arrays.clone());
        }
        let arrays = (mirror_table(lua, 0)?, mirror_table(lua, 0)?);
        self.arrays = Some(arrays.clone());
        Ok(arrays)
    }

    /// Appends a handler; returns its position, or [`UNLISTED`] for an unlisted event.
    pub(super) fn push(
        &mut self,
        lua: &WeakLua,
        order: Order,
        slot: HandlerSlot,
        func: &Function,
        this: &Table,
    ) -> mlua::Result<usize> {
        if !self.listed {
            return Ok(UNLISTED);
        }
        if self.entries.last().is_some_and(|last| last.order > order) {
            self.sorted = false;
        }
        self.entries.push(Entry {
            order,
            slot,
            live: true,
        });
        let pos = self.entries.len() - 1;
        if let Some(lua) = lua.try_upgrade() {
            let (fns, selves) = self.arrays(&lua)?;
            mirror_set(&lua, &fns, pos + 1, func.clone())?;
            mirror_set(&lua, &selves, pos + 1, this.clone())?;
        }
        Ok(pos)
    }

    /// Removes the handler at `pos` (a tombstone until the next rebuild).
    pub(super) fn tombstone(&mut self, lua: &WeakLua, pos: usize) -> mlua::Result<()> {
        let Some(entry) = self.entries.get_mut(pos) else {
            return Ok(());
        };
        if !std::mem::replace(&mut entry.live, false) {
            return Ok(());
        }
        self.tombstones += 1;
        debug_assert!(self.tombstones <= self.entries.len());
        if let (Some((fns, selves)), Some(lua)) = (&self.arrays, lua.try_upgrade()) {
            mirror_set(&lua, fns, pos + 1, false)?;
            mirror_set(&lua, selves, pos + 1, mlua::Value::Nil)?;
        }
        Ok(())
    }

    /// Whether a rebuild is due before the next dispatch.
    pub(super) fn needs_rebuild(&self) -> bool {
        !self.active && (!self.sorted || self.tombstones * 2 > self.entries.len().max(16))
    }

    /// The live entries, sorted: what a rebuild keeps.
    pub(super) fn live_sorted(&self) -> Vec<(Order, HandlerSlot)> {
        let mut live: Vec<_> = self
            .entries
            .iter()
            .filter(|e| e.live)
            .map(|e| (e.order, e.slot))
            .collect();
        live.sort_unstable_by_key(|(order, _)| *order);
        live
    }

    /// Replaces the list with `live` (sorted, from [`EventList::live_sorted`]) in fresh
    /// arrays. All or nothing: on an error the list is as it was, tombstones and all.
    pub(super) fn rebuild(
        &mut self,
        lua: &WeakLua,
        live: Vec<(Order, HandlerSlot, Function, Table)>,
    ) -> mlua::Result<()> {
        debug_assert!(!self.active);
        debug_assert!(live.windows(2).all(|w| w[0].0 <= w[1].0));
        let arrays = match lua.try_upgrade() {
            Some(lua) => {
                let n = live.len();
                let fns = mirror_table(&lua, n)?;
                let selves = mirror_table(&lua, n)?;
                for (i, (_, _, func, this)) in live.iter().enumerate() {
                    mirror_set(&lua, &fns, i + 1, func.clone())?;
                    mirror_set(&lua, &selves, i + 1, this.clone())?;
                }
                Some((fns, selves))
            }
            None => None,
        };
        self.entries = live
            .into_iter()
            .map(|(order, slot, _, _)| Entry {
                order,
                slot,
                live: true,
            })
            .collect();
        self.arrays = arrays;
        self.sorted = true;
        self.tombstones = 0;
        Ok(())
    }

    /// Live handlers in order.
    #[cfg(test)]
    pub(super) fn live(&self) -> impl Iterator<Item = HandlerSlot> + '_ {
        self.entries.iter().filter(|e| e.live).map(|e| e.slot)
    }

    /// The handler at `pos`, live or tombstoned.
    pub(super) fn ever_at(&self, pos: usize) -> Option<HandlerSlot> {
        self.entries.get(pos).map(|e| e.slot)
    }

    /// Whether the entry at `pos` is live and holds `slot`.
    pub(super) fn holds(&self, pos: usize, slot: HandlerSlot) -> bool {
        self.entries
            .get(pos)
            .is_some_and(|e| e.live && e.slot == slot)
    }

    /// Starts a dispatch: the arrays and how many entries it covers.
    pub(super) fn begin(&mut self, lua: &WeakLua) -> mlua::Result<Option<(Table, Table, usize)>> {
        let Some(lua) = lua.try_upgrade() else {
            return Ok(None);
        };
        let (fns, selves) = self.arrays(&lua)?;
        self.active = true;
        self.seq += 1;
        Ok(Some((fns, selves, self.entries.len())))
    }

    /// Ends a dispatch started with [`EventList::begin`].
    pub(super) fn end(&mut self) {
        self.active = false;
    }

    /// Dispatches run so far.
    pub(super) fn seq(&self) -> u64 {
        self.seq
    }

    /// Live entries in `first..=last` (1-based Lua indices), for counting the calls of a
    /// loop run that ended in an error.
    pub(super) fn live_between(&self, first: usize, last: usize) -> u64 {
        self.entries
            .iter()
            .take(last)
            .skip(first.saturating_sub(1))
            .filter(|e| e.live)
            .count() as u64
    }

    /// Drops every entry and the Lua arrays.
    pub(super) fn clear(&mut self) {
        *self = Self::new(self.listed);
    }
}

/// Read-only views of a list's state, for the registry's `check` in the unit tests.
#[cfg(test)]
impl EventList {
    /// Every entry in list order: its order, handler slot and whether it is live.
    pub(super) fn entries(&self) -> impl Iterator<Item = (Order, HandlerSlot, bool)> + '_ {
        self.entries.iter().map(|e| (e.order, e.slot, e.live))
    }

    /// Entries, live and tombstoned.
    pub(super) fn len(&self) -> usize {
        self.entries.len()
    }

    /// The tombstone count the list keeps.
    pub(super) fn tombstones(&self) -> usize {
        self.tombstones
    }

    /// The Lua mirror arrays `(fns, selves)`, if created.
    pub(super) fn mirror(&self) -> Option<(Table, Table)> {
        self.arrays.clone()
    }

    /// Whether the list claims its entries are in order.
    pub(super) fn is_sorted(&self) -> bool {
        self.sorted
    }

    /// Whether handlers of this event are listed at all.
    pub(super) fn is_listed(&self) -> bool {
        self.listed
    }

    /// Whether a dispatch is in progress.
    pub(super) fn is_active(&self) -> bool {
        self.active
    }
}
