-- The test runner's own rules, seen from a test.

test("a test() call inside a test is an error, not a test silently never run", function(t)
  t:raises(function() test("inner", function() end) end,
    "test() inside a test: tests cannot be nested; call test(name, fn) at the top level of the file")
end)
