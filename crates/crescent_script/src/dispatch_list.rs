//! Dispatch lists: per event, the active handlers in dispatch order, mirrored into two
//! Lua arrays (`fns`, `selves`) so one Rust->Lua call runs them all in a Lua loop.
//!
//! Invariants:
//! - `entries[i]` corresponds to `fns[i + 1]` / `selves[i + 1]`; a `None` slot is a
//!   tombstone, mirrored as `fns[i + 1] = false`, and the loop skips it;
//! - every listed handler's `pos` is its index in `entries`;
//! - while a dispatch runs (`active`) the arrays are only appended to or tombstoned, never
//!   rebuilt, so the running loop sees removals at once and additions not at all;
//! - `prepare` rebuilds (sorted, compacted, into fresh arrays) before a dispatch when
//!   entries arrived out of order or tombstones outnumber live entries.

use mlua::{Function, Lua, Table, Value, WeakLua};

use crate::registry::{EventId, HandlerKey, HandlerRegistry, HandlerSlot, Order};

/// Position marking a handler that is in no list.
pub(crate) const UNLISTED: usize = usize::MAX;

/// One place in a list; a tombstone keeps its slot so errors can still be attributed.
#[derive(Debug, Clone, Copy)]
struct Entry {
    order: Order,
    slot: HandlerSlot,
    live: bool,
}

/// One event's handlers in dispatch order, and their Lua mirror.
#[derive(Debug, Default)]
pub(crate) struct EventList {
    entries: Vec<Entry>,
    arrays: Option<(Table, Table)>,
    sorted: bool,
    tombstones: usize,
    active: bool,
    /// Dispatches run so far (for "errors in a row" across dispatches).
    pub seq: u64,
    /// Whether handlers of this event are listed at all.
    listed: bool,
}

impl EventList {
    pub(crate) fn new() -> Self {
        Self {
            sorted: true,
            listed: true,
            ..Default::default()
        }
    }

    /// A list for an event whose handlers are never dispatched as a list (`init`, ...).
    pub(crate) fn unlisted() -> Self {
        Self {
            sorted: true,
            listed: false,
            ..Default::default()
        }
    }

    fn arrays(&mut self, lua: &WeakLua) -> Option<(Table, Table)> {
        if self.arrays.is_none() {
            let lua = lua.try_upgrade()?;
            self.arrays = Some((lua.create_table().ok()?, lua.create_table().ok()?));
        }
        self.arrays.clone()
    }

    /// Appends a handler; returns its position, or [`UNLISTED`] for an unlisted event.
    pub(crate) fn push(
        &mut self,
        lua: &WeakLua,
        order: Order,
        slot: HandlerSlot,
        func: &Function,
        this: &Table,
    ) -> usize {
        if !self.listed {
            return UNLISTED;
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
        if let Some((fns, selves)) = self.arrays(lua) {
            let _ = fns.raw_set(pos + 1, func.clone());
            let _ = selves.raw_set(pos + 1, this.clone());
        }
        pos
    }

    /// Removes the handler at `pos` (a tombstone until the next rebuild).
    pub(crate) fn tombstone(&mut self, pos: usize) {
        let Some(entry) = self.entries.get_mut(pos) else {
            return;
        };
        if std::mem::replace(&mut entry.live, false) {
            self.tombstones += 1;
            if let Some((fns, selves)) = &self.arrays {
                let _ = fns.raw_set(pos + 1, false);
                let _ = selves.raw_set(pos + 1, Value::Nil);
            }
        }
    }

    /// Whether a rebuild is due before the next dispatch.
    pub(crate) fn needs_rebuild(&self) -> bool {
        !self.active && (!self.sorted || self.tombstones * 2 > self.entries.len().max(16))
    }

    /// Sorts and compacts the entries; returns the live ones so the caller can refill
    /// the arrays and positions with [`EventList::refill`].
    pub(crate) fn take_live(&mut self) -> Vec<(Order, HandlerSlot)> {
        let mut live: Vec<_> = self
            .entries
            .drain(..)
            .filter(|e| e.live)
            .map(|e| (e.order, e.slot))
            .collect();
        live.sort_unstable_by_key(|(order, _)| *order);
        self.sorted = true;
        self.tombstones = 0;
        self.arrays = None;
        live
    }

    /// Refills the list (after [`EventList::take_live`]) with handlers in order.
    pub(crate) fn refill(
        &mut self,
        lua: &WeakLua,
        live: Vec<(Order, HandlerSlot, Function, Table)>,
    ) {
        let Some(lua_state) = lua.try_upgrade() else {
            return;
        };
        let n = live.len();
        let (Ok(fns), Ok(selves)) = (
            lua_state.create_table_with_capacity(n, 0),
            lua_state.create_table_with_capacity(n, 0),
        ) else {
            return;
        };
        for (i, (order, slot, func, this)) in live.into_iter().enumerate() {
            let _ = fns.raw_set(i + 1, func);
            let _ = selves.raw_set(i + 1, this);
            self.entries.push(Entry {
                order,
                slot,
                live: true,
            });
        }
        self.arrays = Some((fns, selves));
    }

    /// Live handlers in order.
    pub(crate) fn live(&self) -> impl Iterator<Item = HandlerSlot> + '_ {
        self.entries.iter().filter(|e| e.live).map(|e| e.slot)
    }

    /// The handler at `pos`, live or tombstoned.
    pub(crate) fn ever_at(&self, pos: usize) -> Option<HandlerSlot> {
        self.entries.get(pos).map(|e| e.slot)
    }

    /// Starts a dispatch: the arrays and how many entries it covers.
    pub(crate) fn begin(&mut self, lua: &WeakLua) -> Option<(Table, Table, usize)> {
        let (fns, selves) = self.arrays(lua)?;
        self.active = true;
        self.seq += 1;
        Some((fns, selves, self.entries.len()))
    }

    /// Ends a dispatch started with [`EventList::begin`].
    pub(crate) fn end(&mut self) {
        self.active = false;
    }

    /// Drops every entry and the Lua arrays.
    pub(crate) fn clear(&mut self) {
        *self = if self.listed {
            Self::new()
        } else {
            Self::unlisted()
        };
    }
}

/// The Lua loop that runs one dispatch. Handlers are called unprotected: no `pcall`
/// per handler on the common path. When one raises, the error unwinds out of the loop
/// to Rust, which reports it against entry `cur[1]` and re-enters the loop after it, so
/// error isolation costs only on errors. Returns the number of handlers called.
///
/// One loop per argument count (0 to 2), so no instruction moves unused arguments: with
/// the budget's count hook on, every VM instruction costs a hook check.
const LOOP: &str = r#"
return function(fns, selves, first, n, cur ARGS)
  local calls = 0
  for i = first, n do
    local f = fns[i]
    if f then
      cur[1] = i
      calls = calls + 1
      f(selves[i] ARGS)
    end
  end
  cur[1] = 0
  return calls
end
"#;

/// Most arguments a dispatched handler gets after `self`.
pub(crate) const MAX_ARGS: usize = 2;

/// Builds the dispatch loops, indexed by argument count.
pub(crate) fn loop_functions(lua: &Lua) -> mlua::Result<Vec<Function>> {
    ["", ", a", ", a, b"]
        .iter()
        .map(|args| {
            lua.load(LOOP.replace("ARGS", args))
                .set_name("=dispatch")
                .eval()
        })
        .collect()
}

/// Live entries in `first..=last` (1-based), for counting the calls of a loop run that
/// ended in an error.
pub(crate) fn live_between(list: &EventList, first: usize, last: usize) -> u64 {
    list.entries
        .iter()
        .take(last)
        .skip(first.saturating_sub(1))
        .filter(|e| e.live)
        .count() as u64
}

/// The registry's side of its dispatch lists.
impl HandlerRegistry {
    /// Rebuilds `event`'s list if it is out of order or mostly tombstones.
    pub(crate) fn prepare(&mut self, event: EventId) {
        let Some(list) = self.by_event.get_mut(event.0 as usize) else {
            return;
        };
        if !list.needs_rebuild() {
            return;
        }
        let live = list.take_live();
        let mut refill = Vec::with_capacity(live.len());
        for (pos, (order, slot)) in live.into_iter().enumerate() {
            if let Some(entry) = self.handlers.get_mut(slot) {
                entry.pos = pos;
                refill.push((order, slot, entry.func.clone(), entry.this.clone()));
            }
        }
        if let Some(list) = self.by_event.get_mut(event.0 as usize) {
            list.refill(&self.lua, refill);
        }
    }

    /// Fills `out` with the dispatchable handlers of `event`, in dispatch order.
    pub fn dispatch_order(&mut self, event: EventId, out: &mut Vec<HandlerKey>) {
        out.clear();
        self.prepare(event);
        let runtime = self.runtime();
        if let Some(list) = self.by_event.get(event.0 as usize) {
            out.extend(list.live().map(|slot| HandlerKey { slot, runtime }));
        }
    }

    /// Starts a Lua-side dispatch of `event`: its arrays and length, after `prepare`.
    pub(crate) fn begin_dispatch(
        &mut self,
        event: EventId,
    ) -> Option<(mlua::Table, mlua::Table, usize, u64)> {
        self.prepare(event);
        let list = self.by_event.get_mut(event.0 as usize)?;
        let (fns, selves, n) = list.begin(&self.lua)?;
        Some((fns, selves, n, list.seq))
    }

    /// Ends a dispatch started with [`HandlerRegistry::begin_dispatch`].
    pub(crate) fn end_dispatch(&mut self, event: EventId) {
        if let Some(list) = self.by_event.get_mut(event.0 as usize) {
            list.end();
        }
    }

    /// Live entries of `event`'s list between Lua indices `first` and `last`.
    pub(crate) fn live_between(&self, event: EventId, first: usize, last: usize) -> u64 {
        self.by_event.get(event.0 as usize).map_or(0, |list| {
            crate::dispatch_list::live_between(list, first, last)
        })
    }

    /// The handler that was at Lua index `index` of `event`'s list, listed or not since.
    pub(crate) fn listed_any(&self, event: EventId, index: usize) -> Option<HandlerKey> {
        let slot = self
            .by_event
            .get(event.0 as usize)?
            .ever_at(index.checked_sub(1)?)?;
        Some(HandlerKey {
            slot,
            runtime: self.runtime(),
        })
    }
}
