//! Unit tests of `error`.
use mlua::{ErrorContext, Lua};

use super::*;

/// The error running `code` (chunk name `chunk`) raises.
fn raise(lua: &Lua, code: &str) -> mlua::Error {
    lua.load(code)
        .set_name("=chunk")
        .exec()
        .expect_err("the code raises")
}

/// A Lua state with `f()`, a Rust function that fails with `inner`, and `g()`, a Rust
/// function that runs Lua code calling `f()`.
fn with_callbacks() -> Lua {
    let lua = Lua::new();
    let f = lua
        .create_function(|_, ()| Err::<(), _>(mlua::Error::runtime("inner")))
        .expect("function");
    let g = lua
        .create_function(|lua, ()| lua.load("f()").set_name("=nested").exec())
        .expect("function");
    let budget = lua
        .create_function(|_, ()| {
            Err::<(), _>(mlua::Error::external(BudgetExceeded::Instructions(5)))
        })
        .expect("function");
    let globals = lua.globals();
    globals.set("f", f).expect("global");
    globals.set("g", g).expect("global");
    globals.set("budget", budget).expect("global");
    lua
}

#[test]
fn a_runtime_error_splits_at_the_traceback() {
    let lua = Lua::new();
    let err = raise(&lua, "local x = 1\nerror('boom')");
    let (message, traceback) = split_lua_error(&err);
    assert_eq!(message, "chunk:2: boom");
    assert!(
        !traceback.starts_with("stack traceback:") && traceback.contains("chunk:2: in main chunk"),
        "{traceback:?}"
    );
    assert!(!message.contains('\n'));

    let text = mlua::Error::runtime("a: b\nstack traceback:\n\t[C]: in ?");
    assert_eq!(
        split_lua_error(&text),
        ("a: b".to_owned(), "\t[C]: in ?".to_owned())
    );
    let plain = mlua::Error::runtime("no traceback here\nsecond line");
    assert_eq!(
        split_lua_error(&plain),
        ("no traceback here\nsecond line".to_owned(), String::new())
    );
}

#[test]
fn syntax_and_memory_errors_have_no_traceback() {
    let lua = Lua::new();
    let err = raise(&lua, "x = = 1");
    assert!(matches!(err, mlua::Error::SyntaxError { .. }));
    assert_eq!(
        split_lua_error(&err),
        (
            "chunk:1: unexpected symbol near '='".to_owned(),
            String::new()
        )
    );

    lua.set_memory_limit(1).expect("memory control");
    let err = lua.create_table().expect_err("out of memory");
    lua.set_memory_limit(0).expect("memory control");
    assert!(matches!(err, mlua::Error::MemoryError(_)), "{err:?}");
    assert_eq!(
        split_lua_error(&err),
        ("not enough memory".to_owned(), String::new())
    );
}

#[test]
fn a_callback_error_gives_its_root_cause_and_the_outer_traceback() {
    let lua = with_callbacks();
    let err = raise(&lua, "f()");
    let mlua::Error::CallbackError { traceback, .. } = &err else {
        panic!("expected a callback error, got {err:?}");
    };
    let header = "stack traceback:\n";
    let bare = traceback
        .strip_prefix(header)
        .expect("mlua's traceback header");
    assert_eq!(
        split_lua_error(&err),
        ("chunk:1: f: inner".to_owned(), bare.to_owned()),
        "the script line and the function called, and one traceback format: without \
         the header, as for runtime errors"
    );
    assert!(bare.contains("chunk:1: in main chunk"), "{bare:?}");

    // Rust -> Lua -> Rust: the innermost cause, and the outermost traceback.
    let err = raise(&lua, "g()");
    let mlua::Error::CallbackError { traceback, cause } = &err else {
        panic!("expected a callback error, got {err:?}");
    };
    assert!(matches!(**cause, mlua::Error::CallbackError { .. }));
    let (message, split_traceback) = split_lua_error(&err);
    assert_eq!(message, "chunk:1: g: inner");
    assert_eq!(
        Some(split_traceback.as_str()),
        traceback.strip_prefix(header)
    );
    assert!(!split_traceback.contains("nested:1"), "the outer traceback");

    // A callback whose Lua code raised: the message without the inner traceback.
    let h = lua
        .create_function(|lua, ()| lua.load("error('deep')").set_name("=inner").exec())
        .expect("function");
    lua.globals().set("h", h).expect("global");
    let (message, _) = split_lua_error(&raise(&lua, "h()"));
    assert_eq!(message, "inner:1: deep");
}

#[test]
fn context_prefixes_the_message_and_keeps_the_traceback() {
    let lua = with_callbacks();
    let err = lua
        .load("error('boom')")
        .set_name("=chunk")
        .exec()
        .context("loading a.lua")
        .expect_err("the code raises");
    let (message, traceback) = split_lua_error(&err);
    assert_eq!(message, "loading a.lua: chunk:1: boom");
    assert!(
        traceback.contains("chunk:1: in main chunk"),
        "{traceback:?}"
    );

    // Context inside a callback's error, under context: each level prefixes. (mlua's
    // `context` replaces an outer context, so the inner one comes from a callback.)
    let stepped = lua
        .create_function(|lua, ()| lua.load("f()").exec().context("inner step"))
        .expect("function");
    lua.globals().set("stepped", stepped).expect("global");
    let err = lua
        .load("stepped()")
        .set_name("=chunk")
        .exec()
        .context("outer step")
        .expect_err("the code raises");
    let (message, traceback) = split_lua_error(&err);
    assert_eq!(
        message, "outer step: chunk:1: inner step: chunk:1: stepped: inner",
        "each level prefixed, each callback's error placed at its caller's line"
    );
    assert!(
        traceback.contains("in function 'stepped'"),
        "the outermost callback's traceback: {traceback:?}"
    );
}

#[test]
fn error_objects_are_described_without_addresses() {
    let lua = Lua::new();
    let cases = [
        ("error({})", "(error object is a table value)"),
        ("error(nil)", "(error object is a nil value)"),
        ("error()", "(error object is a nil value)"),
        ("error(print)", "(error object is a function value)"),
        (
            "error(coroutine.create(print))",
            "(error object is a thread value)",
        ),
        (
            "error(setmetatable({}, { __tostring = function() return 'custom' end }))",
            "custom",
        ),
        ("error(42)", "42"),
        ("error(true)", "true"),
    ];
    for (code, want) in cases {
        let (message, traceback) = split_lua_error(&raise(&lua, code));
        assert_eq!(message, want, "{code}");
        assert!(!traceback.is_empty(), "{code}: the traceback is kept");
    }
    // Scripts cannot make a bare userdata; as Lua prints one:
    let userdata = mlua::Error::runtime("userdata: 0x55d0c0ffee10\nstack traceback:\n\t?");
    assert_eq!(
        split_lua_error(&userdata).0,
        "(error object is a userdata value)"
    );
    // Only a whole `kind: 0x<hex>` message is an address.
    for text in [
        "table: 0x",
        "table: 0xzz",
        "table: 0x1f and more",
        "chunk:1: table: 0x1f",
        "tables: 0x1f",
        "nil value",
    ] {
        assert_eq!(split_lua_error(&mlua::Error::runtime(text)).0, text);
    }
}

#[test]
fn an_exceeded_budget_is_fatal_through_callbacks_and_context() {
    let lua = with_callbacks();
    let err = raise(&lua, "budget()");
    assert!(matches!(err, mlua::Error::CallbackError { .. }), "{err:?}");
    assert!(is_fatal(&err));
    assert_eq!(
        split_lua_error(&err).0,
        "chunk:1: instruction budget exceeded (5 instructions)"
    );
    let wrapped = lua
        .load("budget()")
        .exec()
        .context("in update")
        .expect_err("raises");
    assert!(is_fatal(&wrapped));
    assert!(is_fatal(&mlua::Error::external(
        BudgetExceeded::Instructions(1)
    )));
    // Rust -> Lua -> Rust, under context: WithContext(Callback(Callback(External))).
    let outer = lua
        .create_function(|lua, ()| lua.load("budget()").exec())
        .expect("function");
    lua.globals().set("outer", outer).expect("global");
    let nested = lua
        .load("outer()")
        .exec()
        .context("in update")
        .expect_err("raises");
    let mlua::Error::WithContext { cause, .. } = &nested else {
        panic!("expected context, got {nested:?}");
    };
    let mlua::Error::CallbackError { cause, .. } = &**cause else {
        panic!("expected a callback error, got {cause:?}");
    };
    assert!(
        matches!(**cause, mlua::Error::CallbackError { .. }),
        "{cause:?}"
    );
    assert!(is_fatal(&nested));

    assert!(!is_fatal(&raise(&lua, "f()")));
    assert!(!is_fatal(&mlua::Error::runtime(
        "instruction budget exceeded (5 instructions)"
    )));
    assert!(!is_fatal(&mlua::Error::external(StaleKey::Removed)));
    assert!(!is_fatal(&raise(&lua, "error('boom')")));
}

#[test]
fn api_errors_are_placed_at_the_script_line_that_called_past_crescents_own_frames() {
    let traceback = "\t[C]: in upvalue 'write'\n\
                     \tcrescent:entity.set:5: in function <crescent:entity.set:2>\n\
                     \tcrescent:entity:20: in method 'set'\n\
                     \tscripts/bad.lua:4: in local 'f'\n\
                     \tcrescent:dispatch:9: in function <crescent:dispatch:2>";
    assert_eq!(
        super::locate("bad value".to_owned(), traceback),
        "scripts/bad.lua:4: set: bad value"
    );
    assert_eq!(
        super::locate(
            "e:send: no".to_owned(),
            "\t[C]: in method 'send'\n\ts.lua:7: in main chunk"
        ),
        "s.lua:7: e:send: no",
        "a message that names the function already is not named twice"
    );
    assert_eq!(
        super::locate("s.lua:2: placed".to_owned(), "\tother.lua:9: in main chunk"),
        "s.lua:2: placed",
        "a message that has a place keeps it"
    );
    assert_eq!(
        super::locate("nowhere".to_owned(), "\t[C]: in ?\n\tsrc/x.rs:1:5: in ?"),
        "nowhere",
        "no Lua frame, no place"
    );
}
