-- Planet Python at full size, offline: the real config (567 feeds) imported unchanged, its
-- seven htmltmpl templates and static files, every feed answered by a local stand-in of
-- the web (tests/standin.py: generated feeds, latencies, and the faults a planet sees),
-- reached through `orrery run --mirror`.  Two runs: cold, then incremental.
local helper = require('helper')
local cdb = require('orrery._db')
local chtml = require('orrery._html')
local fs = require('orrery._fs')
local json = require('orrery.json')

local shared = helper.root .. '/../shared/planetpython'

describe('Planet Python, full size, offline (end to end)', function()
  if not fs.stat(shared .. '/config/config.ini') then
    it('needs ../shared/planetpython', function() pending('no ../shared/planetpython here') end)
    return
  end
  local dir, out, standin_pid, faults
  local runs = {}

  local function run()
    local code, stdout, err = helper.orrery({ 'run', '-c', dir .. '/planet.lua', '-o', out, '--db', dir .. '/planet.db',
      '--mirror', dir .. '/mirror.txt', '--timeout', '5', '--json' })
    local ok, summary = pcall(json.decode, stdout)
    assert(ok, 'no JSON summary: ' .. stdout .. err)
    summary.code = code
    return summary
  end

  setup(function()
    dir = helper.tmpdir()
    out = dir .. '/out'
    local code, _, err = helper.orrery({ 'import-venus', shared .. '/config/config.ini', '-o', dir .. '/planet.lua' })
    assert(code == 0, err)
    local p = io.popen(string.format('python3 %s --config %s --work %s --mirror-out %s --port-file %s '
      .. '--max-seconds 600 >%s/standin.log 2>&1 & echo $!', helper.sh_quote(helper.root .. '/tests/standin.py'),
      helper.sh_quote(shared .. '/config/config.ini'), dir, dir .. '/mirror.txt', dir .. '/port', dir))
    standin_pid = p:read('l')
    p:close()
    for _ = 1, 600 do
      if fs.stat(dir .. '/port') then break end
      helper.sleep(0.1)
    end
    assert(fs.stat(dir .. '/port'), 'stand-in did not start: ' .. (fs.read(dir .. '/standin.log') or ''))
    faults = json.decode(assert(fs.read(dir .. '/faults.json')))
    runs[1] = run()
    runs[2] = run()
  end)
  teardown(function() if standin_pid then os.execute('kill ' .. standin_pid .. ' 2>/dev/null') end end)

  -- the entries on the page, as rss20.xml lists them
  local function item_links()
    local rss = assert(fs.read(out .. '/rss20.xml'))
    local links = {}
    for l in rss:gmatch('<item>.-<link>([^<]*)</link>') do links[#links + 1] = l:gsub('&amp;', '&') end
    return links
  end

  local function by_kind(kind)
    local urls = {}
    for url, k in pairs(faults) do if k == kind then urls[#urls + 1] = url end end
    return urls
  end

  it('refreshes all 567 feeds, each fault failing alone, in bounded time and memory', function()
    local s = runs[1]
    assert.equals(3, s.code)                          -- done, some feeds failed
    assert.equals(567, s.total)
    local failed = #by_kind('404') + #by_kind('410') + #by_kind('timeout') + #by_kind('html')
    assert.equals(failed, s.failed)
    local errs = {}
    for _, f in ipairs(s.feeds) do if f.error then errs[f.url] = f.error end end
    for _, u in ipairs(by_kind('404')) do assert.equals('HTTP 404', errs[u]) end
    for _, u in ipairs(by_kind('410')) do assert.matches('HTTP 410 Gone', errs[u]) end
    for _, u in ipairs(by_kind('timeout')) do assert.matches('timed out', errs[u]) end
    for _, u in ipairs(by_kind('html')) do assert.matches('not a feed: an HTML page', errs[u]) end
    for _, k in ipairs({ 'broken', 'encoding', '301' }) do     -- recovered, or followed
      for _, u in ipairs(by_kind(k)) do assert.is_nil(errs[u], k .. ' ' .. u .. ': ' .. tostring(errs[u])) end
    end
    assert.is_true(s.new >= 5000, s.new .. ' entries')
    -- bounded in time by each feed's own timeout (the 'timed out' errors above; how long the
    -- whole run takes is a figure of make bench, tests/bench/planetpython.sh); in memory:
    -- (AddressSanitizer keeps freed memory in quarantine)
    local sanitized = os.getenv('ORRERY_SANITIZED') ~= nil
    assert.is_true(s.peak_rss < (sanitized and 1024 or 128) * 1024 * 1024, 'peak RSS ' .. s.peak_rss)
  end)

  it('renders all seven templates of Planet Python unchanged, and its static files', function()
    for _, name in ipairs({ 'index.html', 'rss20.xml', 'rss10.xml', 'opml.xml', 'foafroll.xml', 'summary.html',
        'titles_only.html', 'static/styles/styles.css' }) do
      local st = fs.stat(out .. '/' .. name)
      assert.is_true(st ~= nil and st.size > 1000, name)
    end
    for _, name in ipairs({ 'rss20.xml', 'rss10.xml', 'opml.xml', 'foafroll.xml' }) do
      local code, msg = helper.sh('xmllint --noout ' .. helper.sh_quote(out .. '/' .. name) .. ' 2>&1')
      assert.equals(0, code, name .. ': ' .. msg)
    end
    local rss = assert(fs.read(out .. '/rss20.xml'))
    assert.equals(25, select(2, rss:gsub('<item>', '')))              -- items_per_page
    local opml = assert(fs.read(out .. '/opml.xml'))
    assert.equals(567, select(2, opml:gsub('<outline ', '')))
  end)

  it('gives index.html the structure of planetpython.org', function()
    local doc = chtml.parse(assert(fs.read(out .. '/index.html')), 'http://planetpython.org/')
    assert.equals('Planet Python', doc:select('//title')[1]:text())
    assert.equals('Planet Python', doc:css('h1.pageheading')[1]:text())
    assert.matches('Last update: %a+ %d%d, %d%d%d%d %d%d:%d%d [AP]M UTC', doc:select('//div[@id="body-main"]')[1]:text())
    -- (entries bring their own h2, h4 ...: the page's own are told by their text or links)
    local days = 0
    for _, h in ipairs(doc:select('//div[@id="body-main"]//h2')) do
      if h:text():match('^%a+ %d%d, %d%d%d%d$') then days = days + 1 end   -- new_date_format
    end
    assert.is_true(days >= 1 and days <= 10, days .. ' days')              -- days_per_page
    local links = item_links()
    assert.equals(25, #links)                                                -- items_per_page
    for _, l in ipairs(links) do
      assert.equals(1, #doc:select(string.format('//div[@id="body-main"]//h4/a[@href="%s"]', l)), l)
    end
    -- new_feed_items = 1: a feed's back catalogue shows one entry, so 25 channels head them
    assert.equals(25, #doc:select('//div[@id="body-main"]//hr/following-sibling::h3[1][@class="post"]/a'))
    -- the blogroll: every channel, none linking to the planet itself (failing ones included)
    local roll = doc:select('//li[starts-with(normalize-space(text()), "Subscriptions")]/ul/li/a[@title]')
    assert.equals(567, #roll)
    local href = {}
    for _, a in ipairs(roll) do
      assert.are_not.equal('http://planetpython.org/', a:attr('href'))
      href[a:attr('href')] = true
    end
    -- a feed that never answered has no site link: it links to its feed
    for _, u in ipairs(by_kind('404')) do assert.is_true(href[u], u) end
    assert.equals(0, #doc:select('//script[not(@src)]'))
  end)

  it('lists failing, gone and moved feeds for the maintainers (health.json, health.html)', function()
    local h = json.decode(assert(fs.read(out .. '/health.json')))
    assert.equals(567, #h.feeds)
    local state, fetch = {}, {}
    for _, f in ipairs(h.feeds) do state[f.url], fetch[f.url] = f.state, f.fetch_url end
    for _, k in ipairs({ '404', 'timeout', 'html' }) do
      for _, u in ipairs(by_kind(k)) do assert.equals('failing', state[u], u) end
    end
    for _, u in ipairs(by_kind('410')) do assert.equals('gone', state[u]) end
    for _, u in ipairs(by_kind('301')) do assert.matches('^https://moved%.example%.org/%d+/feed$', fetch[u]) end
    local page = assert(fs.read(out .. '/health.html'))
    assert.matches('moved.example.org', page, 1, true)
  end)

  it('runs again incrementally: conditional GETs, nothing reparsed or rewritten that did not change', function()
    local s = runs[2]
    assert.equals(0, s.new)
    assert.equals(0, s.changed)
    assert.equals(#by_kind('410'), #s.skipped)                  -- gone feeds are not fetched again
    local quiet = 0
    for _, f in ipairs(s.feeds) do if f.not_modified or f.unchanged then quiet = quiet + 1 end end
    assert.is_true(quiet >= 500, quiet .. ' feeds answered 304 or unchanged')
    -- nothing parsed, sanitized or stored again: those stages, not the run's total CPU (whose
    -- fixed part, start-up and the conditional requests, weighs more as parsing gets cheaper
    -- and as the machine is loaded), are what an incremental run saves
    local function parsed(r) return r.cpu.xml + r.cpu.sanitize end
    assert.is_true(parsed(s) < parsed(runs[1]) / 10, 'warm parse CPU ' .. parsed(s) .. ' s')
    assert.is_true(s.cpu.store < runs[1].cpu.store / 10, 'warm store CPU ' .. s.cpu.store .. ' s')
    local db = assert(cdb.open(dir .. '/planet.db'))
    assert.equals('ok', db:one('PRAGMA integrity_check').integrity_check)
    db:close()
  end)

  it('looks like planetpython.org in headless Chromium (screenshot kept in build/screenshots)', function()
    local srv = helper.server(out)           -- over HTTP: the templates use /static/... paths
    local shot = helper.root .. '/build/screenshots/planetpython.png'
    assert(fs.mkdirs(helper.root .. '/build/screenshots'))
    local rc, dom, err = helper.chromium(srv.url('index.html'), 'dom', dir)
    assert.equals(0, rc, err)
    local doc = chtml.parse(dom, srv.url(''))
    assert.equals('Planet Python', doc:select('//title')[1]:text())
    for _, l in ipairs(item_links()) do
      assert.equals(1, #doc:select(string.format('//div[@id="body-main"]//h4/a[@href="%s"]', l)), l)
    end
    assert.equals(0, helper.chromium(srv.url('index.html'), shot, dir))
    srv.stop()
    local st = fs.stat(shot)
    assert.is_true(st ~= nil and st.size > 10000, 'no screenshot')
  end)
end)
