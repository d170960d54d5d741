-- Records what `package` looks like from a script that did nothing to it.
local reader = {}

function reader.init(self)
  self.format = type(package.loaded.string.format)
  self.insert = type(package.loaded.table.insert)
  self.config = package.config
  self.path = package.path
  self.journal = type(package.loaded["testing.journal"])
  self.injected = package.loaded.injected
  self.same_string = rawequal(package.loaded.string, string)
  self.math = type(package.loaded.math)
end

return reader
