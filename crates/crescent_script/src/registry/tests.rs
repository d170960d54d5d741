//! Unit tests of the registry's invariants.

use bevy_ecs::entity::Entity;
use mlua::Lua;

use super::*;

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
        self.registry.insert_instance(entity(index), spawn, 0, this)
    }

    fn handler(&mut self, instance: InstanceKey, event: &str) -> HandlerKey {
        let func = self.lua.create_function(|_, ()| Ok(())).expect("function");
        let event = self.registry.event_id(event);
        self.registry
            .insert_handler(instance, event, func, false)
            .expect("live instance")
    }

    fn order(&mut self, event: &str) -> Vec<HandlerKey> {
        let event = self.registry.event_id(event);
        self.registry.dispatch_order(event).expect("mirror writes")
    }
}

#[test]
fn pending_instances_are_not_dispatched_until_activated() {
    let mut f = Fixture::new();
    let inst = f.instance(1, 1);
    let key = f.handler(inst, "update");
    assert!(f.order("update").is_empty());
    f.registry.activate(inst).expect("live");
    assert_eq!(f.order("update"), [key]);
    f.registry.activate(inst).expect("idempotent");
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
        f.registry.activate(inst).expect("live");
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
    f.registry.activate(one).expect("live");
    f.registry.activate(two).expect("live");
    let removed = f.registry.remove_instance(two).expect("live");
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

    f.registry.remove_handler(k1).expect("live");
    assert_eq!(f.registry.instance(one).map(|i| i.handlers.len()), Ok(0));
    assert_eq!(
        f.registry.remove_handler(k1).map(|_| ()).map_err(stale),
        Err(Some(StaleKey::Removed))
    );
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
    assert_eq!(b.registry.handler_count(), 1);
}

#[test]
fn detaching_is_idempotent_and_remembers_whether_final_is_owed() {
    let mut f = Fixture::new();
    let pending = f.instance(1, 1);
    let active = f.instance(2, 2);
    f.registry.activate(active).expect("live");
    assert_eq!(f.registry.begin_detach(pending, false).ok(), Some(false));
    assert_eq!(f.registry.begin_detach(active, false).ok(), Some(true));
    assert_eq!(
        f.registry.begin_detach(active, false).ok(),
        Some(false),
        "second detach owes nothing more"
    );
    assert_eq!(
        f.registry.instance(active).map(|i| i.state),
        Ok(InstanceState::Detaching { was_active: true })
    );
}
