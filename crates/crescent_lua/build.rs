//! Builds Lua 5.4.9 (the sources `lua-src` ships, vendored in `lua-5.4.9/`) with crescent's
//! changes: `native/crescent_user.h` (fixed hash seed, the resume shim, the limits on
//! single C calls), the budgeted string and table libraries, and `native/crescent.c`;
//! and the stock string library once more, for benchmarks.

use std::{env, path::Path};

fn main() {
    let lua = Path::new("lua-5.4.9");
    let native = Path::new("native");
    println!("cargo:rerun-if-changed={}", lua.display());
    println!("cargo:rerun-if-changed={}", native.display());

    let target = env::var("TARGET").unwrap_or_default();
    let debug = env::var("PROFILE").as_deref() == Ok("debug");

    // The stock string library a second time, every crescent edit compiled out and
    // `luaopen_string` renamed: benchmarks compare the budgeted library with it.
    // (Before the library it calls into, for linkers that read archives once.)
    configure(&mut cc::Build::new(), lua, native, &target, debug)
        .define("CRESCENT_STOCK_STRLIB", None)
        .define("luaopen_string", "crescent_luaopen_string_stock")
        .file(lua.join("lstrlib.c"))
        .compile("crescent_lua54_stock_strlib");

    let sources = std::fs::read_dir(lua)
        .map(|dir| {
            dir.filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|path| path.extension().is_some_and(|ext| ext == "c"))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let mut sources = sources;
    sources.sort();
    assert!(!sources.is_empty(), "no Lua sources in {}", lua.display());
    configure(&mut cc::Build::new(), lua, native, &target, debug)
        .files(sources)
        .file(native.join("crescent.c"))
        .file(native.join("crescent_limits.c"))
        .compile("crescent_lua54");
}

/// The options every Lua source is compiled with.
fn configure<'a>(
    build: &'a mut cc::Build,
    lua: &Path,
    native: &Path,
    target: &str,
    debug: bool,
) -> &'a mut cc::Build {
    build
        .include(lua)
        .include(native)
        .define("LUA_USER_H", "\"crescent_user.h\"")
        .define("LUA_COMPAT_5_3", None)
        .warnings(false)
        .flag_if_supported("-fno-common");
    if target.contains("linux") || target.contains("bsd") {
        build.define("LUA_USE_LINUX", None);
    } else if target.contains("apple-darwin") {
        build.define("LUA_USE_MACOSX", None);
    } else if target.contains("apple-ios") {
        build.define("LUA_USE_IOS", None);
    } else if target.contains("windows") {
        build.define("LUA_USE_WINDOWS", None);
    } else {
        build.define("LUA_USE_POSIX", None);
    }
    if debug {
        // Lua checks every API call's arguments: misuse aborts in tests instead of
        // corrupting memory.
        build.define("LUA_USE_APICHECK", None);
    }
    build
}
