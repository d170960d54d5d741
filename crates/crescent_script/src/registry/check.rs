//! The registry's invariants, all checked at once (for the unit tests).

use super::*;

impl HandlerRegistry {
    /// Asserts every invariant in the module doc (and the dispatch lists' own): panics
    /// naming the first one broken. For the unit tests, after every mutation.
    pub(crate) fn check(&self) {
        use std::collections::HashSet;

        // Events: every interned name has a list, listed unless it is a lifecycle event.
        for (index, list) in self.lists.iter().enumerate() {
            let id = EventId(u32::try_from(index).expect("event index fits u32"));
            let name = self.events.name(id);
            assert_eq!(self.events.find(name), Some(id), "event {index} interned");
            assert_eq!(
                list.is_listed(),
                !UNLISTED_EVENTS.contains(&name),
                "event '{name}' is listed unless it is a lifecycle event"
            );
        }

        // Handlers: the instance is registered (a detaching one keeps its handlers until
        // it is removed) and lists the handler; a handler is listed iff its instance is
        // active and its event listed.
        let mut listed_handlers = 0;
        for (slot, entry) in &self.handlers {
            let key = self.handler_key(slot);
            let inst = self
                .instance(entry.instance)
                .unwrap_or_else(|err| panic!("handler {key:?}: its instance is {err}"));
            assert!(
                inst.handlers.contains(&key),
                "handler {key:?}: its instance does not list it"
            );
            assert_eq!(entry.owner, inst.entity, "handler {key:?}: owner");
            assert_eq!(
                entry.this.to_pointer(),
                inst.this.to_pointer(),
                "handler {key:?}: self"
            );
            assert_eq!(
                (entry.order.spawn, entry.order.instance),
                (inst.spawn, inst.seq),
                "handler {key:?}: order"
            );
            let list = self
                .lists
                .get(entry.event.index())
                .unwrap_or_else(|| panic!("handler {key:?}: its event has no list"));
            if inst.state == InstanceState::Active && list.is_listed() {
                assert!(
                    list.holds(entry.pos, slot),
                    "handler {key:?} of an active instance: not live at its pos {}",
                    entry.pos
                );
                listed_handlers += 1;
            } else {
                assert_eq!(
                    entry.pos, UNLISTED,
                    "handler {key:?}: listed though its instance is {:?} or its event unlisted",
                    inst.state
                );
            }
        }

        // Instances: their handlers resolve, back to them, once each; `selves` maps them.
        let mut owned = 0;
        for (slot, inst) in &self.instances {
            let key = InstanceKey {
                slot,
                runtime: self.runtime,
            };
            let unique: HashSet<HandlerKey> = inst.handlers.iter().copied().collect();
            assert_eq!(
                unique.len(),
                inst.handlers.len(),
                "instance {key:?} lists a handler twice"
            );
            for &handler in &inst.handlers {
                let entry = self
                    .handler(handler)
                    .unwrap_or_else(|err| panic!("instance {key:?}: handler {handler:?} is {err}"));
                assert_eq!(entry.instance, key, "handler {handler:?}: instance");
            }
            owned += inst.handlers.len();
            assert_eq!(
                self.selves.get(&(inst.this.to_pointer() as usize)),
                Some(&key),
                "instance {key:?}: selves"
            );
        }
        assert_eq!(owned, self.handlers.len(), "handlers owned by instances");
        assert_eq!(self.selves.len(), self.instances.len(), "selves count");
        assert_eq!(self.handler_count(), self.handlers.len());
        assert_eq!(self.instance_count(), self.instances.len());

        // Lists: live entries are listed handlers at their pos; tombstones counted and
        // mirrored as `false`; the mirror holds exactly the entries; `sorted` is true.
        let lua = self.lua.try_upgrade();
        let mut live_entries = 0;
        for (index, list) in self.lists.iter().enumerate() {
            let mut dead = 0;
            let mut previous: Option<Order> = None;
            let mirror = list.mirror();
            if lua.is_some() && list.len() > 0 {
                assert!(mirror.is_some(), "list {index}: entries but no Lua arrays");
            }
            for (pos, (order, slot, live)) in list.entries().enumerate() {
                if list.is_sorted()
                    && let Some(previous) = previous
                {
                    assert!(previous <= order, "list {index}: marked sorted but is not");
                }
                previous = Some(order);
                let (fn_at, self_at) = match (&mirror, &lua) {
                    (Some((fns, selves)), Some(_)) => (
                        Some(fns.raw_get::<mlua::Value>(pos + 1).expect("fns read")),
                        Some(selves.raw_get::<mlua::Value>(pos + 1).expect("selves read")),
                    ),
                    _ => (None, None),
                };
                if !live {
                    dead += 1;
                    if let (Some(fn_at), Some(self_at)) = (fn_at, self_at) {
                        assert!(
                            matches!(fn_at, mlua::Value::Boolean(false)),
                            "list {index}: tombstone at {pos} mirrored as {fn_at:?}"
                        );
                        assert!(self_at.is_nil(), "list {index}: tombstone self at {pos}");
                    }
                    continue;
                }
                live_entries += 1;
                let entry = self
                    .handlers
                    .get(slot)
                    .unwrap_or_else(|| panic!("list {index}: live entry {pos} is removed"));
                assert_eq!(
                    entry.event.index(),
                    index,
                    "list {index}: entry {pos} event"
                );
                assert_eq!(entry.pos, pos, "list {index}: entry {pos} pos");
                assert_eq!(entry.order, order, "list {index}: entry {pos} order");
                if let (Some(fn_at), Some(self_at)) = (fn_at, self_at) {
                    assert_eq!(
                        fn_at.as_function(),
                        Some(&entry.func),
                        "list {index}: fns[{}]",
                        pos + 1
                    );
                    assert_eq!(
                        self_at.as_table().map(Table::to_pointer),
                        Some(entry.this.to_pointer()),
                        "list {index}: selves[{}]",
                        pos + 1
                    );
                }
            }
            assert_eq!(dead, list.tombstones(), "list {index}: tombstone count");
            if let (Some((fns, selves)), Some(_)) = (&mirror, &lua) {
                let past = list.len() + 1;
                assert!(
                    fns.raw_get::<mlua::Value>(past).expect("fns read").is_nil()
                        && selves
                            .raw_get::<mlua::Value>(past)
                            .expect("selves read")
                            .is_nil(),
                    "list {index}: the mirror holds more than the entries"
                );
                assert_eq!(fns.raw_len(), list.len(), "list {index}: fns length");
            }
        }
        assert_eq!(
            live_entries, listed_handlers,
            "live list entries are exactly the listed handlers"
        );
    }
}
