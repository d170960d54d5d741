-- Lives a few frames: holds some state (and a token when `make_token` exists), waits in
-- a task, sends itself an event, broadcasts now and then, then despawns.
local churner = {}

function churner.init(self)
  self.state = { self.n, tostring(self.n), { self.n } }
  if make_token then
    self.token = make_token()
  end
  task.spawn(function()
    task.wait(0.02)
    self.entity:send("poke", { n = self.n })
  end)
  task.delay(0.05, function()
    self.entity:despawn()
  end)
end

function churner.poke(self, payload, sender)
  self.poked = payload.n
  if self.n % 10 == 0 then
    world.broadcast("hello", { from = self.n })
  end
end

function churner.hello(self, payload)
  self.heard = (self.heard or 0) + 1
end

return churner
