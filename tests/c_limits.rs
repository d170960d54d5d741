//! No single C call runs unbounded: a library call that used to hang the game raises its
//! own error in its handler (or is stopped by the budget), and the other scripts keep
//! running every frame. The limits themselves are documented in `crescent_lua::limits`.
//!
//! No timing is asserted: only that each call was stopped, and by what.

mod common;

use common::{eval, exec, step, temp_assets};
use crescent::game::{Game, GameConfig};
use crescent::script::{ScriptBudget, ScriptError, ScriptErrorLog};

/// Runs `body` in its `update` handler, every frame.
fn bad_script(body: &str) -> String {
    format!("return {{ update = function(self, dt)\n{body}\nend }}")
}

/// Counts its updates: the bystander that must keep running.
const HEALTHY: &str = "return { update = function(self, dt) self.n = (self.n or 0) + 1 end }";

const FRAMES: usize = 2;

/// Runs `body` as the update handler of one entity beside a healthy one for [`FRAMES`]
/// frames under `budget`; returns the errors, after checking the healthy one ran every
/// frame.
fn run(budget: ScriptBudget, body: &str) -> Vec<ScriptError> {
    let assets = temp_assets(&[("bad.lua", &bad_script(body)), ("healthy.lua", HEALTHY)]);
    let mut config = GameConfig::new(assets.path());
    config.script.budget = budget;
    let mut game = Game::new(config).expect("game");
    exec(
        &mut game,
        r#"world.spawn{ name = "bad", script = "bad.lua" }
           world.spawn{ name = "good", script = "healthy.lua" }"#,
    );
    step(&mut game, FRAMES);
    let good: i64 = eval(
        &mut game,
        r#"return world.find("good"):script("healthy.lua").n"#,
    )
    .expect("healthy script state");
    assert_eq!(
        good, FRAMES as i64,
        "{body}: the other script ran every frame"
    );
    errors(&game)
}

fn errors(game: &Game) -> Vec<ScriptError> {
    game.app.world().resource::<ScriptErrorLog>().errors.clone()
}

/// Asserts every frame's update of `bad.lua` failed with `message`.
fn assert_stopped(errors: &[ScriptError], body: &str, message: &str) {
    assert_eq!(errors.len(), FRAMES, "{body}: {errors:#?}");
    for error in errors {
        assert_eq!(error.script, "bad.lua", "{body}");
        assert_eq!(error.event, "update", "{body}");
        assert!(error.message.contains(message), "{body}: {}", error.message);
    }
}

fn instructions() -> ScriptBudget {
    ScriptBudget::Instructions {
        per_call: 1_000_000,
        per_frame: None,
    }
}

/// A pattern that backtracks for about 2^40 steps against 15 letters.
const BACKTRACKING: &str = "local s, p = ('a'):rep(15), ('a*'):rep(12) .. 'b'";

#[test]
fn backtracking_patterns_are_too_complex_in_every_pattern_function() {
    let limit = "pattern too complex (more than 10000000 steps)";
    for (call, function) in [
        ("s:find(p)", "string.find"),
        ("s:match(p)", "string.match"),
        ("for _ in s:gmatch(p) do end", "string.gmatch"),
        ("s:gsub(p, '')", "string.gsub"),
        // A `gsub` shares one count among its matches: a backtracking run per position.
        ("(('a'):rep(20000)):gsub('a-a-a-a-b', '')", "string.gsub"),
        // A class of a mebibyte, scanned at every position.
        (
            "('b'):rep(1 << 20):find('[' .. ('a'):rep(1 << 20) .. ']+c')",
            "string.find",
        ),
    ] {
        let body = format!("{BACKTRACKING}\n{call}");
        let message = format!("{function}: {limit}");
        assert_stopped(&run(ScriptBudget::default(), &body), &body, &message);
    }
}

#[test]
fn a_plain_find_that_compares_too_much_is_stopped() {
    // Every position matches a 64 KiB needle but its last byte: 2^38 bytes compared.
    let body = "local s = ('a'):rep(1 << 22)\ns:find(('a'):rep(1 << 16) .. 'b', 1, true)";
    assert_stopped(
        &run(ScriptBudget::default(), body),
        body,
        "string.find: plain search too long (more than 268435456 bytes examined)",
    );
}

#[test]
fn table_functions_refuse_ranges_memory_does_not_bound() {
    let limit = "exceeds the limit of 16777216";
    let liar = "local t = setmetatable({}, { __len = function() return math.maxinteger - 1 end })";
    for (body, message) in [
        (
            "table.move({}, 1, math.maxinteger, 2)".to_owned(),
            "table.move: range of 9223372036854775807 elements",
        ),
        (
            "table.concat(setmetatable({}, { __index = table.concat }), '', 1, 1 << 40)".to_owned(),
            "table.concat: range of 1099511627776 elements",
        ),
        (
            "table.concat({}, '', math.mininteger, math.maxinteger)".to_owned(),
            "table.concat: range of 18446744073709551615 elements",
        ),
        (
            format!("{liar}\ntable.insert(t, 1, 0)"),
            "table.insert: shift of 9223372036854775806 elements",
        ),
        (
            format!("{liar}\ntable.remove(t, 1)"),
            "table.remove: shift of 9223372036854775805 elements",
        ),
        (
            "table.sort(setmetatable({}, { __len = function() return 1 << 30 end }))".to_owned(),
            "table.sort: array of 1073741824 elements",
        ),
    ] {
        assert_stopped(
            &run(ScriptBudget::default(), &body),
            &body,
            &format!("{message} {limit}"),
        );
    }
}

#[test]
fn an_order_function_cannot_make_sort_quadratic() {
    // McIlroy's adversary: it decides each comparison so as to make the pivot the
    // smallest element, a consistent order that drives any quicksort to n^2 / 2.
    let body = r#"
local n = 600
local gas, val, solid, candidate, t = n + 1, {}, 0, nil, {}
for i = 1, n do t[i] = i; val[i] = gas end
local function less(x, y)
  if val[x] == gas and val[y] == gas then
    if x == candidate then val[x] = solid else val[y] = solid end
    solid = solid + 1
  end
  if val[x] == gas then candidate = x elseif val[y] == gas then candidate = y end
  return val[x] < val[y]
end
table.sort(t, less)"#;
    // No budget: the cap alone stops it.
    assert_stopped(
        &run(ScriptBudget::Unlimited, body),
        body,
        "table.sort: more than 128 comparisons per element (invalid order function for sorting?)",
    );
}

/// The fuzzer's `string_scan_loop.lua`: each call is one fast `memchr`, but 100,000 of
/// them scan 1.6 TB.
const SCAN_LOOP: &str =
    "local s = string.rep('a', 1 << 24)\nfor i = 1, 100000 do s:find('b', 1, true) end";

/// `gsub` calls a table's `__index` per match, here `table.unpack` (a C function, so no
/// instruction runs), which reads 100,000 elements each time: 10^10 reads in one C call.
const CALLOUT_LOOP: &str = r#"
local repl = {}
for i = 1, 100000 do repl[i] = false end
setmetatable(repl, { __index = table.unpack })
local s = ('1 '):rep(100000)
s:gsub('%d', repl)"#;

#[test]
fn c_work_counts_against_the_instruction_budget() {
    for body in [SCAN_LOOP, CALLOUT_LOOP] {
        assert_stopped(
            &run(instructions(), body),
            body,
            "instruction budget exceeded (1000000 instructions)",
        );
    }
}

#[test]
fn c_work_is_stopped_by_the_time_budget() {
    for body in [SCAN_LOOP, CALLOUT_LOOP] {
        assert_stopped(
            &run(ScriptBudget::default(), body),
            body,
            "time budget exceeded (50 ms of CPU time)",
        );
    }
}

#[test]
fn a_failed_call_does_not_charge_the_next_handler() {
    // The pattern error charges 10,000,000 instructions, ten budgets: none of them may
    // land on the healthy handler that runs next in the same dispatch loop.
    let body = format!("{BACKTRACKING}\ns:find(p)");
    assert_stopped(
        &run(instructions(), &body),
        &body,
        "string.find: pattern too complex",
    );
    let caught = format!("{BACKTRACKING}\nfor _ = 1, 1000 do pcall(string.find, s, p) end");
    assert_stopped(
        &run(instructions(), &caught),
        &caught,
        "instruction budget exceeded (1000000 instructions)",
    );
}

#[test]
fn string_rep_of_an_empty_result_returns_at_once() {
    let assets = temp_assets(&[]);
    let mut game = common::game(assets.path());
    let lengths: (i64, i64, i64) = eval(
        &mut game,
        "return #string.rep('', math.maxinteger), #string.rep('', math.maxinteger, ''), \
         #string.rep('ab', 3, '')",
    )
    .expect("rep");
    assert_eq!(lengths, (0, 0, 6));
}

#[test]
fn ordinary_string_and_table_use_is_unchanged() {
    let assets = temp_assets(&[]);
    let mut game = common::game(assets.path());
    let found: (i64, i64, String, String, i64, String) = eval(
        &mut game,
        r#"
local text = ("The quick brown fox jumps over the lazy dog. "):rep(20) .. "key = value"
local i, j = text:find("lazy", 1, true)
local k, v = text:match("(%w+)%s*=%s*(%w+)$")
local shouted, n = text:gsub("%f[%a]%a", string.upper)
local words = {}
for w in ("a bb ccc"):gmatch("%a+") do words[#words + 1] = w end
local t = {}
for x = 1, 5000 do t[x] = (x * 7919) % 5003 end
table.sort(t)
for x = 2, #t do assert(t[x - 1] <= t[x]) end
table.insert(t, 1, -1)
table.remove(t)
local big = ("x"):rep(1 << 24)
assert(big:find("y", 1, true) == nil, "a 16 MiB plain scan is one call")
return i, j, k .. "=" .. v, shouted:sub(1, 20), n, table.concat(words, ",") .. "|" .. t[1]
"#,
    )
    .expect("string use");
    assert_eq!(
        found,
        (
            36,
            39,
            "key=value".to_owned(),
            "The Quick Brown Fox ".to_owned(),
            182,
            "a,bb,ccc|-1".to_owned()
        )
    );
}
