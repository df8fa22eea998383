-- Upgrades keep everything: every database an earlier orrery wrote (tests/fixtures/upgrade/
-- schema-N.db, made by make.sh there with the orrery of that schema) opens with today's, with
-- every entry, full article and feed state (validators, back-off, moved URLs) kept, and the
-- next refreshes of the same feeds add no entry twice.  What today's rules no longer allow
-- (a javascript: link stored before links were checked) is dropped on the way, with a note.
local helper = require('helper')
local fs = require('orrery._fs')
local cdb = require('orrery._db')
local json = require('orrery.json')
local chtml = require('orrery._html')

local function chtml_key(h) return chtml.text(h, 'key') end

local FIXTURES = helper.root .. '/tests/fixtures/upgrade'

local function rows(path, sql)
  local db = assert(cdb.open(path))
  local out = {}
  for r in db:rows(sql) do out[#out + 1] = r end
  db:close()
  return out
end

local function by(list, key)
  local t = {}
  for _, r in ipairs(list) do t[r[key]] = r end
  return t
end

-- A new database said to be of an earlier schema: the migrations after it run at the next
-- open.  Returns its path and a connection to put rows in it (closed by the caller).
local function at_schema(version)
  local db = helper.tmpdir() .. '/planet.db'
  assert(require('orrery.store').open(db)):close()
  local w = assert(cdb.open(db))
  assert(w:exec('PRAGMA user_version = ' .. version))
  return db, w
end

local function planet(dir, port)
  return helper.write_planet(dir, {
    name = 'Upgrade fixture', link = 'https://planet.example/', output_dir = 'out', database = 'planet.db',
    keep_documents = 'all', mirror = { ['https://fixture.example/'] = 'http://127.0.0.1:' .. port .. '/' },
    feeds = {
      { url = 'https://fixture.example/a.rss', name = 'Alpha' },
      { url = 'https://fixture.example/moved/b.atom', name = 'Beta' },
      { url = 'https://fixture.example/c.rss', name = 'Teasers', full_article = true },
      { url = 'https://fixture.example/status/500', name = 'Broken' },
    },
  })
end

describe('upgrades (end to end)', function()
  local fixtures = {}
  for _, name in ipairs(fs.list(FIXTURES) or {}) do
    if name:match('^schema%-%d+%.db$') then fixtures[#fixtures + 1] = name end
  end
  table.sort(fixtures)

  it('has a database of every earlier schema to upgrade from', function()
    assert.is_true(#fixtures >= 1)
    assert.equals('schema-4.db', fixtures[1])
  end)

  for _, name in ipairs(fixtures) do
    it('opens ' .. name .. ' keeping every entry, article and feed state, and refreshes without duplicates', function()
      local srv = helper.server(FIXTURES .. '/site')
      local dir = helper.tmpdir()
      local db = dir .. '/planet.db'
      assert(fs.write(db, assert(fs.read(FIXTURES .. '/' .. name))))
      local path = planet(dir, srv.port)
      local old_entries = rows(db, 'SELECT f.url AS feed, e.guid, e.link, e.author, e.first_seen, e.date FROM entries e'
        .. ' JOIN feeds f ON f.id = e.feed_id')
      local old_feeds = by(rows(db, 'SELECT * FROM feeds'), 'url')
      local old_articles = rows(db, 'SELECT url, content, tries FROM articles')
      assert.is_true(#old_entries >= 7 and #old_articles >= 1)

      -- opening it (render) migrates it
      local code, out, err = helper.orrery({ 'render', '-c', path })
      assert.equals(0, code, out .. err)
      assert.equals(require('orrery.store').SCHEMA, rows(db, 'PRAGMA user_version')[1].user_version)
      local entries = rows(db, 'SELECT f.url AS feed, e.* FROM entries e JOIN feeds f ON f.id = e.feed_id')
      assert.equals(#old_entries, #entries)
      local now = {}
      for _, e in ipairs(entries) do now[e.feed .. ' ' .. e.guid] = e end
      for _, o in ipairs(old_entries) do
        local e = now[o.feed .. ' ' .. o.guid]
        assert.is_table(e, 'lost ' .. o.guid)
        assert.equals(o.first_seen, e.first_seen)
        assert.equals(o.date, e.date)
      end
      -- made safe on the way: the link a feed could store before, the address in an author
      local hostile = now['https://fixture.example/a.rss hostile-1']
      assert.is_nil(hostile.link)
      assert.matches('link dropped: a javascript: URL', hostile.notes)
      assert.equals('[]', hostile.enclosures)
      local ordinary = now['https://fixture.example/a.rss tag:fixture.example,2026:ordinary']
      assert.equals('Jo Bloggs', ordinary.author)
      assert.equals('jo@example.org', ordinary.author_email)
      assert.equals('https://fixture.example/ep1.mp3', json.decode(ordinary.enclosures)[1].href)
      -- dedupe's text keys as today's rule makes them (schema 11): an entry stored then and a
      -- copy of it arriving now in another feed still match
      local shown = require('orrery.shown')
      local keyed = 0
      for _, e in ipairs(entries) do
        assert.equals(shown.text_key(e), e.text_key, e.guid)
        if e.text_key then keyed = keyed + 1 end
      end
      assert.is_true(keyed >= 1)
      -- feed state: validators, moved URL, failures and back-off
      local feeds = by(rows(db, 'SELECT * FROM feeds'), 'url')
      for url, o in pairs(old_feeds) do
        for _, k in ipairs({ 'etag', 'last_modified', 'fetch_url', 'errors', 'next_attempt', 'last_error', 'last_success' }) do
          assert.equals(o[k], feeds[url][k], url .. ' ' .. k)
        end
      end
      assert.same(old_articles, rows(db, 'SELECT url, content, tries FROM articles'))
      local page = assert(fs.read(dir .. '/out/index.html'))
      assert.matches('A long read', page, 1, true)
      assert.is_nil(page:find('javascript:', 1, true))

      -- the next refresh asks with the stored validators and adds nothing
      srv.reset()
      code, out, err = helper.orrery({ 'refresh', '-c', path, '--json' })
      assert.is_true(code == 0 or code == 3, out .. err)
      local inm = {}
      for _, r in ipairs(srv.stats()) do inm[r.path] = r.inm end
      assert.equals(old_feeds['https://fixture.example/a.rss'].etag, inm['/a.rss'])
      assert.equals(old_feeds['https://fixture.example/moved/b.atom'].etag, inm['/b.atom'])   -- at its new address
      assert.equals(#old_entries, #rows(db, 'SELECT id FROM entries'))
      -- and so does one that parses every document again with today's parser: every entry
      -- keeps its id (those without a guid too), none comes twice
      local w = assert(cdb.open(db))
      assert(w:run('UPDATE feeds SET etag = NULL, last_modified = NULL, doc_key = NULL'))
      w:close()
      code, out, err = helper.orrery({ 'refresh', '--force', '-c', path, '--json' })
      srv.stop()
      assert.is_true(code == 0 or code == 3, out .. err)
      assert.equals(0, json.decode(out).new)
      local after = rows(db, 'SELECT f.url AS feed, e.guid, e.link FROM entries e JOIN feeds f ON f.id = e.feed_id')
      assert.equals(#old_entries, #after)
      for _, e in ipairs(after) do assert.is_table(now[e.feed .. ' ' .. e.guid], 'new id ' .. e.guid) end
      assert.equals('ok', rows(db, 'PRAGMA integrity_check')[1].integrity_check)
    end)
  end

  it("drops from stored entries and feeds the characters XML does not allow (schema 10), and only them", function()
    -- a JSON Feed's "\u0008" was stored as it came before orrery dropped it on the way in;
    -- raw in the pages' HTML it left atom.xml not well-formed
    local store = require('orrery.store')
    local db, w = at_schema(9)
    assert(w:run("INSERT INTO feeds (url, name, title, subtitle) VALUES ('http://x.example/', ?, ?, ?)",
      'N\1ame', 'T\8itle', '<p>S\27ub</p>'))
    assert(w:run([[INSERT INTO entries (feed_id, guid, title, author, summary, content, first_seen, date, hash)
      VALUES (1, 'g1', ?, ?, ?, ?, 1, 1, 'h')]], 'T\8i\11t', 'A\1', '<p>s\12</p>', '<p>c\8 \239\191\191 \239\191\190 é</p>'))
    assert(w:run([[INSERT INTO entries (feed_id, guid, title, content, first_seen, date, hash)
      VALUES (1, 'g2', 'Kept', ?, 2, 2, 'h2')]], '<p>tab\tnew\nline\r and \239\191\189</p>'))
    w:close()
    local st = assert(store.open(db))
    st:close()
    local e = by(rows(db, 'SELECT guid, title, author, summary, content FROM entries'), 'guid')
    assert.same({ guid = 'g1', title = 'Tit', author = 'A', summary = '<p>s</p>', content = '<p>c   é</p>' }, e.g1)
    assert.equals('<p>tab\tnew\nline\r and \239\191\189</p>', e.g2.content)     -- what XML allows stays
    local f = rows(db, 'SELECT name, title, subtitle FROM feeds')[1]
    assert.same({ name = 'Name', title = 'Title', subtitle = '<p>Sub</p>' }, f)
    assert.equals(store.SCHEMA, rows(db, 'PRAGMA user_version')[1].user_version)
  end)

  it('makes every stored text key again by the digest rule (schema 11), a thousand rows at a time', function()
    local store = require('orrery.store')
    local shown = require('orrery.shown')
    local cutil = require('orrery._util')
    local db, w = at_schema(10)
    assert(w:run("INSERT INTO feeds (url, name) VALUES ('http://x.example/', 'X')"))
    assert(w:exec('BEGIN'))
    local text = '<p>' .. ('Words of a post that is long enough to be compared by its text. '):rep(5) .. '</p>'
    for i = 1, 2500 do
      -- as orrery 0.2 stored them: FNV-1a of the same title and key text
      local title, content = 'Post ' .. i, i % 10 == 0 and '<p>short</p>' or text .. i
      local old = #chtml_key(content) >= shown.TEXT_MIN
        and cutil.hash(title:lower() .. '\0' .. chtml_key(content)) or nil
      assert(w:run([[INSERT INTO entries (feed_id, guid, title, content, first_seen, date, hash, text_key)
        VALUES (1, ?, ?, ?, 1, 1, 'h', ?)]], 'g' .. i, title, content, old))
    end
    assert(w:exec('COMMIT'))
    w:close()
    assert(store.open(db)):close()
    local all, keyed = rows(db, 'SELECT title, summary, content, text_key FROM entries'), 0
    assert.equals(2500, #all)
    for _, e in ipairs(all) do
      assert.equals(shown.text_key(e), e.text_key, e.title)
      if e.text_key then keyed = keyed + 1; assert.matches('^#%x+$', e.text_key) end
    end
    assert.equals(2250, keyed)
    assert.equals(store.SCHEMA, rows(db, 'PRAGMA user_version')[1].user_version)
  end)
end)
