//! Unit tests of the registry's invariants: entries and keys here, dispatch runs in
//! [`runs`].

use bevy_ecs::entity::Entity;
use mlua::Lua;

use super::{dispatch_list::EventList, runs::ListRun, *};

fn stale(err: CrescentError) -> Option<StaleKey> {
    match err {
        CrescentError::Stale(stale) => Some(stale),
        _ => None,
    }
}

fn entity(index: u32) -> Entity {
    Entity::from_raw_u32(index).expect("valid index")
}

struct Fixture {
    lua: Lua,
    registry: HandlerRegistry,
}

impl Fixture {
    fn new() -> Self {
        let lua = Lua::new();
        let registry = HandlerRegistry::new(RuntimeId::next(), lua.weak());
        Self { lua, registry }
    }

    fn instance(&mut self, index: u32, spawn: u64) -> InstanceKey {
        let this = self.lua.create_table().expect("table");
        let key = self.registry.insert_instance(entity(index), spawn, 0, this);
        self.registry.check();
        key
    }

    fn handler(&mut self, instance: InstanceKey, event: &str) -> HandlerKey {
        let func = self.lua.create_function(|_, ()| Ok(())).expect("function");
        let event = self.registry.event_id(event).unwrap();
        let key = self
            .registry
            .insert_handler(instance, event, func, false)
            .expect("live instance");
        self.registry.check();
        key
    }

    fn activate(&mut self, instance: InstanceKey) {
        self.registry.activate(instance).expect("live instance");
        self.registry.check();
    }

    /// An active instance with `n` handlers of `event`.
    fn active_with(&mut self, index: u32, spawn: u64, event: &str, n: usize) -> Vec<HandlerKey> {
        let inst = self.instance(index, spawn);
        let keys = (0..n).map(|_| self.handler(inst, event)).collect();
        self.activate(inst);
        keys
    }

    fn remove_handler(&mut self, key: HandlerKey) {
        self.registry.remove_handler(key).expect("live handler");
        self.registry.check();
    }

    fn order(&mut self, event: &str) -> Vec<HandlerKey> {
        let event = self.registry.event_id(event).unwrap();
        let order = self.registry.dispatch_order(event).expect("mirror writes");
        self.registry.check();
        order
    }

    fn list(&self, event: EventId) -> &EventList {
        &self.registry.lists[event.index()]
    }

    /// The handler functions of `keys`, to compare with a mirror array.
    fn funcs(&self, keys: &[HandlerKey]) -> Vec<Function> {
        keys.iter()
            .map(|&key| self.registry.handler(key).expect("live").func.clone())
            .collect()
    }

    fn begin(&mut self, event: EventId) -> ListRun {
        let run = self
            .registry
            .begin_dispatch(event)
            .expect("mirror writes")
            .expect("the Lua state is alive");
        self.registry.check();
        run
    }

    fn end(&mut self, event: EventId) {
        self.registry.end_dispatch(event);
        self.registry.check();
    }
}

#[test]
fn pending_instances_are_not_dispatched_until_activated() {
    let mut f = Fixture::new();
    let inst = f.instance(1, 1);
    let key = f.handler(inst, "update");
    assert!(f.order("update").is_empty());
    f.activate(inst);
    assert_eq!(f.order("update"), [key]);
    f.activate(inst);
    assert_eq!(
        f.order("update"),
        [key],
        "activating twice does not index twice"
    );
}

#[test]
fn dispatch_order_is_spawn_then_attach_then_registration() {
    let mut f = Fixture::new();
    // Attached out of spawn order: the entity spawned first (spawn 1) gets its script last.
    let late = f.instance(7, 2);
    let early = f.instance(3, 1);
    let early_second = f.instance(3, 1);
    let a = f.handler(late, "update");
    let b = f.handler(early, "update");
    let c = f.handler(early_second, "update");
    for inst in [late, early, early_second] {
        f.activate(inst);
    }
    let d = f.handler(early, "update");
    assert_eq!(f.order("update"), [b, d, c, a]);
}

#[test]
fn removed_handlers_leave_the_order_and_their_keys_go_stale() {
    let mut f = Fixture::new();
    let one = f.instance(1, 1);
    let two = f.instance(2, 2);
    let k1 = f.handler(one, "update");
    let k2 = f.handler(two, "update");
    let k3 = f.handler(two, "ping");
    f.activate(one);
    f.activate(two);
    let removed = f.registry.remove_instance(two).expect("live");
    f.registry.check();
    assert_eq!(removed.handlers, [k2, k3]);
    assert_eq!(f.order("update"), [k1]);
    assert!(f.order("ping").is_empty());
    assert_eq!(f.registry.handler(k2).map(|_| ()), Err(StaleKey::Removed));
    assert_eq!(f.registry.instance(two).map(|_| ()), Err(StaleKey::Removed));
    assert_eq!(f.registry.handler_count(), 1);

    // The freed slot is reused with a new version: the old key still fails.
    let three = f.instance(3, 3);
    let k4 = f.handler(three, "update");
    assert_ne!(k4, k2);
    assert_eq!(f.registry.handler(k2).map(|_| ()), Err(StaleKey::Removed));
    assert!(f.registry.handler(k4).is_ok());

    f.remove_handler(k1);
    assert_eq!(f.registry.instance(one).map(|i| i.handlers.len()), Ok(0));
    assert_eq!(
        f.registry.remove_handler(k1).map(|_| ()).map_err(stale),
        Err(Some(StaleKey::Removed))
    );
    f.registry.check();
}

#[test]
fn keys_from_another_registry_never_resolve() {
    let mut a = Fixture::new();
    let mut b = Fixture::new();
    let ia = a.instance(1, 1);
    let ka = a.handler(ia, "update");
    let ib = b.instance(1, 1);
    let _kb = b.handler(ib, "update");
    assert_eq!(
        b.registry.handler(ka).map(|_| ()),
        Err(StaleKey::OtherRuntime)
    );
    assert_eq!(
        b.registry.instance(ia).map(|_| ()),
        Err(StaleKey::OtherRuntime)
    );
    assert_eq!(
        b.registry.remove_instance(ia).map(|_| ()).map_err(stale),
        Err(Some(StaleKey::OtherRuntime))
    );
    b.registry.check();
    assert_eq!(b.registry.handler_count(), 1);
}

#[test]
fn detaching_is_idempotent_and_remembers_whether_final_is_owed() {
    let mut f = Fixture::new();
    let pending = f.instance(1, 1);
    let active = f.instance(2, 2);
    f.activate(active);
    assert_eq!(f.registry.begin_detach(pending, false).ok(), Some(false));
    f.registry.check();
    assert_eq!(f.registry.begin_detach(active, false).ok(), Some(true));
    f.registry.check();
    assert_eq!(
        f.registry.begin_detach(active, false).ok(),
        Some(false),
        "second detach owes nothing more"
    );
    f.registry.check();
    assert_eq!(
        f.registry.instance(active).map(|i| i.state),
        Ok(InstanceState::Detaching { was_active: true })
    );
}

#[test]
fn detaching_unlists_at_once_and_removal_forgets_the_self_table() {
    let mut f = Fixture::new();
    let keys = f.active_with(1, 1, "update", 2);
    let inst = f.registry.handler(keys[0]).expect("live").instance;
    let this = f.registry.instance(inst).expect("live").this.clone();
    assert_eq!(f.registry.instance_of_self(&this), Some(inst));
    assert_eq!(f.registry.begin_detach(inst, false).ok(), Some(true));
    f.registry.check();
    assert!(
        f.order("update").is_empty(),
        "a detaching instance is not dispatched"
    );
    assert!(
        f.registry.handler(keys[0]).is_ok(),
        "its handlers live on until removal"
    );
    f.registry.remove_instance(inst).expect("live");
    f.registry.check();
    assert_eq!(f.registry.instance_of_self(&this), None);
    assert_eq!(f.registry.handler_count(), 0);
}

#[test]
fn lifecycle_handlers_are_never_listed() {
    let mut f = Fixture::new();
    let inst = f.instance(1, 1);
    let init = f.handler(inst, "init");
    let update = f.handler(inst, "update");
    f.activate(inst);
    assert!(f.order("init").is_empty());
    assert_eq!(f.order("update"), [update]);
    let ev = f.registry.event_id("init").unwrap();
    assert_eq!(f.registry.listed_any(ev, 1), None);
    assert_eq!(f.registry.handler_of(inst, "init"), Some(init));
}

mod runs;
