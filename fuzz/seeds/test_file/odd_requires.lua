-- Odd and cyclic module names.
test("odd module names", function(t)
  t:ok(rawequal(require("lib/util"), require("lib.util")))
  for _, n in ipairs({ "lib.//util", "lib..util", ".lib.util", "lib.util.", "../helper", "", "lib\\util" }) do
    pcall(require, n)
  end
  pcall(require, "lib.cycle_a")
  pcall(require, "lib/cycle_b")
  pcall(require, "lib.self_cycle")
  pcall(require, "fuzz_test")
  pcall(require, "helper")
  pcall(require, string.rep("m.", 4000))
end)
