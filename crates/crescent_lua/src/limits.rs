//! The limits on single C calls, documented in one place. They are enforced in the C
//! sources; the numbers live in `native/crescent_limits.h`, and a test checks that the
//! constants here equal them.
//!
//! No hook runs inside a C function, so neither budget can stop a C call: a call whose
//! work memory does not bound could hang the game. Each such call counts its work and
//! raises a Lua error past its limit. In the instruction budget, the work it did is also
//! charged as instructions (the `*_PER_INSTRUCTION` prices), so that a loop of cheap-looking
//! calls doing heavy C work runs out of budget; in the time budget, a C call that charged
//! anything makes an armed hook check the time at the next instruction.
//!
//! A C loop that calls out (`table.*` through `__index`/`__newindex`/`__lt`, `table.sort`'s
//! order function, a `gsub` replacement function or table, `string.format`'s `%s` through
//! `__tostring`) multiplies its own limit by what each callout costs, and a callout that is
//! a C function (`setmetatable(t, { __index = table.concat })`) runs no instruction either.
//! So such loops pass a checkpoint every [`CHECK_EVERY`] elements (every 16 callouts for
//! `gsub` and `format`): it charges the elements and, when a budget check is due (the
//! count hook's period reached, or the time budget armed), runs it there and then.
//!
//! # Limited
//!
//! | function | limit | error |
//! | --- | --- | --- |
//! | `string.find`/`match`/`gmatch`/`gsub` with a pattern | [`MATCH_STEPS`] | `string.find: pattern too complex (more than 10000000 steps)` |
//! | `string.find` plain (or a pattern without specials) | [`FIND_BYTES`] | `string.find: plain search too long (more than 268435456 bytes examined)` |
//! | `table.move`/`concat` range, `table.insert`/`remove` shift, `table.sort` array | [`TABLE_ELEMENTS`] | `table.move: range of 9223372036854775807 elements exceeds the limit of 16777216` |
//! | `table.sort` comparisons | [`SORT_COMPARISONS_PER_ELEMENT`] per element | `table.sort: more than 128 comparisons per element (invalid order function for sorting?)` |
//! | `string.rep` of an empty result (`string.rep("", n)`) | none: returns `""` at once | |
//!
//! # Already bounded
//!
//! What the audit of the libraries scripts get (base, `coroutine`, `string`, `table`,
//! `utf8`, `math`, and `os.clock`/`time`/`date`; `io`, `debug` and the rest of `os` are
//! not exposed) found bounded without a new check:
//!
//! - **By memory** (the work is proportional to a result the allocator must hold, or to
//!   a string or table that exists): `string.rep` (it allocates the whole result first),
//!   `sub`, `upper`, `lower`, `reverse`, `format` (widths and precisions are at most two
//!   digits; `%q` is linear), `pack` (`c` and `!`/`X` padding add a byte per step to the
//!   result), `unpack`/`packsize` (linear in the format and the data), `len`, `char`,
//!   `dump`; `utf8.len`, `offset`, `codes`, `char`; `tostring`, `tonumber`, `load` (text
//!   only, and capped by `ScriptConfig::max_source_bytes`), `next`/`pairs`/`ipairs`
//!   (one step per call), the pattern functions' captures and replacements (each adds to
//!   the result; `%`-escapes, which may add nothing, count as steps). This work is not
//!   charged to the instruction budget: a loop of such calls costs its VM instructions
//!   (the time budget sees it all).
//! - **By the stack limit** (Lua's `LUAI_MAXSTACK`, 1,000,000 slots): `table.unpack`
//!   ("too many results to unpack"; it charges and checkpoints its elements, as each may
//!   call `__index`), `string.byte` and `utf8.codepoint` ("string slice too long"),
//!   `select`, `table.pack`, `string.char`, `utf8.char`, `math.max`/`min` (their
//!   arguments are already on the stack).
//! - **By Lua's own checks**: pattern recursion (`MAXCCALLS`, 200 levels: "pattern too
//!   complex"), C stack depth (200 nested C calls: "C stack overflow"), `__index` chains
//!   (2,000 levels), `string.rep`'s "resulting string too large".
//! - **O(1) or bounded by a constant**: `math.*` (`math.random`'s rejection loop ends
//!   with probability 1, expecting under two draws), `coroutine.*` (each switch is seen by
//!   the budget), `os.clock`/`time`/`date`, `rawequal`/`rawlen`/`rawget`/`rawset`,
//!   `getmetatable`/`setmetatable`, `type`, `error`, `pcall`/`xpcall`, `assert`.
//! - **Budgeted elsewhere**: Lua functions these call (an order function, a `gsub`
//!   replacement function, a Lua metamethod) run VM instructions, which the hook sees.

#[cfg(test)]
use std::ffi::c_longlong;

/// Steps one call of `string.find`, `string.match` or `string.gsub` with a pattern (or one
/// call of a `string.gmatch` iterator) may take: each matcher call and each loop
/// iteration, each subject byte examined by a repetition or a `%b`, each byte compared by
/// a back-reference (`%1`), each `%`-escape in a `gsub` replacement, and every 8 bytes of
/// a `[...]` class longer than 32 bytes, each time it is scanned. All the matches of one
/// `gsub` share one count.
///
/// Why: backtracking patterns take exponential time (`('a'):rep(15):find(('a*'):rep(12)
/// .. 'b')` takes a second; a few more letters take hours) in one C call. Ten million
/// steps take 40 to 100 ms, about the default time budget of a call; a `gsub` over a
/// mebibyte of text takes about 1.2 million. Error: `string.find: pattern too complex
/// (more than 10000000 steps)` (named after the function: `string.gsub: ...`).
pub const MATCH_STEPS: u64 = 10_000_000;

/// Bytes one plain `string.find` (or one whose pattern has no special characters) may
/// examine: scanned for the needle's first byte, then compared (a long needle in doubling
/// blocks, so a mismatch early counts little).
///
/// Why: the naive search takes time proportional to the subject's length times the
/// needle's (`("a"):rep(1 << 24):find(("a"):rep(1 << 20) .. "b", 1, true)`). 256 MiB lets
/// one call scan any string up to 256 MiB once. A search whose worst case (subject length
/// times needle length) is within the limit runs exactly as stock Lua's, uncounted; only
/// the others count as they go. Error: `string.find: plain search too long (more than
/// 268435456 bytes examined)`.
pub const FIND_BYTES: u64 = 256 << 20;

/// Pattern-matching steps charged to the instruction budget as one instruction: a step
/// takes 5 to 15 ns, a VM instruction under the count hook about 4 ns.
pub const STEPS_PER_INSTRUCTION: u64 = 1;

/// Bytes a plain `string.find` examines, charged as one instruction: `memchr` scans about
/// 200 bytes in the 4 ns of one VM instruction under the count hook. So scanning 16 MiB
/// costs 131,072 instructions: a loop of such scans spends a 1,000,000-instruction budget
/// in eight.
pub const BYTES_PER_INSTRUCTION: u64 = 128;

/// Table elements moved, concatenated or unpacked (or comparisons made) by `table.*`,
/// charged as one instruction (each takes 10 to 30 ns: the price is on the cheap side).
pub const ELEMENTS_PER_INSTRUCTION: u64 = 1;

/// Elements one `table.move` or `table.concat` range, one `table.insert`/`table.remove`
/// shift or one `table.sort` array may hold.
///
/// Why: memory does not bound these loops, as `__len` may claim any length and `__index`
/// may answer for elements that do not exist: `table.move({}, 1, math.maxinteger, 2)`
/// loops 2^63 times. 16,777,216 elements is a 256 MiB array part. Error: `table.move:
/// range of 9223372036854775807 elements exceeds the limit of 16777216` (`range` for
/// `move`/`concat`, `shift` for `insert`/`remove`, `array` for `sort`).
pub const TABLE_ELEMENTS: u64 = 1 << 24;

/// Comparisons `table.sort` may make per element of the array (checked every
/// [`CHECK_EVERY`] comparisons, so a small array may take that many).
///
/// Why: quicksort needs about 1.4 log2(n) comparisons per element (22 measured for a
/// million, 34 expected for 2^24), but an input crafted against the pivot choice, or an
/// order function that adapts to it, makes it quadratic: 2^47 comparisons for 2^24
/// elements. Error: `table.sort: more than 128 comparisons per element (invalid order
/// function for sorting?)`.
pub const SORT_COMPARISONS_PER_ELEMENT: u64 = 128;

/// Elements (or comparisons) a `table.*` loop visits between two checkpoints: at most
/// 1/1024 of a budget check per element, and a few microseconds of work between checks.
pub const CHECK_EVERY: u64 = 1024;

#[cfg(test)]
unsafe extern "C" {
    fn crescent_limit_match_steps() -> c_longlong;
    fn crescent_limit_find_bytes() -> c_longlong;
    fn crescent_limit_steps_per_instruction() -> c_longlong;
    fn crescent_limit_bytes_per_instruction() -> c_longlong;
    fn crescent_limit_elements_per_instruction() -> c_longlong;
    fn crescent_limit_table_elements() -> c_longlong;
    fn crescent_limit_sort_comparisons_per_element() -> c_longlong;
    fn crescent_limit_check_every() -> c_longlong;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_limits_are_the_ones_c_enforces() {
        // SAFETY: each getter only returns a constant.
        let c = unsafe {
            [
                crescent_limit_match_steps(),
                crescent_limit_find_bytes(),
                crescent_limit_steps_per_instruction(),
                crescent_limit_bytes_per_instruction(),
                crescent_limit_elements_per_instruction(),
                crescent_limit_table_elements(),
                crescent_limit_sort_comparisons_per_element(),
                crescent_limit_check_every(),
            ]
        };
        let rust = [
            MATCH_STEPS,
            FIND_BYTES,
            STEPS_PER_INSTRUCTION,
            BYTES_PER_INSTRUCTION,
            ELEMENTS_PER_INSTRUCTION,
            TABLE_ELEMENTS,
            SORT_COMPARISONS_PER_ELEMENT,
            CHECK_EVERY,
        ];
        let c: Vec<u64> = c
            .iter()
            .map(|&v| u64::try_from(v).expect("positive"))
            .collect();
        assert_eq!(c, rust);
    }
}
