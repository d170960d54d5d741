//! Unit tests of dispatch runs: sorting, tombstones, the Lua mirror arrays, and what
//! happens when memory runs out mid-change.

use mlua::{Function, Lua, Value};

use super::*;

/// `fns[1..=len]` of a run: `Some(function)` for a live entry, `None` for `false`.
fn mirrored_fns(run: &ListRun) -> Vec<Option<Function>> {
    (1..=run.len)
        .map(|i| match run.fns.raw_get::<Value>(i).expect("fns read") {
            Value::Function(func) => Some(func),
            Value::Boolean(false) => None,
            other => panic!("fns[{i}] is {other:?}, neither a function nor false"),
        })
        .collect()
}

/// `selves[1..=len]` of a run, by table address (`None` for nil).
fn mirrored_selves(run: &ListRun) -> Vec<Option<usize>> {
    (1..=run.len)
        .map(
            |i| match run.selves.raw_get::<Value>(i).expect("selves read") {
                Value::Table(this) => Some(this.to_pointer() as usize),
                Value::Nil => None,
                other => panic!("selves[{i}] is {other:?}, neither a table nor nil"),
            },
        )
        .collect()
}

#[test]
fn out_of_order_insertion_is_sorted_at_the_next_begin_dispatch() {
    let mut f = Fixture::new();
    let late = f.active_with(2, 20, "update", 2);
    let early = f.active_with(1, 10, "update", 1);
    let ev = f.registry.event_id("update").unwrap();
    let arrived: Vec<HandlerSlot> = f.list(ev).entries().map(|(_, slot, _)| slot).collect();
    assert_eq!(
        arrived,
        [late[0].slot, late[1].slot, early[0].slot],
        "appended in arrival order"
    );
    assert!(!f.list(ev).is_sorted());
    let before = f.list(ev).mirror().expect("arrays").0.to_pointer();

    let run = f.begin(ev);
    let expected = [early[0], late[0], late[1]];
    assert_eq!(run.len, 3);
    assert_eq!(
        mirrored_fns(&run),
        f.funcs(&expected).into_iter().map(Some).collect::<Vec<_>>()
    );
    let selves: Vec<Option<usize>> = expected
        .iter()
        .map(|&key| Some(f.registry.handler(key).expect("live").this.to_pointer() as usize))
        .collect();
    assert_eq!(mirrored_selves(&run), selves);
    assert_ne!(run.fns.to_pointer(), before, "rebuilt into fresh arrays");
    assert!(f.list(ev).is_sorted());
    f.end(ev);

    let again = f.begin(ev);
    assert_eq!(
        again.fns.to_pointer(),
        run.fns.to_pointer(),
        "a list in order is not rebuilt"
    );
    assert_eq!(again.seq, run.seq + 1);
    f.end(ev);
}

#[test]
fn tombstones_are_compacted_once_they_outnumber_live_entries() {
    let mut f = Fixture::new();
    let keys = f.active_with(1, 1, "update", 40);
    let ev = f.registry.event_id("update").unwrap();
    let arrays = f.list(ev).mirror().expect("arrays").0.to_pointer();
    for &key in &keys[..20] {
        f.remove_handler(key);
    }
    assert_eq!(
        (f.list(ev).len(), f.list(ev).tombstones()),
        (40, 20),
        "half tombstones: kept"
    );
    assert_eq!(f.list(ev).mirror().expect("arrays").0.to_pointer(), arrays);

    f.remove_handler(keys[20]);
    assert_eq!(
        (f.list(ev).len(), f.list(ev).tombstones()),
        (19, 0),
        "more tombstones than live entries: compacted at once"
    );
    assert_ne!(f.list(ev).mirror().expect("arrays").0.to_pointer(), arrays);
    assert_eq!(f.order("update"), keys[21..]);
    let run = f.begin(ev);
    assert_eq!(run.len, 19);
    assert!(mirrored_fns(&run).iter().all(Option::is_some));
    f.end(ev);
}

#[test]
fn short_lists_keep_their_tombstones() {
    let mut f = Fixture::new();
    let keys = f.active_with(1, 1, "update", 8);
    let ev = f.registry.event_id("update").unwrap();
    for &key in &keys[..7] {
        f.remove_handler(key);
    }
    // 7 tombstones of 8, but under the floor of 16 entries a rebuild is not worth it.
    assert_eq!((f.list(ev).len(), f.list(ev).tombstones()), (8, 7));
    let run = f.begin(ev);
    assert_eq!(run.len, 8);
    let live: Vec<bool> = mirrored_fns(&run).iter().map(Option::is_some).collect();
    assert_eq!(
        live,
        [false, false, false, false, false, false, false, true]
    );
    f.end(ev);
}

#[test]
fn mirror_arrays_follow_the_live_order_with_false_for_tombstones() {
    let mut f = Fixture::new();
    let one = f.active_with(1, 1, "update", 2);
    let two = f.active_with(2, 2, "update", 2);
    let _ping = f.active_with(3, 3, "ping", 1);
    let ev = f.registry.event_id("update").unwrap();
    let this = |f: &Fixture, key: HandlerKey| {
        Some(f.registry.handler(key).expect("live").this.to_pointer() as usize)
    };
    let (s1, s2) = (this(&f, one[0]), this(&f, two[0]));
    assert_ne!(s1, s2);

    let run = f.begin(ev);
    let all = [one[0], one[1], two[0], two[1]];
    let funcs = f.funcs(&all);
    assert_eq!(
        mirrored_fns(&run),
        funcs.iter().cloned().map(Some).collect::<Vec<_>>()
    );
    assert_eq!(mirrored_selves(&run), [s1, s1, s2, s2]);
    f.end(ev);

    f.remove_handler(one[1]);
    let run = f.begin(ev);
    assert_eq!(run.len, 4, "one tombstone does not rebuild");
    assert_eq!(
        mirrored_fns(&run),
        [
            Some(funcs[0].clone()),
            None,
            Some(funcs[2].clone()),
            Some(funcs[3].clone())
        ]
    );
    assert_eq!(mirrored_selves(&run), [s1, None, s2, s2]);
    f.end(ev);

    let inst = f.registry.handler(two[0]).expect("live").instance;
    f.registry.begin_detach(inst, false).expect("live");
    f.registry.check();
    let run = f.begin(ev);
    assert_eq!(
        mirrored_fns(&run),
        [Some(funcs[0].clone()), None, None, None]
    );
    assert_eq!(mirrored_selves(&run), [s1, None, None, None]);
    f.end(ev);
}

#[test]
fn listed_any_names_a_handler_after_it_was_tombstoned() {
    let mut f = Fixture::new();
    let keys = f.active_with(1, 5, "update", 3);
    let ev = f.registry.event_id("update").unwrap();
    assert_eq!(f.registry.listed_any(ev, 2), Some(keys[1]));
    f.remove_handler(keys[1]);
    assert!(f.registry.handler(keys[1]).is_err());
    assert_eq!(
        f.registry.listed_any(ev, 2),
        Some(keys[1]),
        "a tombstone still names its handler"
    );
    assert_eq!(f.registry.listed_any(ev, 0), None, "Lua indices start at 1");
    assert_eq!(f.registry.listed_any(ev, 4), None);
    assert_eq!(f.registry.listed_any(EventId(99), 1), None);

    // Out of order: the next dispatch rebuilds, and the indices name the new occupants.
    let early = f.active_with(2, 1, "update", 1);
    let run = f.begin(ev);
    assert_eq!(run.len, 3);
    let named: Vec<Option<HandlerKey>> = (1..=4).map(|i| f.registry.listed_any(ev, i)).collect();
    assert_eq!(named, [Some(early[0]), Some(keys[0]), Some(keys[2]), None]);
    f.end(ev);
}

#[test]
fn live_between_counts_live_entries_in_a_lua_index_range() {
    let mut f = Fixture::new();
    let keys = f.active_with(1, 1, "update", 6);
    let ev = f.registry.event_id("update").unwrap();
    assert_eq!(f.registry.live_between(ev, 1, 6), 6);
    f.remove_handler(keys[1]);
    f.remove_handler(keys[3]);
    // Lua indices 2 and 4 are tombstones now.
    let cases = [
        ((1, 6), 4),
        ((2, 4), 1),
        ((2, 2), 0),
        ((3, 3), 1),
        ((5, 100), 2),
        ((0, 3), 2),
        ((4, 3), 0),
        ((7, 9), 0),
    ];
    for ((first, last), want) in cases {
        assert_eq!(
            f.registry.live_between(ev, first, last),
            want,
            "live_between({first}, {last})"
        );
    }
    assert_eq!(f.registry.live_between(EventId(99), 1, 6), 0);
}

#[test]
fn a_dispatch_in_progress_is_not_rebuilt() {
    let mut f = Fixture::new();
    let keys = f.active_with(5, 5, "update", 20);
    let ev = f.registry.event_id("update").unwrap();
    let run = f.begin(ev);
    assert!(f.list(ev).is_active());
    assert_eq!(run.len, 20);

    // An addition (out of order, even) is appended after `len`: the loop does not see it.
    let early = f.active_with(1, 1, "update", 1);
    let early_fn = f.funcs(&early).remove(0);
    assert_eq!(
        run.fns
            .raw_get::<Value>(21)
            .expect("fns read")
            .as_function(),
        Some(&early_fn)
    );
    assert_eq!(f.list(ev).len(), 21);

    // Removals land in the running arrays at once, and compaction waits.
    for &key in &keys[..15] {
        f.remove_handler(key);
    }
    assert_eq!((f.list(ev).len(), f.list(ev).tombstones()), (21, 15));
    assert_eq!(
        f.list(ev).mirror().expect("arrays").0.to_pointer(),
        run.fns.to_pointer(),
        "the running arrays are kept"
    );
    assert!(mirrored_fns(&run)[..15].iter().all(Option::is_none));
    assert!(mirrored_fns(&run)[15..].iter().all(Option::is_some));
    assert_eq!(f.registry.dispatch_order(ev).map(|o| o.len()).ok(), Some(6));
    assert_eq!(
        f.list(ev).len(),
        21,
        "dispatch_order does not rebuild mid-dispatch"
    );
    f.end(ev);

    let next = f.begin(ev);
    assert_ne!(next.fns.to_pointer(), run.fns.to_pointer());
    assert_eq!(next.len, 6);
    assert_eq!(next.seq, run.seq + 1);
    let mut expected = early.clone();
    expected.extend_from_slice(&keys[15..]);
    assert_eq!(
        mirrored_fns(&next),
        f.funcs(&expected).into_iter().map(Some).collect::<Vec<_>>()
    );
    f.end(ev);
}

/// Sets the memory limit far below what is in use, so every allocation from now on fails
/// (a limit of exactly the memory in use is not enough: the emergency collection Lua runs
/// on a failed allocation can shrink its string table and make room). Returns the limit.
fn exhaust_memory(lua: &Lua) -> usize {
    let limit = 1;
    assert!(lua.used_memory() > limit);
    lua.set_memory_limit(limit).expect("memory control");
    assert!(lua.create_table().is_err(), "the memory limit is exhausted");
    limit
}

#[test]
fn a_tombstone_lands_when_the_memory_limit_is_exhausted() {
    let mut f = Fixture::new();
    let keys = f.active_with(1, 1, "update", 3);
    let ev = f.registry.event_id("update").unwrap();
    let run = f.begin(ev);
    f.end(ev);
    let limit = exhaust_memory(&f.lua);
    f.registry
        .remove_handler(keys[1])
        .expect("a tombstone needs no memory");
    assert_eq!(
        f.lua.set_memory_limit(0).expect("memory control"),
        limit,
        "the limit is as it was"
    );
    f.registry.check();
    assert!(matches!(
        run.fns.raw_get::<Value>(2).expect("fns read"),
        Value::Boolean(false)
    ));
    assert!(
        run.selves
            .raw_get::<Value>(2)
            .expect("selves read")
            .is_nil()
    );
}

#[test]
fn an_append_lands_when_the_memory_limit_is_exhausted() {
    let mut f = Fixture::new();
    let _keys = f.active_with(1, 1, "update", 4);
    let ev = f.registry.event_id("update").unwrap();
    let run = f.begin(ev);
    f.end(ev);
    let inst = f.instance(2, 2);
    let extra = f.handler(inst, "update");
    // Same shape as the mirror: four entries, so a fifth must grow it.
    let probe = f.lua.create_sequence_from([1, 2, 3, 4]).expect("table");
    let limit = exhaust_memory(&f.lua);
    assert!(
        probe.raw_set(5, 5).is_err(),
        "growing a four-entry array needs memory"
    );
    f.registry
        .activate(inst)
        .expect("mirror writes retry without the limit");
    assert_eq!(f.lua.set_memory_limit(0).expect("memory control"), limit);
    f.registry.check();
    assert_eq!(
        run.fns.raw_get::<Value>(5).expect("fns read").as_function(),
        Some(&f.funcs(&[extra])[0])
    );
}

/// A compaction under an exhausted memory limit must not lose the live handlers: the
/// rebuild is all or nothing, and its new arrays are made with the limit lifted.
#[test]
fn a_compaction_that_runs_out_of_memory_loses_no_handler() {
    let mut f = Fixture::new();
    let keys = f.active_with(1, 1, "update", 40);
    for &key in &keys[..20] {
        f.remove_handler(key);
    }
    let limit = exhaust_memory(&f.lua);
    // The 21st tombstone triggers a compaction, which needs two new tables.
    f.registry
        .remove_handler(keys[20])
        .expect("the removal lands");
    assert_eq!(f.lua.set_memory_limit(0).expect("memory control"), limit);
    f.registry.check();
    let registered: Vec<HandlerKey> = keys[20..]
        .iter()
        .copied()
        .filter(|&key| f.registry.handler(key).is_ok())
        .collect();
    assert_eq!(registered.len(), 19);
    assert_eq!(f.order("update"), registered);
}
