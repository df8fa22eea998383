-- Crash safety, end to end: `orrery refresh` killed with SIGKILL inside SQLite's write path
-- (before a random write, sync or truncate of the database, its WAL or journal) 50 times; and
-- run against a disk that fills up.  After each blow the database must pass PRAGMA
-- integrity_check, keep every entry committed before it, and the next run must complete.
local helper = require('helper')
local fs = require('orrery._fs')
local cdb = require('orrery._db')
local cutil = require('orrery._util')

local FEEDS, ENTRIES = 60, 60
-- 50 kills with the plain build; under the sanitizers (make check, a phase of make test)
-- every run is several times slower, so fewer
local KILLS = os.getenv('ORRERY_SANITIZED') and 10 or 50

-- Feed i as of generation g: ENTRIES items, the newest ones new in each generation.
local function feed_xml(i, g)
  local out = { '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>',
    string.format('<title>Feed %d</title><link>https://feed%d.example/</link>', i, i) }
  local para = string.rep('Words of an entry, long enough to make the store work. ', 40)
  for k = g * 5 + 1, g * 5 + ENTRIES do
    out[#out + 1] = string.format('<item><title>Entry %d.%d</title><guid>urn:f%d:e%d</guid>'
      .. '<pubDate>%s</pubDate><description><![CDATA[<p>%d: %s</p>]]></description></item>',
      i, k, i, k, os.date('!%a, %d %b %Y %H:%M:%S GMT', 1700000000 + k * 3600), k, para)
  end
  out[#out + 1] = '</channel></rss>\n'
  return table.concat(out)
end

local function write_feeds(dir, g)
  for i = 1, FEEDS do assert(fs.write(string.format('%s/feeds/f%d.xml', dir, i), feed_xml(i, g))) end
end

local function entries(dir)
  local db = assert(cdb.open(dir .. '/planet.db'))
  local ok = db:one('PRAGMA integrity_check').integrity_check
  local set, n = {}, 0
  for row in db:rows('SELECT f.url || " " || e.guid AS k FROM entries e JOIN feeds f ON f.id = e.feed_id') do
    set[row.k] = true
    n = n + 1
  end
  db:close()
  return ok, set, n
end

local function planet(dir, extra)
  local feeds = {}
  for i = 1, FEEDS do feeds[i] = { url = string.format('feeds/f%d.xml', i), name = 'Feed ' .. i } end
  local cfg = { name = 'Crash', output_dir = 'out', database = 'planet.db', feeds = feeds,
    commit_interval = 0.05, keep_documents = 'all' }
  for k, v in pairs(extra or {}) do cfg[k] = v end
  return helper.write_planet(dir, cfg)
end

describe('crash safety (end to end)', function()
  it('survives SIGKILLs (50) inside the write path: nothing committed is lost, the next run completes', function()
    local dir = helper.tmpdir()
    assert(fs.mkdirs(dir .. '/feeds'))
    local path = planet(dir)
    write_feeds(dir, 0)
    assert.equals(0, (helper.orrery({ 'refresh', '-c', path, '-q' })))
    local ok, before = entries(dir)
    assert.equals('ok', ok)
    -- How many writes, syncs and truncates one refresh of a new generation asks of SQLite
    -- (ORRERY_FAULT_WRITES=count, see src/api/db.c): each kill below lands just before one
    -- of them, chosen at random, so it hits the write path whatever this machine's speed.
    local g = 1
    write_feeds(dir, g)
    local rc, _, err = helper.sh(string.format('ORRERY_FAULT_WRITES=count %s refresh -c %s -q',
      helper.sh_quote(helper.bin), helper.sh_quote(path)))
    assert.equals(0, rc, err)
    local writes = tonumber(err:match('fault injection: (%d+) writes'))
    assert.is_true(writes and writes > 100, 'writes per refresh: ' .. tostring(writes))
    local integrity, now_set = entries(dir)
    assert.equals('ok', integrity)
    for k in pairs(before) do assert.is_true(now_set[k], 'lost ' .. k) end
    before = now_set
    local kills, runs, completed = 0, 0, 0
    local t0 = cutil.clock()
    math.randomseed(42)
    -- bounded in time, not in tries; every run is checked, killed or not
    while kills < KILLS and cutil.clock() - t0 < 600 do
      runs = runs + 1
      g = g + 1
      write_feeds(dir, g)                     -- every run has new entries to store
      local at = math.random(1, writes)
      local out
      rc, out = helper.sh(string.format('ORRERY_FAULT_WRITES=%d %s refresh -c %s -q; echo "exit $?"',
        at, helper.sh_quote(helper.bin), helper.sh_quote(path)))
      assert.equals(0, rc)
      if out:match('exit 137') then kills = kills + 1
      else
        assert.matches('exit 0', out, 1, true)
        completed = completed + 1
      end
      integrity, now_set = entries(dir)
      assert.equals('ok', integrity, 'after run ' .. runs)
      for k in pairs(before) do
        if not now_set[k] then error(string.format('run %d (killed at write %d of %d) lost %s', runs, at, writes, k)) end
      end
      before = now_set
    end
    -- a run that wrote fewer times than its kill point completed; nearly all are killed
    assert.is_true(completed <= runs // 5, string.format('%d of %d runs completed', completed, runs))
    assert.equals(KILLS, kills)
    assert.equals(0, (helper.orrery({ 'refresh', '-c', path, '-q' })))
    local final, n
    integrity, final, n = entries(dir)
    assert.equals('ok', integrity)
    -- every entry of the last generation is there, and nothing was stored twice
    for i = 1, FEEDS do
      for k = g * 5 + 1, g * 5 + ENTRIES do
        assert.is_true(final[string.format('file://%s/feeds/f%d.xml urn:f%d:e%d', fs.realpath(dir), i, i, k)])
      end
    end
    assert.is_true(n >= FEEDS * ENTRIES)
  end)

  it('stops with a clear error when the disk fills up, and keeps the previous state', function()
    local dir = helper.tmpdir()
    assert(fs.mkdirs(dir .. '/feeds'))
    local path = planet(dir, { commit_interval = 1 })
    write_feeds(dir, 0)
    assert.equals(0, (helper.orrery({ 'refresh', '-c', path, '-q' })))
    local _, before, n0 = entries(dir)
    -- the next generation needs far more room than the files may grow by: every write past
    -- the limit fails with EFBIG, as on a full disk (SIGXFSZ ignored so the write reports it)
    write_feeds(dir, 100)
    local size = fs.stat(dir .. '/planet.db').size
    local rc, _, err = helper.sh(string.format("bash -c 'trap \"\" XFSZ; ulimit -f %d; exec %s refresh -c %s'",
      (size + 64 * 1024) // 1024, helper.sh_quote(helper.bin), helper.sh_quote(path)))
    assert.equals(5, rc, err)                 -- nothing could be written
    assert.matches('cannot write the database .-planet%.db', err)
    assert.matches('disk', err)
    local integrity, after, n1 = entries(dir)
    assert.equals('ok', integrity)
    for k in pairs(before) do assert.is_true(after[k], 'lost ' .. k) end
    assert.is_true(n1 >= n0)
    -- room again: the next run completes
    assert.equals(0, (helper.orrery({ 'refresh', '-c', path, '-q' })))
    local _, _, n2 = entries(dir)
    assert.is_true(n2 > n1)
  end)
end)
