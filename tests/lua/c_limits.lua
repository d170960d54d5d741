-- No single C call runs unbounded: the library calls whose work memory does not bound
-- check their arguments (crescent_lua's `limits`). The slow ones (patterns, plain finds)
-- are in tests/c_limits.rs: reaching their limits takes tens of milliseconds.

local limit = "exceeds the limit of 16777216"

local function liar(len)
  return setmetatable({}, { __len = function() return len end })
end

test("table functions refuse ranges memory does not bound", function(t)
  t:raises(function() table.move({}, 1, math.maxinteger, 2) end,
    "table.move: range of 9223372036854775807 elements " .. limit)
  t:raises(function() table.move({}, -5, (1 << 24) - 5, 1) end,
    "table.move: range of 16777217 elements " .. limit)
  t:raises(function() table.concat(setmetatable({}, { __index = table.concat }), "", 1, 1 << 40) end,
    "table.concat: range of 1099511627776 elements " .. limit)
  t:raises(function() table.insert(liar(math.maxinteger - 1), 1, 0) end,
    "table.insert: shift of 9223372036854775806 elements " .. limit)
  t:raises(function() table.remove(liar(1 << 25), 2) end,
    "table.remove: shift of 33554430 elements " .. limit)
  t:raises(function() table.sort(liar(1 << 30)) end,
    "table.sort: array of 1073741824 elements " .. limit)
end)

test("ranges within the limit behave as in stock Lua", function(t)
  local moved = table.move({ 1, 2, 3 }, 1, 3, 2)
  t:eq(table.concat(moved, ","), "1,1,2,3")
  t:eq(table.concat({}, ",", 5, 4), "", "an empty range")
  t:eq(table.concat({ "a", "b", "c" }, "-", 2, 3), "b-c")
  local t2 = { "x", "z" }
  table.insert(t2, 2, "y")
  t:eq(table.concat(t2), "xyz")
  t:eq(table.remove(t2, 1), "x")
  t:eq(table.concat(t2), "yz")
  t:eq(select("#", table.unpack({ 1, 2, 3 })), 3)
  local big = {}
  for i = 1, 3000 do big[i] = 3001 - i end
  table.sort(big)
  t:eq(big[1], 1)
  t:eq(big[3000], 3000)
  table.sort(big, function(a, b) return a > b end)
  t:eq(big[1], 3000)
end)

test("string.rep of an empty result returns at once", function(t)
  t:eq(string.rep("", math.maxinteger), "")
  t:eq(string.rep("", math.maxinteger, ""), "")
  t:eq(string.rep("ab", 3), "ababab")
  t:eq(string.rep("", 3, ","), ",,")
  t:raises(function() string.rep("x", math.maxinteger) end, "resulting string too large")
end)

test("patterns and plain finds still match as in stock Lua", function(t)
  local text = ("The quick brown fox jumps over the lazy dog. "):rep(20)
  t:eq(select(2, text:find("dog", 1, true)), 43)
  t:eq(text:find("%d"), nil)
  t:eq(text:match("(%a+) dog"), "lazy")
  t:eq(select(2, text:gsub("o", "0")), 80)
  t:eq(("(a(b)c)"):match("%b()"), "(a(b)c)")
  t:eq(("hello hello"):match("(%a+) %1"), "hello")
  t:eq(("THE (quick) fox"):find("%f[%a]%a+%f[%A]"), 1)
  local n = 0
  for a, b in ("k1=v1, k2=v2"):gmatch("(%w+)=(%w+)") do n = n + #a + #b end
  t:eq(n, 8)
  t:eq(("x"):rep(100):gsub("x", { x = "y" }):sub(1, 3), "yyy")
  t:eq(string.format("%s|%5.1f", setmetatable({}, { __tostring = function() return "obj" end }), 2.25),
    "obj|  2.2")
  -- A long class counts as more steps, but matches as before.
  local class = "[" .. ("a"):rep(100) .. "b]"
  t:eq(("zzb"):find(class), 3)
  t:raises(function() ("x"):find("(") end, "unfinished capture")
end)
