-- A shared log for tests: scripts append, tests read. One per runtime, so one per test.
local journal = { entries = {} }

function journal.add(entry)
  journal.entries[#journal.entries + 1] = entry
end

function journal.clear()
  journal.entries = {}
end

function journal.count(entry)
  local n = 0
  for _, e in ipairs(journal.entries) do
    if e == entry then
      n = n + 1
    end
  end
  return n
end

return journal
