-- End to end: every server fault a planet meets, in one run of the real binary against the
-- loopback fixture server.  Each faulty feed must end in bounded time and memory with its
-- own clear error; the good feeds of the same run must be stored as if nothing happened.
-- Then the politeness rules: back-off, Retry-After, 410, min_interval, unchanged documents.
local helper = require('helper')
local cdb = require('orrery._db')
local json = require('orrery.json')

describe('server faults (end to end)', function()
  -- busy and down each on a server of their own: a 429 or a 503 holds its host's other feeds
  local srv, busy_srv, down_srv, dir, planet_path
  local faults = {
    -- name = { path, what the error must say }
    loop = { 'loop', 'too many redirects' },
    chain = { 'moved/moved/moved/moved/moved/moved/moved/alpha.rss', 'too many redirects' },
    bomb = { 'bomb', 'larger than the 8388608 byte limit' },
    endless = { 'endless', 'larger than the 8388608 byte limit' },
    huge = { 'huge/200', 'larger than the 8388608 byte limit' },
    drip = { 'drip/100', 'timed out' },
    slow = { 'slow/6000/alpha.rss', 'timed out' },
    lie = { 'lie/alpha.rss', 'closed' },
    badchunk = { 'badchunk', 'chunk' },
    cut = { 'cut-headers', 'empty document' },
    longheader = { 'long-header', 'a response header line longer than libcurl reads' },   -- curl takes the cut as the end of a bodiless reply
    refused = { 'http://127.0.0.1:1/feed', 'onnect' },
    e500 = { 'status/500', 'HTTP 500' },
    e404 = { 'status/404', 'HTTP 404' },
    gone = { 'status/410', 'HTTP 410 Gone' },
    unasked = { 'status/304', 'HTTP 304 Not Modified to a request that had no validators' },
    busy = { 'retry/429/120', 'HTTP 429 Too Many Requests %(Retry%-After: 120 s%)' },
    down = { 'retry/503/999999', 'HTTP 503 Service Unavailable %(Retry%-After: 86400 s%)' },
    html = { 'bare.html', 'not a feed: an HTML page' },
    -- a firewall's bot check in the feed's place, as an error or as if it were the feed
    challenged = { 'status/403/challenge.html', 'HTTP 403: the page is a check for robots' },
    challenge = { 'challenge.html', 'not a feed: the page is a check for robots %("checking if the site' },
    deadlink = { 'dead-link.html', 'a web page, not a feed; the feed it names %(http://127%.0%.0%.1:%d+/status/404%) failed: HTTP 404' },
  }
  local good = { alpha = 'alpha.rss', beta = 'beta.atom', plain = 'plain/alpha.rss' }

  setup(function()
    srv = helper.server(helper.root .. '/tests/fixtures/http')
    busy_srv = helper.server(helper.root .. '/tests/fixtures/http')
    down_srv = helper.server(helper.root .. '/tests/fixtures/http')
    dir = helper.tmpdir()
    local feeds = {}
    local own = { busy = busy_srv, down = down_srv }
    for name, f in pairs(faults) do
      feeds[#feeds + 1] = { url = f[1]:match('^http') and f[1] or (own[name] or srv).url(f[1]), name = name }
    end
    for name, path in pairs(good) do feeds[#feeds + 1] = { url = srv.url(path), name = name } end
    planet_path = helper.write_planet(dir, {
      name = 'Faults', output_dir = 'out', database = 'planet.db',
      timeout = 3, connect_timeout = 2, low_speed_time = 2, feeds = feeds,
    })
  end)
  teardown(function() srv.stop() busy_srv.stop() down_srv.stop() end)

  local function refresh(extra)
    local args = { 'refresh', '-c', planet_path, '--json' }
    for _, a in ipairs(extra or {}) do args[#args + 1] = a end
    local code, out, err = helper.orrery(args)
    local ok, summary = pcall(json.decode, out)
    assert(ok, 'no JSON summary: ' .. out .. err)
    local by = {}
    for _, f in ipairs(summary.feeds) do by[f.name] = f end
    for _, k in ipairs(summary.skipped) do by[k.name] = { skipped = k.reason } end
    return code, summary, by
  end

  local function feed_row(name)
    local db = assert(cdb.open(dir .. '/planet.db'))
    local row = db:one('SELECT f.*, (SELECT count(*) FROM entries e WHERE e.feed_id = f.id) AS n FROM feeds f WHERE name = ?', name)
    db:close()
    return row
  end

  it('ends every fault with its own error, in bounded time and memory, and stores the good feeds', function()
    local code, summary, by = refresh()
    assert.equals(3, code)
    for name, f in pairs(faults) do
      assert.is_string(by[name].error, name .. ' did not fail')
      assert.matches(f[2], by[name].error, 1, false, name)
    end
    for name in pairs(good) do assert.is_nil(by[name].error, name .. ': ' .. tostring(by[name].error)) end
    assert.equals(3 + 2 + 3, summary.new)
    -- each stalling fault ended by its own 3 s timeout (the errors above say "timed out"), not
    -- by the run; a 200 MB feed or a 64 MiB gzip bomb never sits in memory
    -- (AddressSanitizer keeps freed memory in quarantine: `make check` allows for it)
    local limit = (os.getenv('ORRERY_SANITIZED') and 256 or 64) * 1024 * 1024
    assert.is_true(summary.peak_rss < limit, 'peak RSS ' .. summary.peak_rss)
    assert.equals(1, feed_row('gone').gone)
  end)

  it('backs off: Retry-After is honoured, a gone feed is left alone, an unchanged document is not parsed again', function()
    local now = os.time()
    local code, summary, by = refresh()
    assert.equals(3, code)
    assert.matches('backing off', by.busy.skipped)
    assert.matches('backing off', by.down.skipped)
    assert.matches('gone', by.gone.skipped)
    local busy = feed_row('busy')
    -- Retry-After: 120 counts from the attempt that got it (not from this test's clock:
    -- under the sanitizer the previous run can end seconds before this one starts)
    assert.equals(busy.last_attempt + 120, busy.next_attempt)
    assert.is_true(feed_row('down').next_attempt - now <= 86400 + 5)
    -- first failure: tried again at the next run; second one: half an hour later
    assert.is_string(by.e500.error)
    assert.equals(2, feed_row('e500').errors)
    assert.is_true(feed_row('e500').next_attempt >= now + 1800 - 5)
    -- a server without validators sends the same bytes: nothing parsed, nothing written
    assert.is_true(by.plain.unchanged)
    assert.equals(0, summary.new + summary.changed)
    assert.equals(304, by.alpha.status)
  end)

  it('skips feeds that are backing off until --force, and shows when they are tried next', function()
    local _, summary, by = refresh()
    assert.matches('backing off after 2 failures', by.e500.skipped)
    assert.is_nil(by.alpha.skipped)
    assert.equals(3, summary.total)          -- the three good feeds only
    local code, out = helper.orrery({ 'status', '-c', planet_path })
    assert.equals(3, code)                   -- some are failing
    assert.matches('FAIL +e500 +0 +%- +never +500 +in %d+m +%- ', out)
    assert.matches('gone +gone .- never ', out)
    local _, forced = refresh({ '--force' })
    assert.equals(3 + #(function() local t = {} for k in pairs(faults) do t[#t + 1] = k end return t end)(), forced.total)
  end)

  it('skips feeds fetched less than min_interval ago', function()
    local cfg = assert(loadfile(planet_path))()
    cfg.min_interval = 3600
    helper.write_planet(dir, cfg)
    local _, summary, by = refresh()
    assert.equals(0, summary.total)
    assert.matches('fetched %d+ s ago %(min_interval 3600 s%)', by.alpha.skipped)
  end)
end)

describe('orrery.planet back-off rules', function()
  local planet = require('orrery.planet')
  local cfg = { backoff_base = 1800, backoff_max = 86400 }

  it('retries at the next run once, then doubles the wait up to the maximum', function()
    assert.equals(0, planet.backoff(cfg, 1))
    assert.equals(1800, planet.backoff(cfg, 2))
    assert.equals(3600, planet.backoff(cfg, 3))
    assert.equals(57600, planet.backoff(cfg, 7))
    assert.equals(86400, planet.backoff(cfg, 8))
    assert.equals(86400, planet.backoff(cfg, 1000))
  end)

  it('reads Retry-After as seconds or as an HTTP date', function()
    local now = 1700000000
    assert.equals(120, planet.retry_after('120', now))
    assert.equals(3600, planet.retry_after(os.date('!%a, %d %b %Y %H:%M:%S GMT', now + 3600), now))
    assert.equals(0, planet.retry_after(os.date('!%a, %d %b %Y %H:%M:%S GMT', now - 60), now))
    assert.is_nil(planet.retry_after('soon', now))
    assert.is_nil(planet.retry_after(nil, now))
  end)
end)

describe('one fetch queue (end to end)', function()
  it("logs a feed's wait in the queue apart from its transfer, behind two stalled feeds of its host", function()
    local srv = helper.server(helper.root .. '/tests/fixtures/http')
    local dir = helper.tmpdir()
    local path = helper.write_planet(dir, {
      name = 'Queue', output_dir = 'out', database = 'planet.db', per_host = 2, timeout = 2, low_speed_time = 0,
      feeds = { { url = srv.url('slow/6000/alpha.rss?a'), name = 'stall a' },
        { url = srv.url('slow/6000/alpha.rss?b'), name = 'stall b' }, { url = srv.url('beta.atom'), name = 'quick' } },
    })
    local code = helper.orrery({ 'refresh', '-c', path })
    srv.stop()
    assert.equals(3, code)
    local db = assert(cdb.open(dir .. '/planet.db'))
    local log = db:one("SELECT l.* FROM fetch_log l JOIN feeds f ON f.id = l.feed_id WHERE f.name = 'quick'")
    local n = db:one("SELECT count(*) AS n FROM entries e JOIN feeds f ON f.id = e.feed_id WHERE f.name = 'quick'").n
    db:close()
    assert.equals(200, log.status)
    assert.is_nil(log.error)
    assert.equals(2, n)                                            -- fetched completely
    assert.is_true(log.wait >= 1.5, 'waited ' .. log.wait .. ' s')  -- behind a stalled feed's 2 s timeout
    assert.is_true(log.seconds < log.wait, string.format('transfer %.3f s, wait %.3f s', log.seconds, log.wait))
  end)
end)

describe('a charset from the server that the feed contradicts (end to end)', function()
  it('stores every entry of a feed named UTF-16, of one whose byte order mark says UTF-8, and past a byte windows-1252 leaves undefined', function()
    local srv = helper.server(helper.root .. '/tests/fixtures/http')
    local dir = helper.tmpdir()
    local path = helper.write_planet(dir, {
      name = 'Charsets', output_dir = 'out', database = 'planet.db',
      feeds = { { url = srv.url('charset/utf-16/alpha.rss'), name = 'named utf-16' },
        { url = srv.url('charset/iso-8859-1/bom.rss'), name = 'bom' },
        { url = srv.url('cp1252.rss'), name = 'cp1252' } },
    })
    local code, out = helper.orrery({ 'refresh', '-c', path, '--json' })
    srv.stop()
    assert.equals(0, code, out)
    local db = assert(cdb.open(dir .. '/planet.db'))
    local function titles(name)
      local t = {}
      for row in db:rows('SELECT e.title, e.summary FROM entries e JOIN feeds f ON f.id = e.feed_id WHERE f.name = ?'
          .. ' ORDER BY e.guid', name) do
        t[#t + 1] = row
      end
      return t
    end
    local named, bom, cp = titles('named utf-16'), titles('bom'), titles('cp1252')
    db:close()
    assert.equals(3, #named)                                      -- alpha.rss whole, as served plainly
    local seen = {}
    for _, r in ipairs(named) do seen[r.title] = true end
    assert.is_true(seen['First post'])
    assert.equals('Crème brûlée', bom[1].title)
    assert.equals(2, #cp)
    assert.equals('one \u{201C}q\u{201D} x\u{81}y end', cp[1].title)
    assert.equals('after it \u{2013} more', cp[1].summary)
    assert.equals('two', cp[2].title)
  end)
end)

describe('a feed of long posts (end to end)', function()
  -- SQLite keeps what a feed's savepoint must be able to undo in a sub-journal; spilled to a
  -- file in chunks of 128 KiB or more, its writes were cut to nothing (SQLite masks a write
  -- to 17 bits) and the refresh died with "database or disk is full" at the first feed that
  -- rewrote over 1 MiB of pages: any planet with one full-text feed of long posts.
  local function long_feed(version)
    local items = {}
    for i = 1, 30 do
      local words = {}
      for j = 1, 22000 do words[j] = string.format('w%d', (i * 7919 + j * 104729 + version) % 1000003) end
      items[i] = string.format('<item><title>Post %d</title><link>http://example.com/p/%d</link><guid>p%d</guid>'
        .. '<description>&lt;p&gt;%s&lt;/p&gt;</description></item>', i, i, i, table.concat(words, ' '))
    end
    return '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Long</title>'
      .. '<link>http://example.com/</link><description>long posts</description>' .. table.concat(items, '\n')
      .. '</channel></rss>'
  end

  it('stores 30 posts of 170 kB each, and stores them again when every one changed', function()
    local www = helper.tmpdir()
    local srv = helper.server(www)
    local dir = helper.tmpdir()
    local path = helper.write_planet(dir, {
      name = 'Long', output_dir = 'out', database = 'planet.db',
      feeds = { { url = srv.url('long.rss'), name = 'long' } },
    })
    local function serve(version)
      local body = long_feed(version)
      assert.is_true(#body > 4 * 1024 * 1024 and #body < 8 * 1024 * 1024, #body)
      local f = assert(io.open(www .. '/long.rss', 'wb'))
      f:write(body)
      f:close()
    end
    local function stored()
      local db = assert(cdb.open(dir .. '/planet.db'))
      local row = db:one('SELECT count(*) AS n, min(length(summary)) AS least, sum(summary LIKE ?) AS v2'
        .. ' FROM entries', '%w' .. ((1 * 7919 + 1 * 104729 + 2) % 1000003) .. ' %')
      db:close()
      return row
    end
    serve(1)
    local code, out, err = helper.orrery({ 'refresh', '-c', path, '--json' })
    assert.equals(0, code, out .. err)
    local first = stored()
    assert.equals(30, first.n)
    assert.is_true(first.least > 150000, tostring(first.least))
    serve(2)
    code, out, err = helper.orrery({ 'refresh', '-c', path, '--json', '--force' })
    srv.stop()
    assert.equals(0, code, out .. err)
    local summary = json.decode(out)
    assert.equals(30, summary.changed, out)
    assert.equals(30, stored().n)
  end)
end)
