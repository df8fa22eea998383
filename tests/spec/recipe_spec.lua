local recipe = require('orrery.recipe')
local sandbox = require('orrery.sandbox')
local planet = require('orrery.planet')
local helper = require('helper')
local fs = require('orrery._fs')

local function write_recipe(dir, name, src)
  assert(fs.write(dir .. '/' .. name .. '.lua', src))
end

describe('orrery.recipe', function()
  local dir, cfg
  before_each(function()
    dir = helper.tmpdir()
    cfg = require('orrery.config').validate({ recipes_dir = dir, feeds = {} }, '/')
    cfg.recipes_dir = dir
  end)

  it('changes, drops and cuts entries', function()
    write_recipe(dir, 'r1', [[return { entry = function(e, ctx)
      if e.title:find('^%[ad%]') then return nil end
      e.author = ctx.options.author
      return e
    end }]])
    local body = [[<rss version="2.0"><channel><item><title>[ad] buy</title><guid>1</guid></item>
      <item><title>Real</title><guid>2</guid><description>Text. The post Real appeared first on Blog.</description></item></channel></rss>]]
    local feed = assert(planet.build({ recipe = 'r1', options = { author = 'Zed' } }, body, { url = 'http://x/' }, cfg))
    assert.equals(1, #feed.entries)
    assert.equals('Zed', feed.entries[1].author)
  end)

  it('gives recipes helpers for the common jobs', function()
    write_recipe(dir, 'tidy', [[return { entry = function(e)
      if helpers.matches(e, { '^Sponsored' }) or not helpers.has_tag(e, { 'Python', 'django' }) then return nil end
      for _, k in ipairs({ 'content', 'summary' }) do
        e[k] = helpers.cut_at(e[k], '<p>Continue reading')
        e[k] = helpers.remove(e[k], '<div class="share">.-</div>')
        e[k] = helpers.rewrite_urls(e[k], function(url)
          return (url:gsub('[?&]utm_[^&]*', ''):gsub('^http:', 'https:'))
        end)
      end
      return e
    end }]])
    local body = [==[<rss version="2.0"><channel>
      <item><title>Sponsored: buy</title><guid>1</guid><category>python</category></item>
      <item><title>Cooking</title><guid>2</guid><category>food</category></item>
      <item><title>Real</title><guid>3</guid><category>PYTHON</category><description><![CDATA[<p>Body
        <a href="http://e.example/x?utm_source=rss">link</a></p><div class="share">share!</div>
        <p>Continue reading →</p><p>tail</p>]]></description></item></channel></rss>]==]
    local feed = assert(planet.build({ recipe = 'tidy', options = {} }, body, { url = 'http://x/' }, cfg))
    assert.equals(1, #feed.entries)
    local c = feed.entries[1].summary or feed.entries[1].content
    assert.matches('href="https://e.example/x"', c, 1, true)
    assert.is_nil(c:find('share!', 1, true))
    assert.is_nil(c:find('tail', 1, true))
  end)

  it('ships strip-trailer, which cuts "appeared first on" trailers', function()
    local body = [[<rss version="2.0"><channel><item><title>T</title><guid>1</guid>
      <description>&lt;p&gt;Body&lt;/p&gt;&lt;p&gt;The post T appeared first on Blog.&lt;/p&gt;</description></item></channel></rss>]]
    local feed = assert(planet.build({ recipe = 'strip-trailer', options = {} }, body, { url = 'http://x/' }, cfg))
    assert.equals('<p>Body</p>', feed.entries[1].summary)
  end)

  it('sanitizes what a recipe adds', function()
    write_recipe(dir, 'r2', [[return { entry = function(e) e.content = '<p>ok</p><script>bad()</script>' return e end }]])
    local body = '<rss version="2.0"><channel><item><title>T</title><guid>1</guid></item></channel></rss>'
    local feed = assert(planet.build({ recipe = 'r2', options = {} }, body, { url = 'http://x/' }, cfg))
    assert.equals('<p>ok</p>', feed.entries[1].content)
  end)

  it('scrapes a page that has no feed', function()
    local body = assert(fs.read(helper.root .. '/examples/planet/feeds/quill-journal.html'))
    local cfg2 = require('orrery.config').validate({ feeds = {} }, '/')
    cfg2.recipes_dir = helper.root .. '/examples/planet/recipes'
    local feed = assert(planet.build({ recipe = 'quill-journal', options = {} }, body,
      { url = 'https://quill.example.org/tags/python/' }, cfg2))
    assert.equals(3, #feed.entries)
    assert.equals('https://quill.example.org/posts/polars-in-production/', feed.entries[1].link)
    assert.equals(1795075200, feed.entries[1].published)   -- 2026-11-19T08:00:00Z
  end)

  describe('the example planet\'s scraping recipes', function()
    local ex = helper.root .. '/examples/planet'
    local cfg2
    before_each(function()
      cfg2 = require('orrery.config').validate({ feeds = {} }, '/')
      cfg2.recipes_dir = ex .. '/recipes'
    end)

    it('lin-codes lists the teasers of an index page and takes each post\'s body from its page', function()
      local body = assert(fs.read(ex .. '/sites/lin-codes/index.html'))
      local feed = assert(planet.build({ recipe = 'lin-codes', options = {} }, body,
        { url = 'https://lin-codes.example.org/' }, cfg2))
      assert.equals(3, #feed.entries)
      local e = feed.entries[1]
      assert.equals('A year of free-threading', e.title)
      assert.equals('https://lin-codes.example.org/posts/free-threading-one-year.html', e.link)
      assert.equals(1795159800, e.published)            -- 2026-11-20T08:30:00+01:00
      assert.matches('reference count contention', e.summary)
      local article = require('orrery.article')
      local r = require('orrery.recipe').load('lin-codes', { ex .. '/recipes' })
      assert.equals('always', article.mode({}, r))
      local page = assert(fs.read(ex .. '/sites/lin-codes/posts/free-threading-one-year.html'))
      local html = assert(article.extract(page, e.link, r, e, cfg2))
      assert.matches('hot cache line', html)
      assert.matches('sys._is_gil_enabled', html, 1, true)
      assert.falsy(html:find('Share on Mastodon', 1, true))
      assert.falsy(html:find('Lin Wei', 1, true))         -- the byline is the page's, not the article's
      assert.falsy(html:find('Planet Python', 1, true))   -- nor the blogroll
    end)

    it('cobalt-changelog makes an entry of each released version of a changelog page', function()
      local body = assert(fs.read(ex .. '/sites/cobalt/docs/changelog.html'))
      local url = 'https://cobalt.example.org/docs/changelog.html'
      local feed = assert(planet.build({ recipe = 'cobalt-changelog', options = {} }, body, { url = url }, cfg2))
      local titles = {}
      for i, e in ipairs(feed.entries) do titles[i] = e.title end
      assert.same({ 'Cobalt 4.2.0', 'Cobalt 4.1.3', 'Cobalt 4.1.2' }, titles)   -- 4.1.1 was never released
      local e = feed.entries[1]
      assert.equals(url .. '#release-4-2-0', e.link)
      assert.equals(url .. '#release-4-2-0', e.guid)
      assert.equals(1795003200, e.published)            -- 2026-11-18T12:00:00Z
      assert.falsy(e.content:find('<h2', 1, true))
      assert.matches('legacy_paths', e.content)
      assert.matches('href="https://cobalt.example.org/docs/tutorial/first-import.html"',
        feed.entries[3].content, 1, true)
    end)
  end)

  it('reports a recipe error with its file and line, for that feed only', function()
    write_recipe(dir, 'bad', 'return { entry = function(e)\n  local x = nil\n  return x.y\nend }')
    local body = '<rss version="2.0"><channel><item><title>T</title></item></channel></rss>'
    local feed, err = planet.build({ recipe = 'bad', options = {} }, body, { url = 'http://x/' }, cfg)
    assert.is_nil(feed)
    assert.matches('bad%.lua:3:', err)
  end)

  it('stores nothing of a feed whose entries cannot be stored, and the rest of the run (end to end)', function()
    -- (the first fetch of a feed is undone without a savepoint: store.feed_transaction)
    local www, pdir = helper.tmpdir(), helper.tmpdir()
    local items = {}
    for i, t in ipairs({ 'one', 'two', 'three' }) do
      items[i] = '<item><title>' .. t .. '</title><guid>g' .. i .. '</guid><description>d</description></item>'
    end
    local rss = '<rss version="2.0"><channel><title>Feed</title>' .. table.concat(items) .. '</channel></rss>'
    assert(fs.write(www .. '/a.rss', rss))
    assert(fs.write(www .. '/b.rss', rss))
    os.execute('mkdir -p ' .. pdir .. '/recipes')
    write_recipe(pdir .. '/recipes', 'late',
      "return { entry = function(e) if e.title == 'three' then e.published = 'soon' end return e end }")
    local srv = helper.server(www)
    local path = helper.write_planet(pdir, { name = 'P', output_dir = 'out', database = 'planet.db',
      recipes_dir = pdir .. '/recipes', feeds = { { url = srv.url('a.rss'), name = 'A', recipe = 'late' },
        { url = srv.url('b.rss'), name = 'B' } } })
    local code, out, err = helper.orrery({ 'refresh', '-c', path, '--json' })
    srv.stop()
    assert.equals(3, code, out .. err)
    local db = assert(require('orrery._db').open(pdir .. '/planet.db'))
    local function stored(url)
      return db:one('SELECT count(e.id) AS n, f.title, f.errors, f.last_error FROM feeds f'
        .. ' LEFT JOIN entries e ON e.feed_id = f.id WHERE f.url = ? GROUP BY f.id', url)
    end
    local a, b = stored(srv.url('a.rss')), stored(srv.url('b.rss'))
    db:close()
    assert.equals(0, a.n)
    assert.is_nil(a.title)
    assert.equals(1, a.errors)
    assert.matches('^store: ', a.last_error)
    assert.same({ 3, 'Feed', 0 }, { b.n, b.title, b.errors })
  end)

  it('stops a recipe that loops forever, even one that pcalls', function()
    write_recipe(dir, 'spin', 'return { entry = function(e) while true do pcall(function() while true do end end) end end }')
    cfg.recipe_budget = 1000000
    local body = '<rss version="2.0"><channel><item><title>T</title></item></channel></rss>'
    local feed, err = planet.build({ recipe = 'spin', options = {} }, body, { url = 'http://x/' }, cfg)
    assert.is_nil(feed)
    assert.matches('spin%.lua:1: recipe stopped: more than 1000000 instructions', err)
  end)

  it('stops a pathological pattern within the budget, however it is called, and orrery matches as before', function()
    -- ('a*'):rep(30) .. 'b' on 30 kB is one call into the string library: no instruction
    -- count reaches inside it; the recipe's matches are made by orrery._pattern, with a budget
    for i, how in ipairs({ 'e.summary:find(p)', 'string.find(e.summary, p)', 'e.summary:match(p)',
        'e.summary:gsub(p, "")', '(e.summary:gmatch(p))()', 'pcall(string.find, e.summary, p) or e.summary:find(p)' }) do
      write_recipe(dir, 'greedy' .. i, 'return { entry = function(e) local p = ("a*"):rep(30) .. "b"\n  local x = '
        .. how .. '\n  return e end }')
      cfg.recipe_budget = 20000000
      local body = '<rss version="2.0"><channel><item><title>T</title><description>' .. string.rep('a', 30000)
        .. '</description></item></channel></rss>'
      local cpu = require('orrery._util').cpu()
      local feed, err = planet.build({ recipe = 'greedy' .. i, options = {} }, body, { url = 'http://x/' }, cfg)
      assert.is_nil(feed, how)
      assert.matches('greedy' .. i .. '%.lua:2: .*recipe stopped', err)
      assert.is_true(require('orrery._util').cpu() - cpu < 10, how)        -- (a runaway guard)
    end
    assert.equals(3, ('abc'):find('c'))                       -- outside a recipe: Lua's own again
    assert.equals(string.find, getmetatable('').__index.find)
  end)

  it('stops an XPath whose cost grows with the cube of the page, in bounded time', function()
    -- time inside one call into libxml2 is not counted in instructions: 6 s on 900 elements
    write_recipe(dir, 'cubic', [[return { entry = function(e)
      local doc = html.parse(e.summary, 'http://x/')
      e.title = tostring(#doc:select('//*[count(//*[count(//*) > 0]) > 0]'))
      return e end }]])
    local body = '<rss version="2.0"><channel><item><title>T</title><description><![CDATA['
      .. string.rep('<div><p><span>x</span></p></div>', 400) .. ']]></description></item></channel></rss>'
    local cpu = require('orrery._util').cpu()
    local feed, err = planet.build({ recipe = 'cubic', options = {} }, body, { url = 'http://x/' }, cfg)
    assert.is_nil(feed)
    assert.matches('cubic%.lua:3: xpath expression took more than 50000000 steps', err)
    assert.is_true(require('orrery._util').cpu() - cpu < 5)
  end)

  it('stops a recipe that allocates without bound, even one that pcalls, and the state recovers', function()
    write_recipe(dir, 'hog', [[return { entry = function(e)
      local t = {}
      while true do pcall(function() for i = 1, 1e6 do t[#t + 1] = string.rep('x', 1000) .. i end end) end
    end }]])
    cfg.recipe_budget = 50000000    -- the pcall loop goes on after the refusals until this
    cfg.recipe_memory = 8 * 1024 * 1024
    local cutil = require('orrery._util')
    local before = cutil.memory()
    local body = '<rss version="2.0"><channel><item><title>T</title></item></channel></rss>'
    local feed, err = planet.build({ recipe = 'hog', options = {} }, body, { url = 'http://x/' }, cfg)
    assert.is_nil(feed)
    assert.matches('hog%.lua:%d+: recipe stopped: more than 8388608 bytes of memory', err)
    collectgarbage()
    assert.is_true(cutil.memory() < before + 4 * 1024 * 1024, 'the garbage is collected')
    -- and the next recipe runs as usual
    cfg.recipe_memory = nil
    assert.is_table(planet.build({ options = {} }, body, { url = 'http://x/' }, cfg))
  end)

  it('says when a recipe does not exist', function()
    local r, err = recipe.load('no-such-recipe', { dir })
    assert.is_nil(r)
    assert.matches('not found', err)
    assert.is_nil(recipe.find('../../etc/passwd', { dir }))
  end)
end)

describe('orrery.sandbox', function()
  it('gives recipes no io, os.execute, require, load or debug', function()
    local env = sandbox.env('t', require('orrery.log'))
    for _, name in ipairs({ 'io', 'require', 'load', 'loadfile', 'dofile', 'debug', 'package', 'collectgarbage' }) do
      assert.is_nil(env[name], name)
    end
    assert.is_nil(env.os.execute)
    assert.is_nil(env.os.getenv)
    assert.is_nil(env.string.dump)
    assert.has_error(function() env.string.rep = nil end)
    local chunk = load('return io, os.remove', 't', 't', env)
    assert.is_nil(chunk())
    -- nor the string metatable (shared with orrery), nor a finalizer that runs outside the budget
    assert.is_nil(load('return getmetatable("")', 't', 't', env)())
    assert.has_error(load('setmetatable({}, { __gc = function() while true do end end })', 't', 't', env),
      'recipes may not set __gc')
    assert.is_table(load('return setmetatable({}, { __index = {} })', 't', 't', env)())
  end)
end)

describe('an edited recipe (end to end)', function()
  it('reaches the stored entries and the page at the next run, though the site sends nothing new', function()
    local srv = helper.server(helper.root .. '/tests/fixtures/http')
    local dir = helper.tmpdir()
    assert(require('orrery._fs').mkdirs(dir .. '/recipes'))
    local function set_version(v)
      assert(require('orrery._fs').write(dir .. '/recipes/ver.lua',
        'return { entry = function(e) e.title = "' .. v .. ' " .. e.title return e end }'))
    end
    set_version('V1')
    local path = helper.write_planet(dir, { name = 'Versions', output_dir = 'out', database = 'planet.db',
      feeds = { { url = srv.url('alpha.rss'), name = 'Alpha', recipe = 'ver' } } })
    assert.equals(0, (helper.orrery({ 'run', '-q', '-c', path })))
    assert.matches('V1 First post', assert(require('orrery._fs').read(dir .. '/out/index.html')), 1, true)
    set_version('V2')                                       -- same size, same second
    srv.reset()
    local code, out, err = helper.orrery({ 'run', '-c', path })
    assert.equals(0, code, out .. err)
    local statuses = {}
    for _, r in ipairs(srv.stats()) do statuses[#statuses + 1] = r.status end
    assert.same({ 304 }, statuses)                     -- the site sent nothing new
    assert.matches('entries derived again from 1 kept documents', err, 1, true)
    local page = assert(require('orrery._fs').read(dir .. '/out/index.html'))
    assert.matches('V2 First post', page, 1, true)
    assert.is_nil(page:find('V1 First post', 1, true))
    -- orrery reprocess does it on demand, without the network, and says what changed
    set_version('V3')
    srv.stop()
    code, out, err = helper.orrery({ 'reprocess', '-c', path, 'Alpha' })
    assert.equals(0, code, out .. err)
    assert.matches('title: V2 First post%s+%->%s+V3 First post', err)
    local db = assert(require('orrery._db').open(dir .. '/planet.db'))
    assert.equals(1, db:one("SELECT count(*) AS n FROM entries WHERE title = 'V3 First post'").n)
    assert.equals(0, db:one("SELECT count(*) AS n FROM entries WHERE title LIKE 'V1%' OR title LIKE 'V2%'").n)
    db:close()
    -- and so does try(feed, recipe):apply() in the REPL
    set_version('V4')
    code, out = helper.orrery({ 'repl', '-c', path, '-e', 'try("Alpha"):apply()' })
    assert.equals(0, code, out)
    assert.matches('1 documents derived again', out, 1, true)
  end)
end)
