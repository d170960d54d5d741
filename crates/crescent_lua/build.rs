//! Builds Lua 5.4.9 (the sources `lua-src` ships, vendored in `lua-5.4.9/`) with crescent's
//! changes: `native/crescent_user.h` (fixed hash seed, the resume shim), the budgeted
//! string and table libraries, and `native/crescent.c`.

use std::{env, path::Path};

fn main() {
    let lua = Path::new("lua-5.4.9");
    let native = Path::new("native");
    println!("cargo:rerun-if-changed={}", lua.display());
    println!("cargo:rerun-if-changed={}", native.display());

    let target = env::var("TARGET").unwrap_or_default();
    let mut build = cc::Build::new();
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
    if env::var("PROFILE").as_deref() == Ok("debug") {
        // Lua checks every API call's arguments: misuse aborts in tests instead of
        // corrupting memory.
        build.define("LUA_USE_APICHECK", None);
    }
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
    build.files(sources).file(native.join("crescent.c"));
    build.compile("crescent_lua54");
}
