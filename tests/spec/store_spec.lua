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

  it('compares an entry stored by an older orrery by the hash it was stored with', function()
    local cutil = require('orrery._util')
    local f = st:feed('https://e.org/feed', 'E')
    local e = { guid = 'a', title = 'A', link = 'https://e.org/a', summary = '<p>s</p>', published = 100 }
    st:save_entries(f.id, entries({ e }), 1000, 86400)
    -- what orrery 0.2 stored: FNV over the fields joined
    local legacy = cutil.hash(table.concat({ e.link, e.title, '', e.summary, '', '', '100', '', '[]', '[]', '', '', '' },
      '\0'))
    assert(st.db:run('UPDATE entries SET hash = ?', legacy))
    local c = st:save_entries(f.id, entries({ { guid = 'a', title = 'A', link = 'https://e.org/a', summary = '<p>s</p>',
      published = 100 } }), 2000, 86400)
    assert.same({ new = 0, changed = 0, same = 1, expunged = 0 }, c)
    assert(st.db:run('UPDATE entries SET hash = ?', string.rep('0', 16)))
    c = st:save_entries(f.id, entries({ { guid = 'a', title = 'A', link = 'https://e.org/a', summary = '<p>s</p>',
      published = 100 } }), 3000, 86400)
    assert.same({ new = 0, changed = 1, same = 0, expunged = 0 }, c)
    assert.matches('^#', st.db:one('SELECT hash FROM entries').hash)
  end)

  it('gives the entry an older orrery stored under an id its feed shares the new id, once', function()
    -- orrery before 2026-12-07 kept the first item of a feed whose items share one guid, under
    -- that guid; now each is known by the guid with a hash of its link (parse.identify)
    local cutil = require('orrery._util')
    local f = st:feed('https://e.org/feed', 'E')
    local function item(n)
      local link = 'https://e.org/' .. n
      return { guid = 'https://e.org/#' .. cutil.hash(link), link = link, title = 'T' .. n, published = 100 + n }
    end
    st:save_entries(f.id, entries({ { guid = 'https://e.org/', link = 'https://e.org/2', title = 'T2', published = 102 } }),
      1000, 86400)
    local c = st:save_entries(f.id, entries({ item(3), item(2), item(1) }), 2000, 86400)
    assert.same({ new = 2, changed = 0, same = 1, expunged = 0 }, c)
    local rows = query.entries(st, { limit = 10 })
    assert.equals(3, #rows)                   -- T2 once, with its first-seen time; T1 and T3 new
    local by = {}
    for _, r in ipairs(rows) do by[r.title] = r end
    assert.equals(item(2).guid, by.T2.guid)
    assert.equals(1000, by.T2.first_seen)
    assert.equals(2000, by.T3.first_seen)
    -- a row under the shared id whose link the feed no longer has is an entry of its own
    assert(st.db:run("INSERT INTO entries (feed_id, guid, link, title, first_seen, date, hash) VALUES (?, 'https://e.org/', "
      .. "'https://e.org/8', 'T8', 1000, 88, 'x')", f.id))
    c = st:save_entries(f.id, entries({ item(3), item(2), item(1) }), 3000, 86400)
    assert.same({ new = 0, changed = 0, same = 3, expunged = 0 }, c)
    assert.equals(4, #query.entries(st, { limit = 10 }))
  end)

  it("keeps a document as the server's gzip when it has one, and bounds all of them by their stored size", function()
    local f = st:feed('https://e.org/feed', 'E')
    local dir = helper.tmpdir()
    local function doc(i)
      local body = {}
      for k = 1, 3000 do body[k] = string.format('<item>%d %d</item>', i, k * 7919 % 1000) end
      body = table.concat(body)
      local path = dir .. '/d' .. i
      local fh = assert(io.open(path, 'wb')) fh:write(body) fh:close()
      -- gzip's header has NUL bytes (-n: no time): stored as text, length() would say 3
      local gz = assert(io.popen('gzip -c -n ' .. path)):read('a')
      return { url = 'https://e.org/feed', status = 200, body = body, body_gzip = gz }
    end
    local docs = { doc(1), doc(2), doc(3) }
    for i, d in ipairs(docs) do st:save_document(f.id, 1000 + i, d, 5) end
    local kept = st.db:one('SELECT length(body) AS n, typeof(body) AS t, size FROM documents ORDER BY id LIMIT 1')
    assert.equals(#docs[1].body_gzip, kept.n)                    -- the server's bytes, as they came
    assert.equals('blob', kept.t)                                -- (its length known without reading it)
    assert.equals(#docs[1].body, kept.size)
    local back = st:documents(f.id)
    assert.equals(3, #back)
    for i = 1, 3 do assert.equals(docs[i].body, back[i].body) end
    -- the oldest as orrery 0.2 stored it: text, which length() would count to its first NUL
    assert(st.db:run('UPDATE documents SET body = CAST(body AS TEXT) WHERE id = (SELECT min(id) FROM documents)'))
    assert.equals('text', st.db:one('SELECT typeof(body) AS t FROM documents ORDER BY id LIMIT 1').t)
    local stored = st.db:one('SELECT sum(length(CAST(body AS BLOB))) AS n FROM documents').n
    assert.equals(2, st:prune_documents(stored // 3 + 1))         -- the oldest two go
    assert.equals(docs[3].body, st:document(f.id).body)
  end)

  it("writes a feed all or nothing in a batch: a fresh feed undone without a savepoint, a stored one with it", function()
    local a, b, c = st:feed('https://e.org/a', 'A'), st:feed('https://e.org/b', 'B'), st:feed('https://e.org/c', 'C')
    local function count(id) return st.db:one('SELECT count(*) AS n FROM entries WHERE feed_id = ?', id).n end
    -- writes two entries, the dropped list and the feed row, then fails on the third entry
    local function failing(id, tag)
      return function()
        st:save_entries(id, entries({ { guid = tag .. '1', title = 'one' }, { guid = tag .. '2', title = 'two' } }), 1000, 86400)
        st:save_dropped(id, { { guid = tag .. 'x', reason = 'filtered' } }, 1000)
        st:update_feed(id, { title = 'half written', errors = 7 })
        st:save_entries(id, entries({ { guid = tag .. '3', title = 'three', published = 'not a time' } }), 1000, 86400)
        return true
      end
    end
    st:begin()
    assert.is_true(st:feed_transaction(a.id, function()
      st:save_entries(a.id, entries({ { guid = 'a1', title = 'kept' } }), 1000, 86400)
      return true
    end))
    -- a fresh feed (nothing stored): what it wrote is deleted, its row put back
    local ok, err = st:feed_transaction(b.id, failing(b.id, 'b'))
    assert.is_nil(ok)
    assert.matches('compare', err)
    assert.equals(0, count(b.id))
    assert.is_nil(st.db:one('SELECT 1 AS x FROM dropped WHERE feed_id = ?', b.id))
    local row = st.db:one('SELECT title, errors FROM feeds WHERE id = ?', b.id)
    assert.is_nil(row.title)
    assert.equals(0, row.errors)
    -- a feed with entries stored: undone by its savepoint
    assert.is_true(st:feed_transaction(c.id, function()
      st:save_entries(c.id, entries({ { guid = 'c0', title = 'stored before' } }), 900, 86400)
      return true
    end))
    ok = st:feed_transaction(c.id, failing(c.id, 'c'))
    assert.is_nil(ok)
    assert.equals(1, count(c.id))
    assert.is_nil(st.db:one('SELECT title FROM feeds WHERE id = ?', c.id).title)
    -- a feed that succeeds after them, and the batch: everything that went well is kept
    assert.is_true(st:feed_transaction(b.id, function()
      st:save_entries(b.id, entries({ { guid = 'b9', title = 'later' } }), 1000, 86400)
      return true
    end))
    assert(st:commit())
    assert.same({ 1, 1, 1 }, { count(a.id), count(b.id), count(c.id) })
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

  it('makes new databases with 16 KB pages and leaves an existing file its own', function()
    assert.equals(store.PAGE_SIZE, st.db:one('PRAGMA page_size').page_size)
    assert.equals(16384, store.PAGE_SIZE)
    -- a file an older orrery made, 4 KB pages: opened, migrated and written as it is
    local path = helper.tmpdir() .. '/old.db'
    local db = assert(require('orrery._db').open(path))
    assert(db:exec('PRAGMA page_size=4096; CREATE TABLE t (x); DROP TABLE t;'))
    db:close()
    local old = assert(store.open(path))
    assert.equals(4096, old.db:one('PRAGMA page_size').page_size)
    local f = old:feed('https://e.org/feed', 'E')
    old:save_entries(f.id, entries({ { guid = 'a', title = 'A', content = ('<p>x</p>'):rep(2000) } }), 100, 0)
    assert.equals(1, old.db:one('SELECT count(*) AS n FROM entries').n)
    old:close()
  end)
end)
