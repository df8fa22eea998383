local store = require('orrery.store')
local helper = require('helper')
local query = require('orrery.query')

describe('orrery.store', function()
  local st
  before_each(function() st = assert(store.open(helper.tmpdir() .. '/t.db')) end)
  after_each(function() st:close() end)

  local function entries(t)
    for _, e in ipairs(t) do e.tags = e.tags or {} e.enclosures = e.enclosures or {} end
    return t
  end

  it('upserts by (feed, guid): no duplicates, changes update, unchanged rows are left alone', function()
    local f = st:feed('https://e.org/feed', 'E')
    local c = st:save_entries(f.id, entries({ { guid = 'a', title = 'A', published = 100 }, { guid = 'b', title = 'B' } }), 1000, 86400)
    assert.same({ new = 2, changed = 0, same = 0, expunged = 0 }, c)
    c = st:save_entries(f.id, entries({ { guid = 'a', title = 'A', published = 100 }, { guid = 'b', title = 'B2' } }), 2000, 86400)
    assert.same({ new = 0, changed = 1, same = 1, expunged = 0 }, c)
    local rows = query.entries(st, { limit = 10 })
    assert.equals(2, #rows)
    assert.equals('B2', rows[1].title)
    assert.equals(1000, rows[1].date)        -- undated: first seen, kept across runs
    assert.equals(1000, rows[1].first_seen)
    assert.equals(100, rows[2].date)
  end)

  it('clamps dates in the future to first seen', function()
    local f = st:feed('https://e.org/feed', 'E')
    st:save_entries(f.id, entries({ { guid = 'x', title = 'X', published = 10 ^ 10 // 1 } }), 1000, 86400)
    assert.equals(1000, query.entries(st, { limit = 1 })[1].date)
  end)

  it('keeps feed state and migrates an existing file', function()
    local f = st:feed('https://e.org/feed', 'E')
    st:update_feed(f.id, { etag = '"v1"', last_status = 200, last_error = require('orrery.json').null })
    assert.equals('"v1"', st:feed('https://e.org/feed').etag)
    assert.has_error(function() st:update_feed(f.id, { nope = 1 }) end)
  end)
end)
