-- The health page of a 1,000-feed planet, read at a glance: every feed a row with its picture
-- of new posts per week, those needing attention first, the planet's last 90 days on top,
-- the feeds to remove with the planet.lua lines that name them; light (under 1 MB), no script,
-- checked in headless Chromium.  health.json carries the same figures.
local helper = require('helper')
local fs = require('orrery._fs')
local json = require('orrery.json')

local N = 1000
local DAY, WEEK = 86400, 7 * 86400

describe('the health page of a 1,000-feed planet', function()
  local dir, cfg, now, page
  setup(function()
    dir = helper.tmpdir()
    local feeds = {}
    for i = 1, N do feeds[i] = { url = string.format('https://f%d.example/feed', i), name = string.format('Feed %04d', i) } end
    local path = helper.write_planet(dir, { name = 'Big', output_dir = 'out', database = 'planet.db', feeds = feeds })
    cfg = assert(require('orrery.config').load(path))
    local st = assert(require('orrery.store').open(cfg.database))
    now = os.time()
    st:begin()
    for i = 1, N do
      local row = st:feed(feeds[i].url, feeds[i].name)
      local upd = { last_attempt = now, last_success = now - 3600, last_status = 200, errors = 0 }
      local newest = now - (i % 26) * WEEK
      if i % 100 == 1 then      -- failing for 40 days
        upd.errors, upd.last_error, upd.failing_since, upd.last_status = 20, 'HTTP 500', now - 40 * DAY, 500
        upd.last_success = now - 40 * DAY
      elseif i % 100 == 2 then  -- failing since yesterday
        upd.errors, upd.last_error, upd.failing_since, upd.last_status = 1, 'timed out', now - DAY, 0
      elseif i % 100 == 3 then  -- gone
        upd.gone, upd.errors, upd.last_error, upd.last_status = 1, 3, 'HTTP 410 Gone: the feed was removed', 410
      elseif i % 100 == 4 then  -- silent for a year
        newest = now - 365 * DAY
      end
      st:update_feed(row.id, upd)
      local entries = {}
      for k = 1, 20 do
        entries[k] = { guid = 'e' .. k, title = 'Entry ' .. k, link = 'https://f.example/' .. k, tags = {}, enclosures = {},
          published = newest - (k - 1) * 5 * DAY, content = '<p>x</p>' }
      end
      st:save_entries(row.id, entries, now, DAY)
      st:log_fetch(row.id, now, { status = 200 }, 12345 + i, 0.25, 0)
    end
    for d = 0, 89 do
      st:log_run(now - d * DAY, { total = N, failed = d % 7, new = 50, changed = 0, seconds = 10 })
    end
    assert(st:commit())
    local t0 = require('orrery._util').cpu()
    require('orrery.layout').render(cfg, st)
    st:close()
    io.stderr:write(string.format('# health: rendered a %d-feed planet in %.2f s of CPU\n', N,
      require('orrery._util').cpu() - t0))
    page = assert(fs.read(dir .. '/out/health.html'))
  end)

  it('is light, has no script, and a picture of each feed', function()
    assert.is_true(#page < 1024 * 1024, #page .. ' bytes')
    local doc = require('orrery._html').parse(page, 'file:///')
    assert.equals(0, #doc:select('//script'))
    local rows = doc:css('table.feeds tbody tr')
    assert.equals(N, #rows)
    for _, r in ipairs(rows) do assert.equals(1, #r:css('svg path')) end
    assert.equals(2, #doc:css('#planet svg path'))
    assert.is_true(#doc:select('//section[@id="planet"]//path[string-length(@d) > 0]') == 2)
  end)

  it('puts the feeds needing attention first: failing (the longest first), gone, silent, then the rest', function()
    local doc = require('orrery._html').parse(page, 'file:///')
    local order = {}
    for _, r in ipairs(doc:css('table.feeds tbody tr')) do order[#order + 1] = r:attr('class') end
    local rank = { failing = 1, gone = 2, silent = 3, stale = 4, recovered = 5, moved = 6, ok = 7, new = 8 }
    for i = 2, #order do assert.is_true(rank[order[i - 1]] <= rank[order[i]], i .. ': ' .. order[i - 1] .. ' before ' .. order[i]) end
    assert.equals('failing', order[1])
    assert.matches('Feed 0001', doc:css('table.feeds tbody tr')[1]:text())   -- failing for 40 days: first
    local counts = {}
    for _, c in ipairs(order) do counts[c] = (counts[c] or 0) + 1 end
    assert.equals(20, counts.failing)
    assert.equals(10, counts.gone)
    assert.equals(10, counts.silent)
  end)

  it('lists the feeds to remove with the planet.lua lines that name them', function()
    local doc = require('orrery._html').parse(page, 'file:///')
    local items = doc:css('#removal li')
    assert.equals(30, #items)          -- gone, failing for 40 days, silent for a year: 10 each
    local planet = assert(fs.read(cfg.path))
    for _, li in ipairs(items) do
      local line, text = li:text():match('planet%.lua:(%d+): (.*)$')
      assert.is_string(line, li:text())
      local n = 0
      for l in (planet .. '\n'):gmatch('([^\n]*)\n') do
        n = n + 1
        if n == tonumber(line) then assert.equals(l, text) end
      end
    end
  end)

  it('gives the same figures in health.json', function()
    local h = json.decode(assert(fs.read(dir .. '/out/health.json')))
    assert.equals(N, #h.feeds)
    assert.equals('failing', h.feeds[1].state)
    assert.equals(26, #h.feeds[1].new_per_week)
    assert.equals(90, #h.days)
    assert.equals(30, #h.removal)
    for _, r in ipairs(h.removal) do
      assert.equals(1, #r.planet_lua, r.name)
      assert.matches(r.url, r.planet_lua[1].text, 1, true)
      assert.is_true(math.type(r.planet_lua[1].line) == 'integer')
    end
  end)

  it('shows in headless Chromium with no script run and a picture per feed', function()
    local rc, dom, err = helper.chromium(dir .. '/out/health.html', 'dom', dir)
    assert.equals(0, rc, err)
    assert.matches('<title>Feed health — Big</title>', dom, 1, true)
    local doc = require('orrery._html').parse(dom, 'file:///')
    assert.equals(N, #doc:css('table.feeds tbody tr svg'))
  end)
end)

describe('what the public pages say of a failure', function()
  -- A feed's owner chooses where it redirects.  Whether the host it sends orrery to was
  -- refused as a private address, was not in DNS or did not answer would tell them what
  -- names the planet's own network has, one a run, on pages anyone reads.
  local publish = require('orrery.publish')

  it('says a failure at a host the feed redirected to one way, whatever it was', function()
    local row = { url = 'http://feeds.example:8080/x.rss', fetch_url = 'https://moved.example/x.rss' }
    local said = {}
    for _, e in ipairs({ 'refused: intranet.corp:80 is on a private address: only the feed\'s own host may be',
        'Could not resolve host: intranet.corp', 'Failed to connect to intranet.corp port 80 after 3 ms: Couldn\'t connect',
        'refused: INTRANET.corp:8443 is on a private address: only the feed\'s own host may be' }) do
      row.last_error = e
      said[publish.feed_error({}, row)] = true
    end
    assert.same({ ['could not fetch intranet.corp, where the feed redirected (orrery status says why)'] = true }, said)
    -- its own hosts' failures, and every other error, as they are
    for _, e in ipairs({ 'Could not resolve host: feeds.example', 'Could not resolve host: moved.example',
        'refused: feeds.example:8080 is on a private address: only the feed\'s own host may be',
        'HTTP 500', 'timed out after 30000 ms' }) do
      row.last_error = e
      assert.equals(e, publish.feed_error({}, row))
    end
    row.last_error = nil
    assert.is_nil(publish.feed_error({}, row))
  end)

  it('in health.html and health.json; orrery status says what happened (end to end)', function()
    local srv = helper.server(helper.root .. '/tests/fixtures/http')
    local dir = helper.tmpdir()
    local private = string.format('http://intranet.localhost:%d/alpha.rss', srv.port)
    local path = helper.write_planet(dir, { name = 'Probed', output_dir = 'out', database = 'planet.db', feeds = {
      { url = srv.url('redirect?to=' .. private), name = 'Private' },
      { url = srv.url('redirect?to=http://nowhere.invalid/alpha.rss'), name = 'Nowhere' },
      { url = srv.url('alpha.rss'), name = 'Alpha' },
    } })
    local code, out, err = helper.orrery({ 'run', '-c', path, '-q' })
    srv.stop()
    assert.equals(3, code, out .. err)          -- some feeds failed
    local h = json.decode(assert(fs.read(dir .. '/out/health.json')))
    local by = {}
    for _, f in ipairs(h.feeds) do by[f.name] = f end
    assert.equals('could not fetch intranet.localhost, where the feed redirected (orrery status says why)',
      by.Private.error)
    assert.equals('could not fetch nowhere.invalid, where the feed redirected (orrery status says why)', by.Nowhere.error)
    local page = assert(fs.read(dir .. '/out/health.html'))
    assert.is_nil(page:find('private address', 1, true))
    assert.is_nil(page:find('resolve', 1, true))
    local _, sout, serr = helper.orrery({ 'status', '-c', path })
    -- (*.localhost is loopback where the resolver knows it, else not in DNS: either way, said)
    local st = sout .. serr
    assert.is_truthy(st:find('intranet.localhost:%d+ is on a private address') or
      st:find('Could not resolve host: intranet.localhost', 1, true), st)
    assert.matches('Could not resolve host: nowhere.invalid', st, 1, true)
  end)
end)
