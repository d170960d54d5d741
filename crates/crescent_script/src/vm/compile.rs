//! The one compile rule: text chunks only (bytecode is refused), a file's chunk named
//! `@path` so errors read `scripts/mover.lua:12: ...`, syntax errors typed.

use mlua::{Function, Lua, Table, chunk::ChunkMode};

use crate::data::error::CrescentError;

/// Compiles `source` as the file `path` (chunk name `@path`) to run in `env`.
pub(crate) fn compile_file(
    lua: &Lua,
    path: &str,
    source: &[u8],
    env: Table,
) -> Result<Function, CrescentError> {
    compile(lua, &format!("@{path}"), source, env)
}

/// Compiles `source` under the chunk name `name` (Lua's own convention: `@file`, `=label`)
/// to run in `env`.
pub(crate) fn compile(
    lua: &Lua,
    name: &str,
    source: &[u8],
    env: Table,
) -> Result<Function, CrescentError> {
    lua.load(source)
        .set_name(name)
        .set_mode(ChunkMode::Text)
        .set_environment(env)
        .into_function()
        .map_err(|err| match err {
            mlua::Error::SyntaxError { message, .. } => CrescentError::Syntax { message },
            other => CrescentError::Lua(other),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytecode_is_refused_and_syntax_errors_name_the_file_and_line() -> mlua::Result<()> {
        let lua = Lua::new();
        let bytecode = lua.load("return 1").into_function()?.dump(true);
        let err = compile(&lua, "=bin", &bytecode, lua.create_table()?).err();
        assert!(
            err.is_some_and(|e| e.to_string().contains("binary")),
            "a binary chunk is refused"
        );
        let err = compile_file(&lua, "scripts/a.lua", b"\nreturn (", lua.create_table()?).err();
        assert!(
            matches!(&err, Some(CrescentError::Syntax { message }) if message.starts_with("scripts/a.lua:2:")),
            "got {err:?}"
        );
        Ok(())
    }
}
