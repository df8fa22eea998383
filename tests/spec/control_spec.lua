-- End to end: the planet author's control over what is shown and how feeds are fetched —
-- dedupe across feeds and `orrery why`, filters, new_feed_items, recipe drops, retention,
-- per-feed HTTP settings, a 429 holding its host, host spacing, WebSub, enclosures in the
-- outputs and month names in the planet's language.  The real binary against loopback servers.
local helper = require('helper')
local cfs = require('orrery._fs')
local json = require('orrery.json')

local function q(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

-- An RSS document: items { title, link, guid, age (hours before now), text, enclosure }.
local function rss(title, items)
  local out = { '<?xml version="1.0" encoding="utf-8"?>', '<rss version="2.0"><channel>',
    '<title>' .. title .. '</title><link>https://' .. title:lower():gsub('%W', '') .. '.example/</link>',
    '<description>test</description>' }
  local now = os.time()
  for _, it in ipairs(items) do
    out[#out + 1] = '<item>'
    if it.title then out[#out + 1] = '<title>' .. it.title .. '</title>' end
    if it.link then out[#out + 1] = '<link>' .. it.link .. '</link>' end
    if it.guid then out[#out + 1] = '<guid isPermaLink="false">' .. it.guid .. '</guid>' end
    out[#out + 1] = '<pubDate>' .. os.date('!%a, %d %b %Y %H:%M:%S GMT', now - (it.age or 1) * 3600) .. '</pubDate>'
    if it.text then out[#out + 1] = '<description><![CDATA[' .. it.text .. ']]></description>' end
    if it.enclosure then out[#out + 1] = it.enclosure end
    out[#out + 1] = '</item>'
  end
  out[#out + 1] = '</channel></rss>'
  return table.concat(out, '\n')
end

local function count(s, needle)
  local n, i = 0, 1
  while true do
    local a, b = s:find(needle, i, true)
    if not a then return n end
    n, i = n + 1, b + 1
  end
end

local function read(path) return assert(cfs.read(path)) end

local LONG = string.rep('Free threading changes how extension modules hold the interpreter lock. ', 5)

describe('dedupe across feeds (end to end)', function()
  local srv, dir
  setup(function()
    dir = helper.tmpdir()
    assert(cfs.mkdirs(dir .. '/www'))
    srv = helper.server(dir .. '/www')
    -- the blog's main feed; its python category feed (the same posts); a mirror that
    -- republishes one post under its own link and id; two link blogs pointing at one page
    assert(cfs.write(dir .. '/www/main.rss', rss('Main', {
      { title = 'Shared post', link = 'https://blog.example/shared', guid = 'tag:blog.example,2026:1', age = 3 },
      { title = 'Mirrored post', link = 'https://blog.example/mirrored', guid = 'tag:blog.example,2026:2', age = 5,
        text = LONG },
      { title = 'Main only', link = 'https://blog.example/main-only', guid = 'tag:blog.example,2026:3', age = 7 },
    })))
    assert(cfs.write(dir .. '/www/category.rss', rss('Category', {
      { title = 'Shared post', link = 'https://blog.example/shared?utm_source=rss', guid = 'tag:blog.example,2026:1',
        age = 3 },
    })))
    assert(cfs.write(dir .. '/www/mirror.rss', rss('Mirror', {
      { title = 'Mirrored post', link = 'https://mirror.example/copy-of-mirrored', guid = 'mirror-77', age = 4,
        text = LONG },
    })))
    assert(cfs.write(dir .. '/www/links1.rss', rss('Links one', {
      { title = 'PEP 703 is accepted, and here is why I care', link = 'https://peps.python.org/pep-0703/', age = 9 },
    })))
    assert(cfs.write(dir .. '/www/links2.rss', rss('Links two', {
      { title = 'My take on the GIL removal', link = 'https://peps.python.org/pep-0703/', age = 10 },
    })))
  end)
  teardown(function() srv.stop() end)

  local function planet(extra)
    local cfg = { name = 'Dedupe', link = 'https://planet.example/', output_dir = 'out', database = 'planet.db',
      feeds = {
        { url = srv.url('main.rss'), name = 'Main' }, { url = srv.url('category.rss'), name = 'Category' },
        { url = srv.url('mirror.rss'), name = 'Mirror' }, { url = srv.url('links1.rss'), name = 'Links one' },
        { url = srv.url('links2.rss'), name = 'Links two' },
      } }
    for k, v in pairs(extra or {}) do cfg[k] = v end
    return helper.write_planet(dir, cfg)
  end

  it('shows a post two feeds carry once, in every output, and `why` names the rule and the copy shown', function()
    local path = planet()
    assert.equals(0, (helper.orrery({ 'run', '-q', '-c', path })))
    local atom = read(dir .. '/out/atom.xml')
    assert.equals(1, count(atom, '<id>tag:blog.example,2026:1</id>'))
    assert.equals(1, count(atom, '<title type="text">Mirrored post</title>'))
    assert.equals(1, count(read(dir .. '/out/index.html'), '>Shared post<'))
    assert.equals(1, count(read(dir .. '/out/rss20.xml'), 'Mirrored post</title>'))
    -- two link blogs with their own words about one page are two posts
    assert.equals(1, count(atom, 'PEP 703 is accepted'))
    assert.equals(1, count(atom, 'My take on the GIL removal'))
    -- the archive page of the month shows it once too
    local month = os.date('!%Y-%m', os.time() - 3 * 3600)
    assert.equals(1, count(read(dir .. '/out/archive/' .. month .. '.html'), '>Shared post<'))

    local code, out = helper.orrery({ 'why', '-c', path, 'tag:blog.example,2026:1' })
    assert.equals(0, code)
    assert.matches('SHOWN +Shared post', out)
    assert.matches('HIDDEN +Shared post', out)
    assert.matches('a duplicate %(the same id%) of the entry "Shared post" from Main, which is shown', out)
    assert.matches('on the front page', out)
    code, out = helper.orrery({ 'why', '-c', path, 'https://mirror.example/copy-of-mirrored' })
    assert.equals(0, code)
    assert.matches('HIDDEN +Mirrored post', out)
    assert.matches('the same title and text', out)
    assert.matches('stored from Mirror', out)
  end)

  it('lets the planet choose the copy (dedupe = "order"), or show every copy (dedupe = false)', function()
    local path = planet({ dedupe = 'order' })
    -- the category feed listed first: its copy is the one shown
    local cfg = assert(loadfile(path))()
    cfg.feeds[1], cfg.feeds[2] = cfg.feeds[2], cfg.feeds[1]
    path = helper.write_planet(dir, cfg)
    assert.equals(0, (helper.orrery({ 'render', '-c', path })))
    local _, out = helper.orrery({ 'why', '-c', path, 'https://blog.example/shared' })
    assert.matches('from Category, which is shown %(dedupe = "order"', out)
    path = planet({ dedupe = false })
    assert.equals(0, (helper.orrery({ 'render', '-c', path })))
    assert.equals(2, count(read(dir .. '/out/atom.xml'), '<id>tag:blog.example,2026:1</id>'))
  end)

  it('answers for entries it does not know (exit 1), with --json for scripts', function()
    local path = planet()
    local code, out = helper.orrery({ 'why', '-c', path, 'https://nowhere.example/post' })
    assert.equals(1, code)
    assert.matches('nothing is known of', out)
    code, out = helper.orrery({ 'why', '-c', path, '--json', 'Main only' })
    assert.equals(0, code)
    local a = json.decode(out)
    assert.equals(1, #a)
    assert.is_true(a[1].shown)
    assert.equals('Main', a[1].feed)
  end)
end)

describe('filters, new feeds and recipe drops (end to end)', function()
  local srv, dir
  setup(function()
    dir = helper.tmpdir()
    assert(cfs.mkdirs(dir .. '/www'))
    assert(cfs.mkdirs(dir .. '/recipes'))
    srv = helper.server(dir .. '/www')
    assert(cfs.write(dir .. '/www/a.rss', rss('A', {
      { title = 'Python 3.15 released', link = 'https://a.example/1', age = 1 },
      { title = 'SPONSORED: buy our course', link = 'https://a.example/2', age = 2 },
      { title = 'Job: Django developer wanted', link = 'https://a.example/3', age = 3 },
      { title = 'Cooking with cast iron', link = 'https://a.example/4', age = 4 },
    })))
    assert(cfs.write(dir .. '/www/b.rss', rss('B', {
      { title = 'Newest of B', link = 'https://b.example/1', age = 1 },
      { title = 'Older of B', link = 'https://b.example/2', age = 30 },
      { title = 'Oldest of B', link = 'https://b.example/3', age = 60 },
    })))
    assert(cfs.write(dir .. '/recipes/nojobs.lua',
      'return { entry = function(e) if e.title:find("^Job:") then return nil, "no job ads" end return e end }'))
  end)
  teardown(function() srv.stop() end)

  it('hides what the planet excludes and what a feed does not let through, and says which rule', function()
    local path = helper.write_planet(dir, { name = 'Rules', output_dir = 'out', database = 'planet.db',
      exclude = 'sponsored', new_feed_items = 1,
      feeds = { { url = srv.url('a.rss'), name = 'A', recipe = 'nojobs', exclude = { 'cast iron' } },
        { url = srv.url('b.rss'), name = 'B' } } })
    assert.equals(0, (helper.orrery({ 'run', '-q', '-c', path })))
    local page = read(dir .. '/out/index.html')
    assert.matches('Python 3.15 released', page, 1, true)
    assert.not_matches('SPONSORED', page, 1, true)
    assert.not_matches('cast iron', page, 1, true)
    assert.not_matches('Django developer', page, 1, true)
    assert.matches('Newest of B', page, 1, true)
    assert.not_matches('Older of B', page, 1, true)
    local function why(x)
      local _, out = helper.orrery({ 'why', '-c', path, x })
      return out
    end
    assert.matches([[the planet's exclude "sponsored" matches it]], why('https://a.example/2'), 1, true)
    assert.matches([[its feed's exclude "cast iron" matches it]], why('https://a.example/4'), 1, true)
    assert.matches('the recipe nojobs dropped it: no job ads', why('https://a.example/3'), 1, true)
    assert.matches('new_feed_items', why('Older of B'), 1, true)
    -- the archive follows the same rules
    local month = os.date('!%Y-%m', os.time() - 3600)
    assert.not_matches('SPONSORED', read(dir .. '/out/archive/' .. month .. '.html'), 1, true)
  end)

  it('takes a function as a filter, and refuses a pattern that does not compile (exit 4)', function()
    local text = assert(cfs.read(helper.write_planet(dir, { name = 'Rules', output_dir = 'out',
      database = 'planet.db', feeds = { { url = srv.url('a.rss'), name = 'A' } } })))
    -- (helper.write_planet cannot write a function)
    text = text:gsub('^return {', 'return {\n  filter = function(e) return e.title:find("Python"), "only Python" end,')
    assert(cfs.write(dir .. '/fn.lua', text))
    assert.equals(0, (helper.orrery({ 'render', '-c', dir .. '/fn.lua' })))
    local page = read(dir .. '/out/index.html')
    assert.matches('Python 3.15 released', page, 1, true)
    assert.not_matches('cast iron', page, 1, true)
    local _, out = helper.orrery({ 'why', '-c', dir .. '/fn.lua', 'https://a.example/4' })
    assert.matches('hidden: only Python', out, 1, true)
    local bad = helper.write_planet(dir, { name = 'Rules', output_dir = 'out', database = 'planet.db', exclude = '[oops',
      feeds = { { url = srv.url('a.rss'), name = 'A' } } })
    local code, _, err = helper.orrery({ 'render', '-c', bad })
    assert.equals(4, code)
    assert.matches('config: exclude: "[oops": malformed pattern', err, 1, true)
  end)
end)

describe('retention (end to end)', function()
  local srv, dir
  setup(function()
    dir = helper.tmpdir()
    assert(cfs.mkdirs(dir .. '/www'))
    srv = helper.server(dir .. '/www')
    local items = {}
    for i = 1, 6 do items[i] = { title = 'Post ' .. i, link = 'https://r.example/' .. i, age = 24 * (i + 1) } end
    assert(cfs.write(dir .. '/www/r.rss', rss('R', items)))
  end)
  teardown(function() srv.stop() end)

  it('keeps the newest keep_entries, never brings a removed entry back, and says where it went', function()
    local path = helper.write_planet(dir, { name = 'Keep', output_dir = 'out', database = 'planet.db',
      feeds = { { url = srv.url('r.rss'), name = 'R', keep_entries = 2 } } })
    local code, out = helper.orrery({ 'expunge', '-c', path, '--dry-run' })
    assert.equals(0, code)
    assert.matches('would remove 0 entries', out)          -- nothing stored yet
    assert.equals(0, (helper.orrery({ 'run', '-q', '-c', path })))
    local _, st = helper.orrery({ 'status', '-c', path, '--json' })
    local row = json.decode(st)[1]
    assert.equals(2, row.entries)
    assert.equals(4, row.expunged)
    -- the feed still carries them: a forced refresh stores nothing again
    assert.equals(0, (helper.orrery({ 'run', '-q', '-c', path, '--force' })))
    row = json.decode(select(2, helper.orrery({ 'status', '-c', path, '--json' })))[1]
    assert.equals(2, row.entries)
    local page = read(dir .. '/out/index.html')
    assert.matches('Post 2', page, 1, true)
    assert.not_matches('Post 3', page, 1, true)
    local _, why = helper.orrery({ 'why', '-c', path, 'https://r.example/5' })
    assert.matches('removed from R on .- by retention: keep_entries = 2 %(this feed\'s%)', why)
    local _, plain = helper.orrery({ 'status', '-c', path })
    assert.matches('retention has removed 4 entries', plain, 1, true)
  end)

  it('never removes what is on the front page, whatever keep_days says', function()
    local d2 = helper.tmpdir()
    local path = helper.write_planet(d2, { name = 'Days', output_dir = 'out', database = 'planet.db',
      keep_days = 1, items_per_page = 3, feeds = { { url = srv.url('r.rss'), name = 'R' } } })
    assert.equals(0, (helper.orrery({ 'run', '-q', '-c', path })))
    local row = json.decode(select(2, helper.orrery({ 'status', '-c', path, '--json' })))[1]
    assert.equals(3, row.entries)                -- all older than a day; the front page's three stay
    assert.equals(3, row.expunged)
  end)
end)

describe('per-feed HTTP (end to end)', function()
  local srv, dir
  setup(function()
    dir = helper.tmpdir()
    srv = helper.server(helper.root .. '/tests/fixtures/http')
  end)
  teardown(function() srv.stop() end)

  local function run_with_env(env, args)
    local parts = { env, q(helper.bin) }
    for _, a in ipairs(args) do parts[#parts + 1] = q(a) end
    return helper.sh(table.concat(parts, ' '))
  end

  it('sends each feed its own user agent, headers, cookies and Basic auth, and never shows the password', function()
    local path = helper.write_planet(dir, { name = 'HTTP', output_dir = 'out', database = 'planet.db',
      feeds = {
        { url = srv.url('auth/jo/s3cret-pw/alpha.rss'), name = 'Private', user_agent = 'MyBot/1.0',
          headers = { ['X-Api-Key'] = 'k-123' }, cookies = { session = 'abc', theme = 'dark' },
          auth = { user = 'jo', password_env = 'ORRERY_TEST_PW' } },
        { url = srv.url('beta.atom'), name = 'Public' },
      } })
    -- the password comes from the environment; without it, a config error naming the variable
    local code, _, err = helper.orrery({ 'run', '-q', '-c', path })
    assert.equals(4, code)
    assert.matches('ORRERY_TEST_PW is not set', err, 1, true)
    code = run_with_env('ORRERY_TEST_PW=s3cret-pw', { 'run', '-q', '-c', path })
    assert.equals(0, code)
    local private, public
    for _, r in ipairs(srv.stats()) do
      if r.path:find('^/auth/') and r.status == 200 then private = r end
      if r.path == '/beta.atom' then public = r end
    end
    assert.is_table(private, 'the authenticated request was not answered')
    assert.equals('MyBot/1.0', private.headers['user-agent'])
    assert.equals('k-123', private.headers['x-api-key'])
    assert.equals('session=abc; theme=dark', private.headers['cookie'])
    assert.matches('^Basic ', private.headers['authorization'])
    assert.matches('^orrery/', public.headers['user-agent'])
    assert.is_nil(public.headers['cookie'])
    assert.is_nil(public.headers['authorization'])
    assert.is_nil(public.headers['x-api-key'])
    -- the secret is in no output (the URL's path holds it only because this test server wants it there)
    for _, f in ipairs(cfs.list(dir .. '/out')) do
      local body = cfs.read(dir .. '/out/' .. f)
      if body then assert.not_matches('ORRERY_TEST_PW', body, 1, true) end
    end
    local _, st = run_with_env('ORRERY_TEST_PW=s3cret-pw', { 'status', '-c', path, '--json' })
    assert.not_matches('password', st, 1, true)
  end)

  it('gives a feed its own timeout, interval and proxy', function()
    local d2 = helper.tmpdir()
    local path = helper.write_planet(d2, { name = 'HTTP', output_dir = 'out', database = 'planet.db', timeout = 30,
      feeds = {
        { url = srv.url('slow/3000/alpha.rss'), name = 'Slow', timeout = 1 },
        { url = srv.url('beta.atom'), name = 'Hourly', interval = 3600 },
        { url = 'http://feeds.invalid/alpha.rss', name = 'Proxied', proxy = srv.url('') },
      } })
    local code, out = helper.orrery({ 'refresh', '--json', '-c', path })
    assert.equals(3, code)
    local by = {}
    for _, f in ipairs(json.decode(out).feeds) do by[f.name] = f end
    assert.matches('timed out', by.Slow.error)
    assert.is_nil(by.Hourly.error)
    assert.is_nil(by.Proxied.error)
    assert.equals(3, by.Proxied.new)
    local proxied = false
    for _, r in ipairs(srv.stats()) do
      if r.headers['x-proxied'] == 'yes' and r.path == '/alpha.rss' then proxied = true end
    end
    assert.is_true(proxied)
    code, out = helper.orrery({ 'refresh', '--json', '-c', path })
    assert.equals(3, code)                       -- Slow is still failing
    local skipped = {}
    for _, k in ipairs(json.decode(out).skipped) do skipped[k.name] = k.reason end
    assert.matches('its interval 3600 s', skipped.Hourly, 1, true)
  end)
end)

describe('a host that asks us to wait (end to end)', function()
  it('holds the host\'s other feeds: not requested in that run, held until Retry-After in the next', function()
    local dir = helper.tmpdir()
    local busy = helper.server(helper.root .. '/tests/fixtures/http')
    local other = helper.server(helper.root .. '/tests/fixtures/http')
    local path = helper.write_planet(dir, { name = 'Polite', output_dir = 'out', database = 'planet.db',
      concurrency = 1, per_host = 1,
      feeds = {
        { url = busy.url('retry/429/600'), name = 'Busy' },
        { url = busy.url('alpha.rss'), name = 'Same host' },
        { url = busy.url('beta.atom'), name = 'Same host too' },
        { url = other.url('alpha.rss'), name = 'Elsewhere' },
      } })
    local code, out = helper.orrery({ 'refresh', '--json', '-c', path })
    assert.equals(3, code)
    local s = json.decode(out)
    local by = {}
    for _, f in ipairs(s.feeds) do by[f.name] = f end
    for _, k in ipairs(s.skipped) do by[k.name] = { skipped = k.reason } end
    assert.matches('HTTP 429', by.Busy.error)
    assert.matches('not requested: 127.0.0.1:%d+ answered HTTP 429 %(Retry%-After: 600%)', by['Same host'].skipped)
    assert.matches('not requested', by['Same host too'].skipped)
    assert.equals(3, by.Elsewhere.new)
    local asked = busy.arrivals()
    assert.same({ '/retry/429/600' }, asked)
    -- the next run leaves the host alone until the time it gave
    code, out = helper.orrery({ 'refresh', '--json', '-c', path })
    assert.equals(3, code)
    s = json.decode(out)
    by = {}
    for _, k in ipairs(s.skipped) do by[k.name] = k.reason end
    assert.matches('held until .-: 127.0.0.1:%d+ answered HTTP 429', by['Same host'])
    assert.matches('backing off', by.Busy)
    assert.same({ '/retry/429/600' }, busy.arrivals())
    -- --force asks anyway
    helper.orrery({ 'refresh', '--json', '--force', '-c', path })
    assert.is_true(#busy.arrivals() > 1)
    busy.stop()
    other.stop()
  end)

  it('spaces the requests to one host by host_spacing', function()
    local dir = helper.tmpdir()
    local srv = helper.server(helper.root .. '/tests/fixtures/http')
    local path = helper.write_planet(dir, { name = 'Spaced', output_dir = 'out', database = 'planet.db',
      host_spacing = 1,
      feeds = { { url = srv.url('alpha.rss'), name = 'A' }, { url = srv.url('beta.atom'), name = 'B' },
        { url = srv.url('plain/alpha.rss'), name = 'C' } } })
    assert.equals(0, (helper.orrery({ 'refresh', '-q', '-c', path })))
    local times = {}
    for _, r in ipairs(srv.stats()) do times[#times + 1] = r.time end
    table.sort(times)
    assert.equals(3, #times)
    -- (a lower bound only: a slow machine may space them more, never less)
    assert.is_true(times[2] - times[1] >= 0.95, 'gap ' .. (times[2] - times[1]))
    assert.is_true(times[3] - times[2] >= 0.95, 'gap ' .. (times[3] - times[2]))
    srv.stop()
  end)
end)

describe('publishing: WebSub, enclosures, locale (end to end)', function()
  local srv, dir
  setup(function()
    dir = helper.tmpdir()
    srv = helper.server(helper.root .. '/tests/fixtures/http')
  end)
  teardown(function() srv.stop() end)

  it('links the hub from the feeds and pings it when a run changed the planet, never failing for it', function()
    local path = helper.write_planet(dir, { name = 'Hubbed', link = 'https://planet.example/', output_dir = 'out',
      database = 'planet.db', hub = srv.url('hub'), feeds = { { url = srv.url('alpha.rss'), name = 'A' } } })
    assert.equals(0, (helper.orrery({ 'run', '-q', '-c', path })))
    assert.matches('<link rel="hub" href="' .. srv.url('hub') .. '"/>', read(dir .. '/out/atom.xml'), 1, true)
    assert.matches('<atom:link rel="hub" href="' .. srv.url('hub') .. '"/>', read(dir .. '/out/rss20.xml'), 1, true)
    local posts = srv.posts()
    assert.equals(1, #posts)
    assert.equals('/hub', posts[1].path)
    assert.equals('application/x-www-form-urlencoded', posts[1].content_type)
    assert.matches('hub.mode=publish', posts[1].body, 1, true)
    assert.matches('hub.url=https%3A%2F%2Fplanet.example%2Fatom.xml', posts[1].body, 1, true)
    assert.matches('hub.url=https%3A%2F%2Fplanet.example%2Frss20.xml', posts[1].body, 1, true)
    -- nothing new: no ping
    assert.equals(0, (helper.orrery({ 'run', '-q', '-c', path })))
    assert.equals(1, #srv.posts())
    -- a hub that fails is a warning, not a failed run
    local d2 = helper.tmpdir()
    path = helper.write_planet(d2, { name = 'Hubbed', link = 'https://planet.example/', output_dir = 'out',
      database = 'planet.db', hub = srv.url('hub/500'), feeds = { { url = srv.url('beta.atom'), name = 'B' } } })
    local code, _, err = helper.orrery({ 'run', '-c', path })
    assert.equals(0, code)
    assert.matches('answered HTTP 500', err, 1, true)
  end)

  it('writes enclosures into atom.xml and rss20.xml, and players into the page', function()
    local path = helper.write_planet(dir, { name = 'Cast', output_dir = 'out', database = 'planet.db',
      feeds = { { url = srv.url('alpha.rss'), name = 'A' } } })
    assert.equals(0, (helper.orrery({ 'run', '-q', '-c', path })))
    assert.matches('<link rel="enclosure" href="https://example.org/a.mp3" type="audio/mpeg" length="1234"/>',
      read(dir .. '/out/atom.xml'), 1, true)
    assert.matches('<enclosure url="https://example.org/a.mp3" length="1234" type="audio/mpeg"/>',
      read(dir .. '/out/rss20.xml'), 1, true)
    assert.matches('<audio controls preload="none" src="https://example.org/a.mp3"></audio>',
      read(dir .. '/out/index.html'), 1, true)
    -- both feeds are still well-formed XML
    for _, f in ipairs({ 'atom.xml', 'rss20.xml' }) do
      local feed = require('orrery.parse').feed(read(dir .. '/out/' .. f), { url = 'https://planet.example/' })
      assert.is_false(feed.bozo, f)
      local found
      for _, e in ipairs(feed.entries) do
        if e.enclosures[1] then found = e.enclosures[1].href end
      end
      assert.equals('https://example.org/a.mp3', found)
    end
  end)

  it('writes month and day names in the planet\'s language, shipped with orrery', function()
    local d2 = helper.tmpdir()
    local path = helper.write_planet(d2, { name = 'Deutsch', output_dir = 'out', database = 'planet.db',
      locale = 'de_DE.UTF-8', feeds = { { url = srv.url('alpha.rss'), name = 'A' } } })
    -- a machine with only the C locale still writes German
    local code = helper.sh('LANG=C LC_ALL=C ' .. q(helper.bin) .. ' run -q -c ' .. q(path))
    assert.equals(0, code)
    local page = read(d2 .. '/out/index.html')
    assert.matches('01. Januar 2004', page, 1, true)
    assert.matches('Donnerstag, 01. Januar 2004', page, 1, true)
    assert.matches('<html lang="de">', page, 1, true)
    assert.matches('Januar 2004', read(d2 .. '/out/archive/2004-01.html'), 1, true)
    local bad = helper.write_planet(d2, { name = 'X', output_dir = 'out', database = 'planet.db', locale = 'xx_YY',
      feeds = {} })
    local c2, _, err = helper.orrery({ 'render', '-c', bad })
    assert.equals(4, c2)
    assert.matches('locale "xx_YY"', err, 1, true)
  end)

  it('marks each entry with the language its feed is written in, or the one the config gives', function()
    local d2 = helper.tmpdir()
    assert(cfs.mkdirs(d2 .. '/www'))
    local item = '<item><title>%s</title><link>https://%s.example/1</link><guid>%s-1</guid>'
      .. '<pubDate>Mon, 07 Dec 2026 08:00:00 GMT</pubDate><description>text %s</description></item>'
    local function rss_lang(name, lang)
      return '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>' .. name .. '</title>'
        .. (lang and '<language>' .. lang .. '</language>' or '') .. item:format(name, name, name, name)
        .. '</channel></rss>'
    end
    assert(cfs.write(d2 .. '/www/de.rss', rss_lang('German', 'de_DE')))
    assert(cfs.write(d2 .. '/www/junk.rss', rss_lang('Junk', 'English')))
    assert(cfs.write(d2 .. '/www/none.rss', rss_lang('Unsaid')))
    assert(cfs.write(d2 .. '/www/wrong.rss', rss_lang('Brazilian', 'en-us')))
    assert(cfs.write(d2 .. '/www/ja.atom', '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"'
      .. ' xml:lang="ja"><title>Japanese</title><id>urn:j</id><updated>2026-12-07T08:00:00Z</updated><entry><title>日本語'
      .. '</title><id>urn:j:1</id><link href="https://japanese.example/1"/><updated>2026-12-07T08:00:00Z</updated>'
      .. '<content>本文</content></entry></feed>'))
    local www = helper.server(d2 .. '/www')
    local path = helper.write_planet(d2, { name = 'Languages', output_dir = 'out', database = 'planet.db', feeds = {
      { url = www.url('de.rss') }, { url = www.url('junk.rss') }, { url = www.url('none.rss') },
      { url = www.url('wrong.rss'), language = 'pt_BR' }, { url = www.url('ja.atom') } } })
    local code, o, err = helper.orrery({ 'run', '-q', '-c', path })
    www.stop()
    assert.equals(0, code, o .. err)
    local page = read(d2 .. '/out/index.html')
    local function lang_of(title)
      local at = assert(page:find('>' .. title .. '<', 1, true), title)
      local tag = page:sub(1, at):match('.*(<h4[^>]*>)')
      return tag:match(' lang="([^"]*)"')
    end
    assert.equals('de-DE', lang_of('German'))       -- de_DE, as HTML writes it
    assert.is_nil(lang_of('Junk'))                  -- "English" is no language tag
    assert.is_nil(lang_of('Unsaid'))
    assert.equals('pt-BR', lang_of('Brazilian'))    -- the config's word over the feed's, as HTML writes it
    assert.equals('ja', lang_of('日本語'))
    assert.matches('<div class="content" dir="auto" lang="ja">', page, 1, true)
    assert.matches('<entry xml:lang="ja">', read(d2 .. '/out/atom.xml'), 1, true)
    local bad = helper.write_planet(d2, { name = 'X', output_dir = 'out', database = 'planet.db',
      feeds = { { url = 'https://x.example/feed', language = 'German' } } })
    local c2, _, err2 = helper.orrery({ 'render', '-c', bad })
    assert.equals(4, c2)
    assert.matches('feeds[1].language "German" is no language tag', err2, 1, true)
  end)
end)

describe('orrery.locale', function()
  local locale = require('orrery.locale')
  it('formats with the language\'s names and keeps the rest to strftime', function()
    local t = os.time({ year = 2026, month = 3, day = 5, hour = 15, min = 4, sec = 0, isdst = false })
    t = t + (os.time() - os.time(os.date('!*t')))       -- (os.time reads local time)
    local f = locale.formatter('ru', 'UTC')
    assert.equals('5 марта 2026', f('%-d %B %Y', t))
    assert.equals('Март 2026', f('%OB %Y', t))
    assert.equals('100% Чт', locale.formatter('ru_RU', 'UTC')('100%% %a', t))
    assert.equals('jeudi 05 mars 2026', locale.formatter('fr', 'UTC')('%A %d %B %Y', t))
    assert.equals('Thursday 05 March 2026 03 PM', locale.formatter(nil, 'UTC')('%A %d %B %Y %I %p', t))
    assert.equals('nb', locale.language('no_NO'))
    assert.is_nil(locale.language('xx'))
  end)
end)

describe('import-venus: filters, retention, locale', function()
  it('converts filter/exclude regular expressions to patterns, cache_keep_entries and locale', function()
    local dir = helper.tmpdir()
    assert(cfs.write(dir .. '/config.ini', table.concat({
      '[Planet]', 'name = Imported', 'filter = python|django', 'exclude = (?i)sponsor\\w*', 'locale = de_DE.UTF-8',
      'cache_keep_entries = 50', '', '[http://example.org/feed]', 'name = Ex', 'exclude = \\bads?\\b',
      '', '[http://example.org/other]', 'name = Other', 'filter = (a|b){2}', '' }, '\n')))
    local code, out, err = helper.orrery({ 'import-venus', dir .. '/config.ini' })
    assert.equals(0, code, err)
    assert.matches('filter = {%s*"python",%s*"django",%s*}', out)
    assert.matches('exclude = {%s*"sponsor%%w%*",%s*}', out)
    assert.matches('locale = "de_DE.UTF-8"', out, 1, true)
    assert.matches('keep_entries = 50', out, 1, true)
    assert.matches('exclude = { "%f[%w]ads?%f[%W]" }', out, 1, true)
    assert.matches('filter = (a|b){2}: groups', err, 1, true)
    -- and what it wrote is a planet orrery takes
    assert(cfs.write(dir .. '/planet.lua', out))
    local cfg = assert(require('orrery.config').load(dir .. '/planet.lua'))
    assert.equals('Januar 2004', require('orrery.locale').date(cfg)(cfg.month_format,
      os.time({ year = 2004, month = 1, day = 15, hour = 12 })))
  end)
end)

describe('a web page given for a feed (end to end)', function()
  local srv
  setup(function() srv = helper.server(helper.root .. '/tests/fixtures/http') end)
  teardown(function() srv.stop() end)

  -- A planet of one feed, refreshed once: its path, the exit code and the feed's summary line.
  local function refresh_one(feed)
    local path = helper.write_planet(helper.tmpdir(), { name = 'Pages', output_dir = 'out', database = 'planet.db',
      feeds = { feed } })
    srv.reset()
    local code, out, err = helper.orrery({ 'refresh', '-c', path, '--json' })
    local ok, summary = pcall(json.decode, out)
    assert(ok, out .. err)
    return path, code, summary.feeds[1]
  end

  it('reads the feed the page names, in the same run, and fetches it there from then on', function()
    local path, code, line = refresh_one({ url = srv.url('page.html'), name = 'Blog' })
    assert.equals(0, code)
    assert.is_nil(line.error)
    assert.equals(srv.url('alpha.rss'), line.discovered)
    assert.equals(3, line.new)
    -- the next run asks the feed itself, and says so to whoever reads the log
    srv.reset()
    local out, err
    code, out, err = helper.orrery({ 'refresh', '-c', path })
    assert.equals(0, code, out .. err)
    local asked = {}
    for _, r in ipairs(srv.stats()) do asked[#asked + 1] = r.path end
    assert.same({ '/alpha.rss' }, asked)
    local _, st = helper.orrery({ 'status', '-c', path, '--json' })
    assert.matches(srv.url('alpha.rss'), st, 1, true)
  end)

  it('does not replace a feed URL that answers with a page by a feed the page names', function()
    -- a category's feed (?feed=rss2) answering with the site's page: its main feed is not
    -- what the planet chose; the feed fails and says which feeds the page names
    local _, code, line = refresh_one({ url = srv.url('page.html?cat=python&feed=rss2'), name = 'Category' })
    assert.equals(3, code)
    assert.matches('not a feed: an HTML page; it links to these feeds: ' .. srv.url('alpha.rss'), line.error, 1, true)
    assert.is_nil(line.discovered)
    for _, r in ipairs(srv.stats()) do assert.are_not.equal('/alpha.rss', r.path) end
  end)

  it('sends the feed\'s password, cookies and headers to its configured host only', function()
    -- the page is on the configured host; the feed it names is on another (the test server
    -- answers for both as their proxy): the page's request carries what identifies the
    -- planet, the other host's carries none of it
    local dir = helper.tmpdir()
    local path = helper.write_planet(dir, { name = 'Pages', output_dir = 'out', database = 'planet.db',
      feeds = { { url = 'http://blog.invalid/elsewhere.html', name = 'Blog', proxy = srv.url(''),
        headers = { ['X-Api-Key'] = 'k-123' }, cookies = { session = 'abc' },
        auth = { user = 'jo', password_env = 'ORRERY_TEST_PW' } } } })
    for run = 1, 2 do                            -- discovered, then fetched there
      srv.reset()
      local code, out, err = helper.sh('ORRERY_TEST_PW=s3cret-pw ' .. helper.sh_quote(helper.bin) .. ' refresh -c '
        .. helper.sh_quote(path) .. ' --json')
      assert.equals(0, code, out .. err)
      local line = json.decode(out).feeds[1]
      assert.is_nil(line.error)
      assert.equals(run == 1 and 3 or 0, line.new)
      local hosts = {}
      for _, r in ipairs(srv.stats()) do
        local h = r.headers.host
        hosts[h] = true
        local mine = h == 'blog.invalid'
        assert.equals(mine and 'k-123' or nil, r.headers['x-api-key'], h)
        assert.equals(mine and 'session=abc' or nil, r.headers['cookie'], h)
        assert.equals(mine, r.headers['authorization'] ~= nil, h)
      end
      assert.is_true(hosts['elsewhere.invalid'])
    end
  end)

  it('after a permanent redirect to another host, fetches it there without the password or cookies', function()
    -- libcurl gives neither to the other host while it follows the redirect; the runs after
    -- it, which ask the new URL directly, do not either
    local dir = helper.tmpdir()
    local path = helper.write_planet(dir, { name = 'Moves', output_dir = 'out', database = 'planet.db', feeds = {
      { url = 'http://blog.invalid/redirect?code=301&to=http://elsewhere.invalid/alpha.rss', name = 'Away',
        proxy = srv.url(''), headers = { ['X-Api-Key'] = 'k-123' }, cookies = { session = 'abc' },
        auth = { user = 'jo', password_env = 'ORRERY_TEST_PW' } },
    } })
    for run = 1, 2 do
      srv.reset()
      local code, out, err = helper.sh('ORRERY_TEST_PW=s3cret-pw ' .. helper.sh_quote(helper.bin) .. ' refresh -c '
        .. helper.sh_quote(path) .. ' --json')
      assert.equals(0, code, out .. err)
      local line = json.decode(out).feeds[1]
      if run == 1 then assert.equals('http://elsewhere.invalid/alpha.rss', line.moved_to) end
      local seen = 0
      for _, r in ipairs(srv.stats()) do
        if r.headers.host == 'elsewhere.invalid' then
          seen = seen + 1
          assert.is_nil(r.headers['authorization'], run)
          assert.is_nil(r.headers['cookie'], run)
        end
      end
      assert.equals(1, seen)
    end
  end)
end)
