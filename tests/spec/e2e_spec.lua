-- End to end: the real binary, a real planet file, a loopback server the test starts.
local helper = require('helper')
local fs = require('orrery._fs')
local cdb = require('orrery._db')

describe('orrery run (end to end)', function()
  local srv, dir, planet_path
  setup(function()
    srv = helper.server(helper.root .. '/tests/fixtures/http')
    dir = helper.tmpdir()
    assert(fs.mkdirs(dir .. '/recipes'))
    assert(fs.write(dir .. '/recipes/crash.lua', 'return { entry = function(e) error("boom") end }'))
    planet_path = helper.write_planet(dir, {
      name = 'Test Planet', link = 'https://planet.test/', owner = { name = 'Tester' },
      output_dir = 'out', database = 'planet.db', concurrency = 4, timeout = 5,
      feeds = {
        { url = srv.url('alpha.rss'), name = 'Alpha <Feed>', face = 'faces/alpha.png' },
        { url = srv.url('moved/beta.atom'), name = 'Beta' },
        { url = srv.url('status/404'), name = 'Gone Missing' },
        { url = srv.url('broken.rss'), name = 'Broken XML' },
        { url = srv.url('alpha.rss?recipe'), name = 'Crashing recipe', recipe = 'crash' },
      },
    })
  end)
  teardown(function() srv.stop() end)

  local function db_count(sql)
    local db = assert(cdb.open(dir .. '/planet.db'))
    local n = db:one(sql).n
    db:close()
    return n
  end

  it('refreshes, stores and renders; failing feeds are reported and do not stop the others', function()
    local code, out, err = helper.orrery({ 'run', '-c', planet_path })
    assert.equals(3, code, out .. err)
    assert.matches('2 of 5 feeds failing', err)
    assert.matches('Gone Missing.-HTTP 404', err)
    assert.matches('Crashing recipe.-crash%.lua:1: boom', err)
    -- alpha 3, beta 2, and the two items recovered from the truncated document
    assert.equals(3 + 2 + 2, db_count('SELECT count(*) AS n FROM entries'))
    local html = assert(fs.read(dir .. '/out/index.html'))
    assert.matches('<h1><a href="https://planet.test/">Test Planet</a></h1>', html, 1, true)
    assert.matches('Alpha &lt;Feed&gt;', html, 1, true)
    assert.matches('First post', html, 1, true)
    assert.matches('class="failing"', html, 1, true)
    assert.matches('<img class="face" src="faces/alpha.png"', html, 1, true)   -- a face; never a script
    assert.is_nil(html:find('javascript:', 1, true))
    assert.is_nil(html:find('<script>alert', 1, true))
    assert.is_nil(html:find('onerror', 1, true))
    -- the health page and its JSON list the failing feeds for the planet's maintainers
    local health = assert(fs.read(dir .. '/out/health.html'))
    -- every feed, those failing first, with their error
    assert.matches('<tr class="failing"><td>.-Gone Missing.-HTTP 404.-<td>failing</td>', health)
    assert.is_true(health:find('class="failing"', 1, true) < health:find('class="ok"', 1, true))
    local hj = require('orrery.json').decode(assert(fs.read(dir .. '/out/health.json')))
    local states = {}
    for _, f in ipairs(hj.feeds) do states[f.name] = f.state end
    -- (Beta's newest entry is years old: silent; Broken XML was read, but not well-formed)
    assert.same({ ['Alpha <Feed>'] = 'ok', Beta = 'silent', ['Gone Missing'] = 'failing', ['Broken XML'] = 'recovered',
      ['Crashing recipe'] = 'failing' }, states)
    assert.equals(26, #hj.feeds[1].new_per_week)
    assert.equals(90, #hj.days)
    -- every output of the default layout: RSS 2.0 and 1.0 that orrery itself reads back,
    -- the subscription list as OPML and FOAF
    local parse = require('orrery.parse')
    for file, format in pairs({ ['rss20.xml'] = 'rss20', ['rss10.xml'] = 'rss10', ['atom.xml'] = 'atom10' }) do
      local f = assert(parse.feed(assert(fs.read(dir .. '/out/' .. file))))
      assert.equals(format, f.format)
      assert.is_falsy(f.bozo, file)
      assert.equals(3 + 2 + 2, #f.entries, file)
      assert.equals('Test Planet', f.title)
    end
    local opml = require('orrery._html').parse(assert(fs.read(dir .. '/out/opml.xml')))
    assert.equals(5, #opml:select('//outline[@type="rss"][@xmlurl]'))
    assert.equals(srv.url('beta.atom'), opml:select('//outline[@text="Beta"]')[1]:attr('xmlurl'))
    -- one archive page per month, all entries in them, each linked to its neighbours
    local db = assert(cdb.open(dir .. '/planet.db'))
    local months = {}
    for row in db:rows([[SELECT strftime('%Y-%m', date, 'unixepoch') AS m, count(*) AS n FROM entries
        GROUP BY m ORDER BY m DESC]]) do months[#months + 1] = row end
    db:close()
    assert.is_true(#months >= 2)
    for i, m in ipairs(months) do
      local page = assert(fs.read(dir .. '/out/archive/' .. m.m .. '.html'))
      assert.equals(m.n, select(2, page:gsub('<article class="entry">', '')))
      if months[i + 1] then assert.matches('rel="prev" href="' .. months[i + 1].m .. '.html"', page, 1, true) end
      if months[i - 1] then assert.matches('rel="next" href="' .. months[i - 1].m .. '.html"', page, 1, true) end
      assert.matches('href="archive/' .. m.m .. '.html"', html, 1, true)
    end
    local foaf = assert(fs.read(dir .. '/out/foafroll.xml'))
    assert.equals(5, select(2, foaf:gsub('<foaf:member>', '')))
    local atom = assert(fs.read(dir .. '/out/atom.xml'))
    assert.matches('<feed xmlns="http://www.w3.org/2005/Atom">', atom, 1, true)
    assert.equals(srv.url('beta.atom'), cdb.open(dir .. '/planet.db'):one(
      "SELECT fetch_url FROM feeds WHERE name = 'Beta'").fetch_url)
  end)

  it('runs again with conditional GETs and duplicates nothing', function()
    srv.reset()
    local before = db_count('SELECT count(*) AS n FROM entries')
    local mtime = fs.stat(dir .. '/out/style.css').mtime
    local outputs = { 'index.html', 'atom.xml', 'rss20.xml', 'rss10.xml', 'opml.xml', 'foafroll.xml' }
    local kept = {}
    for _, name in ipairs(outputs) do kept[name] = assert(fs.read(dir .. '/out/' .. name)) end
    helper.sleep(1.1)                             -- (a page that showed the time of rendering would differ)
    local code, out, err = helper.orrery({ 'run', '-c', planet_path, '--json' })
    assert.equals(3, code, err)
    assert.equals(before, db_count('SELECT count(*) AS n FROM entries'))
    local summary = require('orrery.json').decode(out)
    assert.equals(0, summary.new)
    local conditional, not_modified = 0, 0
    for _, r in ipairs(srv.stats()) do
      if r.inm or r.ims then conditional = conditional + 1 end
      if r.status == 304 then not_modified = not_modified + 1 end
    end
    assert.is_true(conditional >= 3)
    assert.is_true(not_modified >= 3)
    -- the moved feed is now fetched at its new address, without the redirect
    for _, r in ipairs(srv.stats()) do assert.is_nil(r.path:find('^/moved/')) end
    assert.equals(mtime, fs.stat(dir .. '/out/style.css').mtime)
    -- nothing new: the page and the feeds are byte for byte what they were, so the web
    -- server's ETag and Last-Modified stay and every reader polling atom.xml gets a 304
    for _, name in ipairs(outputs) do assert.equals(kept[name], fs.read(dir .. '/out/' .. name), name) end
    for _, r in ipairs(srv.stats()) do assert.matches('^orrery/.*https://planet%.test/', r.ua) end
  end)

  it('shows the health of each feed', function()
    local code, out = helper.orrery({ 'status', '-c', planet_path })
    assert.equals(3, code)                   -- some are failing
    assert.matches('FAIL%s+Gone Missing.-HTTP 404', out)
    assert.matches('ok%s+Alpha', out)
    assert.matches('moved to ' .. srv.url('beta.atom'):gsub('%p', '%%%0'), out)
  end)
end)

describe('orrery command line', function()
  it('prints its version and help, and refuses unknown commands', function()
    local code, out = helper.orrery({ '--version' })
    assert.equals(0, code)
    assert.matches('^orrery %d+%.%d+', out)
    for _, cmd in ipairs({ 'run', 'refresh', 'render', 'parse', 'lua', 'status' }) do
      code, out = helper.orrery({ cmd, '--help' })
      assert.equals(0, code)
      assert.matches('usage: orrery ' .. cmd, out)
    end
    code = helper.orrery({ 'frobnicate' })
    assert.equals(2, code)
  end)

  it('reports a bad config with its path and key, and fails', function()
    local dir = helper.tmpdir()
    assert(fs.write(dir .. '/planet.lua', 'return { feeds = {}, colour = "blue" }'))
    local code, _, err = helper.orrery({ 'run', '-c', dir .. '/planet.lua' })
    assert.equals(4, code)
    assert.matches('planet.lua: config: unknown key colour', err, 1, true)
  end)

  it('refuses feed URLs that are no web address, naming the feed, before fetching anything', function()
    local dir = helper.tmpdir()
    local cases = {
      { 'file:///etc/passwd', 'file: URLs are not fetched' }, { 'ftp://ftp.example.org/feed', 'only http and https' },
      { 'gopher://old.example.org/1', 'only http and https' }, { 'javascript:alert(1)', 'only http and https' },
      { 'http//example.org/feed', 'missing "http://"' }, { 'http:/', 'not a URL' },
      { 'https://ex ample.org/feed', 'no spaces' },
    }
    for _, c in ipairs(cases) do
      assert(fs.write(dir .. '/planet.lua', string.format(
        'return { feeds = { { url = "https://ok.example/feed" }, { url = %q, name = "Bad" } } }', c[1])))
      local code, _, err = helper.orrery({ 'run', '-c', dir .. '/planet.lua' })
      assert.equals(4, code, c[1])
      assert.matches('config: feeds[2].url', err, 1, true)
      assert.matches(c[2], err, 1, true)
    end
    -- a site link or face that could run script is refused the same way
    assert(fs.write(dir .. '/planet.lua', 'return { feeds = { { url = "https://ok.example/feed", link = "javascript:x" } } }'))
    local code, _, err = helper.orrery({ 'run', '-c', dir .. '/planet.lua' })
    assert.equals(4, code)
    assert.matches('feeds[1].link', err, 1, true)
  end)

  it('uses the password in a feed URL to fetch it, and shows it nowhere', function()
    local srv = helper.server(helper.root .. '/tests/fixtures/http')
    local dir = helper.tmpdir()
    local url = srv.url('alpha.rss'):gsub('^http://', 'http://reader:s3cret@')
    local path = helper.write_planet(dir, { name = 'P', output_dir = 'out', database = 'planet.db',
      feeds = { { url = url, name = 'Alpha' } } })
    local code, out, err = helper.orrery({ 'run', '-c', path })
    srv.stop()
    assert.equals(0, code, out .. err)
    for _, name in ipairs({ 'index.html', 'atom.xml', 'rss20.xml', 'rss10.xml', 'opml.xml', 'foafroll.xml',
        'health.html', 'health.json' }) do
      local text = assert(fs.read(dir .. '/out/' .. name))
      assert.is_nil(text:find('s3cret', 1, true), name)
      assert.is_nil(text:find('reader:', 1, true), name)
    end
    assert.matches(srv.url('alpha.rss'), assert(fs.read(dir .. '/out/opml.xml')), 1, true)
    local _, exported = helper.orrery({ 'opml', 'export', '-c', path })
    assert.is_nil(exported:find('s3cret', 1, true))
  end)

  it('exits 1 with one line for a document that is not a feed, and says what it is', function()
    local dir = helper.tmpdir()
    local docs = {
      { 'empty.xml', '', 'an empty document' }, { 'blank.xml', '  \n\t ', 'only whitespace' },
      { 'page.html', '<!doctype html><html><head><link rel="alternate" type="application/atom+xml" href="/feed.atom">'
        .. '</head><body>hi</body></html>', 'links to these feeds: ' },
      { 'bare.html', '<html><body><p>no feed here</p></body></html>', 'scrape' },
      { 'sitemap.xml', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://x.example/</loc></url></urlset>',
        'a sitemap' },
      { 'broken.json', '{"version": "https://jsonfeed.org/version/1.1", "items": [', 'JSON error' },
    }
    for _, d in ipairs(docs) do
      assert(fs.write(dir .. '/' .. d[1], d[2]))
      local code, out, err = helper.orrery({ 'parse', dir .. '/' .. d[1] })
      assert.equals(1, code, d[1])
      assert.equals('', out, d[1])
      assert.matches(d[3], err, 1, true)
      assert.equals(1, select(2, err:gsub('\n', '')), d[1] .. ': ' .. err)     -- one line
    end
    -- a feed, even a broken one, is a feed: exit 0
    assert(fs.write(dir .. '/bozo.rss', '<rss version="2.0"><channel><title>t</title><item><title>a</item></channel>'))
    assert.equals(0, (helper.orrery({ 'parse', dir .. '/bozo.rss' })))
  end)

  it('shows in --json the id an entry without a guid is stored by, the same at every run', function()
    local dir = helper.tmpdir()
    assert(fs.write(dir .. '/f.rss', '<rss version="2.0"><channel><title>t</title><item><title>no id</title>'
      .. '<description>x</description></item></channel></rss>'))
    local _, a = helper.orrery({ 'parse', '--json', dir .. '/f.rss' })
    local _, b = helper.orrery({ 'parse', '--json', dir .. '/f.rss' })
    local ea = require('orrery.json').decode(a).entries[1]
    assert.equals(require('orrery.json').null, ea.id)
    assert.matches('^urn:orrery:', ea.store_id)
    assert.equals(ea.store_id, require('orrery.json').decode(b).entries[1].store_id)
  end)

  it('parses a saved feed as if fetched from --base: its relative links resolve there', function()
    local dir = helper.tmpdir()
    assert(fs.write(dir .. '/f.rss', '<rss version="2.0"><channel><title>t</title><link>/</link><item><title>a</title>'
      .. '<link>/2026/post.html</link><description>&lt;img src="pic.png"&gt;</description></item></channel></rss>'))
    local code, out = helper.orrery({ 'parse', '--json', '--base', 'https://blog.example/feed/rss.xml', dir .. '/f.rss' })
    assert.equals(0, code)
    local doc = require('orrery.json').decode(out)
    assert.equals('https://blog.example/', doc.feed.link)
    assert.equals('https://blog.example/2026/post.html', doc.entries[1].link)
    assert.matches('src="https://blog.example/feed/pic.png"', doc.entries[1].summary, 1, true)
    -- without it a local file has no address: the relative link is not taken as one
    local _, plain = helper.orrery({ 'parse', '--json', dir .. '/f.rss' })
    assert.are_not.equals('https://blog.example/2026/post.html', require('orrery.json').decode(plain).entries[1].link)
    -- a base that is no web address is the caller's mistake
    local bad, _, err = helper.orrery({ 'parse', '--base', 'file:///etc/', dir .. '/f.rss' })
    assert.equals(2, bad)
    assert.matches('--base: file:///etc/ is not an http(s) URL', err, 1, true)
  end)

  it('parses a file to the conformance JSON', function()
    local code, out = helper.orrery({ 'parse', '--json', helper.root .. '/tests/fixtures/feeds/rss20.xml' })
    assert.equals(0, code)
    local doc = require('orrery.json').decode(out)
    assert.equals('rss20', doc.format)
    assert.equals('First post', doc.entries[1].title)
  end)

  it('runs Lua scripts with its modules', function()
    local dir = helper.tmpdir()
    assert(fs.write(dir .. '/s.lua', 'print(require("orrery._util").hash(arg[1]), ...)'))
    local code, out = helper.orrery({ 'lua', dir .. '/s.lua', 'x', 'y' })
    assert.equals(0, code)
    assert.matches('^%x+\tx\ty', out)
  end)

  it('tries a recipe on a page at once, storing nothing (orrery try)', function()
    local ex = helper.root .. '/examples/planet'
    local code, out, err = helper.orrery({ 'try', '-c', ex .. '/planet.lua', '--recipe', 'quill-journal',
      ex .. '/feeds/quill-journal.html' })
    assert.equals(0, code, err)
    assert.matches('entries: 3', out, 1, true)
    assert.matches('https://quill-journal.example.org/posts/background-jobs/', out, 1, true)
    assert.matches('without the recipe: not a feed: an HTML page', out, 1, true)
    assert.matches('+ added:   Picking a Python background job system', out, 1, true)
    code, out = helper.orrery({ 'try', helper.root .. '/tests/fixtures/http/alpha.rss' })
    assert.equals(0, code)
    assert.matches('format:  rss20', out, 1, true)
    code = helper.orrery({ 'try', '--recipe', 'no-such', helper.root .. '/tests/fixtures/http/alpha.rss' })
    assert.equals(1, code)
    -- --article: the article orrery would take from a page
    code, out = helper.orrery({ 'try', '--article', helper.root .. '/tests/fixtures/articles/wordpress.html' })
    assert.equals(0, code)
    assert.matches('Sample with py-spy', out, 1, true)
    assert.matches('found by readability scoring', out, 1, true)
    local err2
    code, out, err2 = helper.orrery({ 'try', '--article', helper.root .. '/tests/fixtures/articles/links-only.html' })
    assert.equals(1, code, out)
    assert.matches('no article found in the page', err2, 1, true)
  end)
end)

describe('orrery discover', function()
  local srv
  setup(function() srv = helper.server(helper.root .. '/tests/fixtures/http') end)
  teardown(function() srv.stop() end)

  it('discovers the feeds of a site from its page, or takes a feed as it is (orrery discover)', function()
    local code, out = helper.orrery({ 'discover', srv.url('page.html') })
    assert.equals(0, code)
    assert.equals(string.format('{ url = "%s", name = "Example & Co" },  -- rss20, 3 entries\n', srv.url('alpha.rss')), out)
    code, out = helper.orrery({ 'discover', srv.url('beta.atom') })
    assert.equals(0, code)
    assert.matches('name = "Bob\'s Blog" },  -- atom10, 2 entries', out, 1, true)
    local err
    code, out, err = helper.orrery({ 'discover', srv.url('status/404') })
    assert.equals(1, code)
    assert.equals('', out)
    assert.matches('HTTP 404', err, 1, true)
    code, out, err = helper.orrery({ 'discover', helper.root .. '/tests/fixtures/articles/links-only.html' })
    assert.equals(1, code, out)
    assert.matches('not a feed: an HTML page', err, 1, true)
  end)
end)

describe('archive pages (end to end)', function()
  local function rss(items)
    local out = { '<?xml version="1.0"?><rss version="2.0"><channel><title>Busy</title><link>https://busy.example/</link>' }
    for _, it in ipairs(items) do
      out[#out + 1] = string.format('<item><title>%s</title><link>https://busy.example/%s</link><guid>%s</guid>'
        .. '<pubDate>%s</pubDate><description>%s</description></item>', it[1], it[1], it[1],
        os.date('!%a, %d %b %Y %H:%M:%S GMT', it[2]), it[3] or 'text')
    end
    out[#out + 1] = '</channel></rss>'
    return table.concat(out)
  end

  it('splits a busy month into pages of archive_page_entries, each entry on one, linked in order', function()
    local dir = helper.tmpdir()
    local items = {}
    for d = 1, 8 do items[#items + 1] = { 'nov' .. d, os.time({ year = 2026, month = 11, day = d, hour = 12 }) } end
    items[#items + 1] = { 'oct1', os.time({ year = 2026, month = 10, day = 5, hour = 12 }) }
    assert(fs.write(dir .. '/busy.rss', rss(items)))
    local path = helper.write_planet(dir, { name = 'Busy', output_dir = 'out', database = 'planet.db',
      archive_page_entries = 3, feeds = { { url = 'busy.rss', name = 'Busy' } } })
    local code, out, err = helper.orrery({ 'run', '-c', path })
    assert.equals(0, code, out .. err)
    local seen = {}
    local pages = { '2026-11.html', '2026-11-p2.html', '2026-11-p3.html' }
    for p, name in ipairs(pages) do
      local page = assert(fs.read(dir .. '/out/archive/' .. name))
      local n = 0
      for t in page:gmatch('<h4 class="title" dir="auto"><a href="[^"]*">(%w+)</a>') do
        assert.is_nil(seen[t], t .. ' twice')
        seen[t], n = p, n + 1
      end
      assert.equals(p < 3 and 3 or 2, n, name)
      assert.matches('8 entries (page ' .. p .. ' of 3)', page, 1, true)
      if p < 3 then assert.matches('rel="prev" href="' .. pages[p + 1] .. '"', page, 1, true) end
      if p > 1 then assert.matches('rel="next" href="' .. pages[p - 1] .. '"', page, 1, true) end
    end
    assert.equals(1, seen.nov8)                 -- newest first
    assert.equals(3, seen.nov1)
    -- the months on either side: the older month follows the last page, and leads back to it
    assert.matches('rel="prev" href="2026-10.html"', assert(fs.read(dir .. '/out/archive/2026-11-p3.html')), 1, true)
    assert.matches('rel="next" href="2026-11-p3.html"', assert(fs.read(dir .. '/out/archive/2026-10.html')), 1, true)
    assert.is_nil(fs.stat(dir .. '/out/archive/2026-10-p2.html'))
    -- `orrery why` names the page an entry is on
    local _, why = helper.orrery({ 'why', '-c', path, 'nov1' })
    assert.matches('in the archive for 2026-11 (archive/2026-11-p3.html)', why, 1, true)
  end)

  it('renders an archive month again only when what its pages show changed', function()
    local dir = helper.tmpdir()
    local function at(month, day) return os.time({ year = 2026, month = month, day = day, hour = 12 }) end
    local items = { { 'nov1', at(11, 1) }, { 'oct1', at(10, 1) }, { 'sep1', at(9, 1) }, { 'aug1', at(8, 1) } }
    assert(fs.write(dir .. '/busy.rss', rss(items)))
    local layout = dir .. '/mine'
    assert(fs.mkdirs(layout))
    local default = helper.root .. '/lua/orrery/layouts/default/'
    local archive = assert(fs.read(default .. 'archive.html.etlua'))
    for _, name in ipairs({ 'index.html.etlua', 'style.css' }) do
      assert(fs.write(layout .. '/' .. name, assert(fs.read(default .. name))))
    end
    assert(fs.write(layout .. '/archive.html.etlua', archive))
    local conf = { name = 'Busy', output_dir = 'out', database = 'planet.db', layout = './mine',
      feeds = { { url = 'busy.rss', name = 'Busy' } } }
    local path = helper.write_planet(dir, conf)
    local function run()
      local code, out, err = helper.orrery({ 'run', '-c', path })
      assert.equals(0, code, out .. err)
    end
    -- each month's page marked (its size and time kept: one that is not is made again, as
    -- below): a page made again loses its mark
    local function page(m) return assert(fs.read(dir .. '/out/archive/2026-' .. m .. '.html')) end
    local function mark(...)
      for _, m in ipairs({ ... }) do
        local file = dir .. '/out/archive/2026-' .. m .. '.html'
        local st = assert(fs.stat(file))
        assert(fs.write(file, 'MARK' .. string.rep('-', st.size - 4)))
        assert(os.execute(string.format("touch -d @%d '%s'", st.mtime, file)))
      end
    end
    local function marked(m) return page(m):sub(1, 4) == 'MARK' end
    run()
    assert.matches('aug1', page('08'), 1, true)
    mark('08', '09', '10', '11')
    run()                                          -- nothing changed: no month is made again
    for _, m in ipairs({ '08', '09', '10', '11' }) do assert.is_true(marked(m), m) end
    -- nor when the run is asked to fetch otherwise (cron's options, say)
    local code, out, err = helper.orrery({ 'run', '-c', path, '-j', '3', '--timeout', '7' })
    assert.equals(0, code, out .. err)
    for _, m in ipairs({ '08', '09', '10', '11' }) do assert.is_true(marked(m), m) end
    -- an entry edited in September: its month, and only it
    items[3][3] = 'an edited text'
    assert(fs.write(dir .. '/busy.rss', rss(items)))
    run()
    assert.matches('an edited text', page('09'), 1, true)
    assert.is_true(marked('08') and marked('10') and marked('11'))
    -- a new entry in November: November, and October, whose newer neighbour grew
    mark('09')
    table.insert(items, 1, { 'nov2', at(11, 2) })
    assert(fs.write(dir .. '/busy.rss', rss(items)))
    run()
    assert.matches('nov2', page('11'), 1, true)
    assert.is_false(marked('10'))
    assert.is_true(marked('08') and marked('09'))
    -- a page that is gone, or that someone else changed, is made again
    mark('09', '11')
    assert(os.remove(dir .. '/out/archive/2026-08.html'))
    assert(fs.write(dir .. '/out/archive/2026-10.html', 'edited by hand'))
    run()
    assert.matches('aug1', page('08'), 1, true)
    assert.matches('oct1', page('10'), 1, true)
    assert.is_true(marked('09') and marked('11'))
    -- the feed's name (shown on every page), then the template: every month
    conf.feeds[1].name = 'Busy Bee'
    helper.write_planet(dir, conf)
    run()
    for _, m in ipairs({ '08', '09', '10', '11' }) do assert.matches('Busy Bee', page(m), 1, true) end
    mark('08', '09')
    assert(fs.write(layout .. '/archive.html.etlua', archive:gsub('</body>', '<p>footer two</p></body>')))
    run()
    assert.matches('footer two', page('08'), 1, true)
    assert.matches('footer two', page('09'), 1, true)
    -- (Lua's math is a function of what it is given: a template using it is keyed as any)
    assert(fs.write(layout .. '/archive.html.etlua', archive:gsub('</body>', '<%%= math.floor(2.5) %%></body>')))
    run()
    assert.matches('\n2</body>', page('08'))
    mark('08')
    run()
    assert.is_true(marked('08'))
    -- a template that reads what no key stands for (the time, the feed list) is rendered at every run
    for _, extra in ipairs({ '<%= os.time() %>', '<%= #feeds %>', '<%= math.random(9) %>' }) do
      assert(fs.write(layout .. '/archive.html.etlua', archive:gsub('</body>', function() return extra .. '</body>' end)))
      run()
      mark('08')
      run()
      assert.is_false(marked('08'), extra)
    end
  end)

  it('renders a month of 20,000 entries in bounded memory', function()
    -- one page of the whole month was 2.2 GB of memory and a 580 MB page for a planet of
    -- 10,000 feeds; each page is now rendered and let go before the next
    local dir = helper.tmpdir()
    local t0 = os.time({ year = 2026, month = 11, day = 1, hour = 0 })
    assert(fs.write(dir .. '/busy.rss', rss({ { 'seed', t0 + 3600 } })))
    local path = helper.write_planet(dir, { name = 'Busy', output_dir = 'out', database = 'planet.db',
      feeds = { { url = 'busy.rss', name = 'Busy' } } })
    assert.equals(0, (helper.orrery({ 'refresh', '-c', path })))
    local db = assert(cdb.open(dir .. '/planet.db'))
    assert(db:exec(string.format([[
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
      INSERT INTO entries (feed_id, guid, link, title, content, first_seen, date, tags, enclosures, hash)
        SELECT f.id, 'g' || i, 'https://busy.example/' || i, 'Entry ' || i,
          '<p>' || replace(hex(zeroblob(2000)), '00', 'ab ') || '</p>', %d, %d + i * 60, '[]', '[]', 'h' || i
        FROM n, feeds f]], t0, t0)))
    db:close()
    assert(fs.write(dir .. '/render.lua', string.format([[
      local cfg = assert(require('orrery.config').load(%q))
      require('orrery.planet').render(cfg)
      print(require('orrery._util').peak_rss())]], path)))
    local code, out, err = helper.orrery({ 'lua', dir .. '/render.lua' })
    assert.equals(0, code, out .. err)
    local limit = (os.getenv('ORRERY_SANITIZED') and 512 or 96) * 1024 * 1024
    assert.is_true(tonumber(out) < limit, "peak RSS " .. out)
    assert.equals(101, #assert(fs.list(dir .. '/out/archive')))     -- 20,001 entries, 200 a page
  end)
end)
