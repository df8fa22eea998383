-- What Planet Python's maintainers asked for (python/planet issues), end to end with the
-- real binary against a loopback server.  The full-size test (planetpython_spec) holds the
-- rest: the failing/stale feeds page and JSON (#308, #257, #233), failing feeds not linking
-- to the planet in the blogroll, moved feeds followed and reported (#19).
local helper = require('helper')
local cdb = require('orrery._db')
local fs = require('orrery._fs')

local function rss(items)
  local out = { '<?xml version="1.0"?><rss version="2.0"><channel><title>Blog</title><link>https://blog.example/</link>',
    '<lastBuildDate>' .. os.date('!%a, %d %b %Y %H:%M:%S GMT') .. '</lastBuildDate>' }
  for _, it in ipairs(items) do
    out[#out + 1] = '<item><title>' .. it.title .. '</title><link>https://blog.example/' .. it.slug .. '</link>'
      .. (it.date and ('<pubDate>' .. it.date .. '</pubDate>') or '')
      .. '<description>' .. (it.desc or '<![CDATA[<p>Text of ' .. it.slug .. '</p>]]>') .. '</description></item>'
  end
  out[#out + 1] = '</channel></rss>'
  return table.concat(out, '\n')
end

describe('the maintainers\' requests (end to end)', function()
  local srv, root, dir, planet_path
  setup(function()
    root = helper.tmpdir()
    srv = helper.server(root)
    dir = helper.tmpdir()
    planet_path = helper.write_planet(dir, {
      name = 'Maintainers', output_dir = 'out', database = 'planet.db', items_per_page = 50,
      feeds = {
        { url = srv.url('restamp.rss'), name = 'Restamper' },
        { url = srv.url('undated.rss'), name = 'Static site' },
        { url = srv.url('escaped.rss'), name = 'Escaper' },
      },
    })
  end)
  teardown(function() srv.stop() end)

  local function publish(name, text) assert(fs.write(root .. '/' .. name, text)) end
  local function run()
    local code, out, err = helper.orrery({ 'run', '-c', planet_path, '-q' })
    assert.equals(0, code, out .. err)
  end
  local function dates()
    local db = assert(cdb.open(dir .. '/planet.db'))
    local d = {}
    for r in db:rows('SELECT guid, date, first_seen FROM entries') do d[r.guid] = r end
    local n = db:one('SELECT count(*) AS n FROM entries').n
    db:close()
    return d, n
  end

  it('keeps old posts where they were when a feed re-stamps their dates (#97, #570)', function()
    publish('restamp.rss', rss({
      { title = 'Old post', slug = 'old', date = 'Thu, 01 Jan 2026 10:00:00 GMT' },
      { title = 'Recent post', slug = 'recent', date = 'Sun, 01 Nov 2026 10:00:00 GMT' },
    }))
    publish('undated.rss', rss({}))
    publish('escaped.rss', rss({}))
    run()
    local before = dates()
    -- the site is rebuilt: every pubDate becomes "now"
    local now = os.date('!%a, %d %b %Y %H:%M:%S GMT')
    publish('restamp.rss', rss({
      { title = 'Old post', slug = 'old', date = now }, { title = 'Recent post', slug = 'recent', date = now },
    }))
    run()
    local after = dates()
    assert.equals(before['https://blog.example/old'].date, after['https://blog.example/old'].date)
    assert.equals(before['https://blog.example/recent'].date, after['https://blog.example/recent'].date)
    local page = assert(fs.read(dir .. '/out/index.html'))
    assert.is_true(page:find('Recent post', 1, true) < page:find('Old post', 1, true))
  end)

  it('does not show undated posts as new when a static site uploads them again (#151)', function()
    publish('undated.rss', rss({ { title = 'First', slug = 'first' }, { title = 'Second', slug = 'second' } }))
    run()
    local before, n = dates()
    helper.sleep(1.1)
    -- regenerated and uploaded again: new lastBuildDate, new validators, items reordered
    publish('undated.rss', rss({ { title = 'Second', slug = 'second' }, { title = 'First', slug = 'first' } }))
    local code, out = helper.orrery({ 'run', '-c', planet_path, '--json' })
    assert.equals(0, code)
    local s = require('orrery.json').decode(out)
    assert.equals(0, s.new)
    local after, n2 = dates()
    assert.equals(n, n2)
    for _, g in ipairs({ 'https://blog.example/first', 'https://blog.example/second' }) do
      assert.equals(before[g].date, after[g].date)
      assert.equals(before[g].first_seen, after[g].date)     -- undated: shown at first sight
    end
  end)

  it('shows HTML escaped twice inside CDATA as HTML, and text about tags as text (#206)', function()
    publish('escaped.rss', rss({
      { title = 'Twice', slug = 'twice', date = 'Mon, 02 Nov 2026 10:00:00 GMT',
        desc = '<![CDATA[&lt;p&gt;Hello &lt;b&gt;world&lt;/b&gt; &amp;amp; all&lt;/p&gt;]]>' },
      { title = 'About tags', slug = 'about', date = 'Mon, 02 Nov 2026 09:00:00 GMT',
        desc = '<![CDATA[Use &lt;b&gt; for bold, and x &lt; y.]]>' },
      { title = 'Sneaky', slug = 'sneaky', date = 'Mon, 02 Nov 2026 08:00:00 GMT',
        desc = '<![CDATA[&lt;p&gt;hi&lt;script&gt;alert(1)&lt;/script&gt;&lt;/p&gt;]]>' },
    }))
    run()
    local page = assert(fs.read(dir .. '/out/index.html'))
    assert.truthy(page:find('<p>Hello <b>world</b> &amp; all</p>', 1, true))
    assert.truthy(page:find('Use &lt;b&gt; for bold, and x &lt; y.', 1, true))
    assert.truthy(page:find('<p>hi</p>', 1, true))              -- unescaped, then sanitized
    assert.falsy(page:find('<script>alert', 1, true))
  end)
end)
