-- End to end: a recipe author records a site once (orrery record), then develops and keeps
-- the recipe working against the recording, with the site gone (orrery test).
local helper = require('helper')
local cfs = require('orrery._fs')
local json = require('orrery.json')

local ARTICLE = '<html><head><title>%s</title></head><body><nav>Home · About · Archive</nav><article><h1>%s</h1>'
  .. string.rep('<p>This is the full text of the post, long enough to be an article on its own page. '
    .. 'It goes on about %s for a while, as posts do.</p>', 4)
  .. '</article><footer>© the site</footer></body></html>'

describe('record and replay (end to end)', function()
  local dir, srv
  setup(function()
    dir = helper.tmpdir()
    assert(cfs.mkdirs(dir .. '/www/posts'))
    assert(cfs.mkdirs(dir .. '/recipes'))
    -- a site without a feed: an index of teasers, each linking to its post
    local items = {}
    for i = 1, 3 do
      local title = 'Post number ' .. i
      items[#items + 1] = string.format('<li class="post"><a href="/posts/%d.html">%s</a> <p>A teaser…</p></li>', i,
        title)
      assert(cfs.write(dir .. '/www/posts/' .. i .. '.html', ARTICLE:format(title, title, title, title, title, title)))
    end
    assert(cfs.write(dir .. '/www/index.html', '<html><body><ul>' .. table.concat(items) .. '</ul></body></html>'))
    assert(cfs.write(dir .. '/recipes/teasers.lua', [[
return {
  full_article = true,
  scrape = function(body, ctx)
    local doc = html.parse(body, ctx.url)
    local feed = { title = 'Teasers', link = ctx.url, entries = {} }
    for _, li in ipairs(doc:css('li.post')) do
      local a = li:css('a')[1]
      feed.entries[#feed.entries + 1] = { title = a:text(), link = a:url('href'), summary = li:css('p')[1]:text() }
    end
    return feed
  end,
}
]]))
    srv = helper.server(dir .. '/www')
  end)
  teardown(function() srv.stop() end)

  it('records the page and its articles, writes a first test, and the test passes with the site gone', function()
    local path = helper.write_planet(dir, { name = 'Rec', output_dir = 'out', database = 'planet.db',
      feeds = { { url = srv.url('index.html'), name = 'Teasers', recipe = 'teasers' } } })
    local code, out, err = helper.orrery({ 'record', '-c', path, 'Teasers', dir .. '/recipes/fixtures/teasers' })
    assert.equals(0, code, out .. err)
    assert.matches('3 article pages', err, 1, true)
    local m = assert(require('orrery.replay').manifest(dir .. '/recipes/fixtures/teasers'))
    assert.equals(srv.url('index.html'), m.feed)
    local n = 0
    for _ in pairs(m.documents) do n = n + 1 end
    assert.equals(4, n)
    local test = assert(cfs.read(dir .. '/recipes/teasers_test.lua'))
    assert.matches("fixtures = \"fixtures/teasers\"", test, 1, true)
    assert.matches("t.equal(#feed.entries, 3)", test, 1, true)

    -- the site goes away: the test still runs, offline
    srv.stop()
    code, out = helper.orrery({ 'test', '-c', path })
    assert.equals(0, code, out)
    assert.matches('3 passed, 0 failed', out, 1, true)
    -- a check of the articles themselves: they came from the recorded pages
    assert(cfs.write(dir .. '/recipes/teasers_test.lua', test:gsub('  tests = {', [[
  tests = {
    ['every entry has its full article'] = function(feed, t)
      for _, e in ipairs(feed.entries) do t.match(e.content, 'full text of the post', e.title) end
      t.equal(#feed.missing, 0, 'pages missing from the recording')
    end,]], 1)))
    code, out = helper.orrery({ 'test', dir .. '/recipes' })
    assert.equals(0, code, out)
    assert.matches('4 passed, 0 failed', out, 1, true)

    -- a recipe edit that breaks it is caught, naming the check and what it got
    local r = assert(cfs.read(dir .. '/recipes/teasers.lua'))
    assert(cfs.write(dir .. '/recipes/teasers.lua', (r:gsub("'li%.post'", "'li.article'"))))
    code, out = helper.orrery({ 'test', '--json', dir .. '/recipes' })
    assert.equals(1, code)
    local res = json.decode(out)
    assert.is_true(res.failed >= 1)
    local msgs = {}
    for _, x in ipairs(res.results) do if not x.ok then msgs[#msgs + 1] = x.name .. ': ' .. x.failures[1] end end
    assert.matches('gives 3 entries: expected 3, got 0', table.concat(msgs, '\n'), 1, true)
    assert(cfs.write(dir .. '/recipes/teasers.lua', r))
  end)

  it('says what is wrong with a test file or a recording', function()
    local d = helper.tmpdir()
    assert(cfs.write(d .. '/broken_test.lua', 'return { recipe = "strip-trailer" }'))
    assert(cfs.write(d .. '/norec_test.lua',
      'return { recipe = "strip-trailer", fixtures = "nowhere", tests = { x = function() end } }'))
    local code, out = helper.orrery({ 'test', d })
    assert.equals(1, code)
    assert.matches('a recipe test returns { recipe = NAME, fixtures = DIR', out, 1, true)
    assert.matches('nowhere/manifest.lua', out, 1, true)
    assert.matches('0 passed, 2 failed', out, 1, true)
    local c2, _, err = helper.orrery({ 'test', helper.tmpdir() })
    assert.equals(1, c2)
    assert.matches('no recipe tests', err, 1, true)
  end)

  it("runs the tests of orrery's recipes and the example planet's", function()
    local code, out = helper.orrery({ 'test', helper.root .. '/recipes', helper.root .. '/examples/planet/recipes' })
    assert.equals(0, code, out)
    assert.matches(' 0 failed', out, 1, true)
  end)
end)
