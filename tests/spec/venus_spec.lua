-- orrery import-venus: Planet Venus / Planet 2.0 configs become planet.lua; every feed
-- section arrives, and what has no equivalent is reported, never dropped in silence.
local helper = require('helper')
local venus = require('orrery.venus')
local config = require('orrery.config')

local function load_planet(text)
  local cfg = assert(load(text, '=planet.lua', 't', {}))()
  return config.validate(cfg, '/tmp')
end

describe('orrery import-venus', function()
  it('converts the options that have an equivalent and reports the others', function()
    local text, report, n = venus.convert(helper.fixture('venus/venus.ini'), 'venus.ini')
    assert.equals(3, n)
    local cfg = load_planet(text)
    assert.equals('Planet Example', cfg.name)
    assert.equals('https://planet.example.org/', cfg.link)
    assert.same({ name = 'Jane Doe', email = 'jane@example.org' }, cfg.owner)
    assert.equals(40, cfg.items_per_page)
    assert.equals(20, cfg.timeout)
    assert.equals(12, cfg.concurrency)
    assert.equals(90, cfg.stale_days)
    assert.equals('%A, %B %d', cfg.day_format)
    assert.equals('https://blog.example.com/feed/', cfg.feeds[1].url)
    assert.equals('Jo "Quote" Bloggs', cfg.feeds[1].name)
    assert.equals('jo.png', cfg.feeds[1].face)
    assert.equals('https://blog.example.com/', cfg.feeds[1].link)
    assert.equals('http://news.example.net/rss?cat=python&x=1', cfg.feeds[2].url)
    assert.equals('Über', cfg.feeds[3].name)
    local all = table.concat(report, '\n')
    assert.matches('output_theme = asf', all, 1, true)
    assert.matches('filters = excerpt.py\nstripAd/feedburner.sed', all, 1, true)   -- a continuation line
    assert.matches('[http://news.example.net/rss?cat=python&x=1] filters = categories.xslt: write an orrery recipe', all, 1, true)
    assert.matches('ignore_in_feed = updated: no equivalent', all, 1, true)
    assert.matches('[index.html.tmpl]: not a feed', all, 1, true)
  end)

  it('refuses what is not INI, with the line', function()
    assert.has_error(function() venus.convert('[Planet]\nname = x\nthis is not an option\n') end,
      'line 3: not a section, option or comment: this is not an option')
  end)

  it('carries every feed of the real Planet Python config (when ../shared has it)', function()
    local path = helper.root .. '/../shared/planetpython/config/config.ini'
    if not require('orrery._fs').stat(path) then
      pending('../shared/planetpython is not here')
      return
    end
    local dir = helper.tmpdir()
    local code, _, err = helper.orrery({ 'import-venus', path, '-o', dir .. '/planet.lua' })
    assert.equals(0, code, err)
    assert.matches('converted .-: 567 feeds', err)
    local cfg = assert(config.load(dir .. '/planet.lua'))
    assert.equals(567, #cfg.feeds)
    assert.equals('Planet Python', cfg.name)
    assert.equals('http://planetpython.org/', cfg.link)
    local ini = venus.parse_ini(assert(require('orrery._fs').read(path)))
    local n = 0
    for _, f in ipairs(cfg.feeds) do
      n = n + 1
      assert.equals(ini.sections[f.url].values.name, f.name)
    end
    assert.equals(#ini.order - 1, n)
    -- and it never overwrites a planet
    code = helper.orrery({ 'import-venus', path, '-o', dir .. '/planet.lua' })
    assert.equals(1, code)
  end)
end)

describe('orrery opml', function()
  it('imports every feed of a reader\'s OPML, folders flattened, each URL once', function()
    local dir = helper.tmpdir()
    local code, _, err = helper.orrery({ 'opml', 'import', helper.root .. '/tests/fixtures/venus/reader.opml',
      '-o', dir .. '/planet.lua' })
    assert.equals(0, code, err)
    local cfg = assert(config.load(dir .. '/planet.lua'))
    assert.equals(3, #cfg.feeds)
    assert.equals('Alpha & Co', cfg.feeds[1].name)
    assert.equals('https://alpha.example/', cfg.feeds[1].link)
    assert.equals('https://beta.example/atom.xml', cfg.feeds[2].url)
    assert.equals('https://gamma.example/rss', cfg.feeds[3].name)   -- no name: the URL
  end)

  it('exports what it imports', function()
    local dir = helper.tmpdir()
    assert.equals(0, (helper.orrery({ 'opml', 'import', helper.root .. '/tests/fixtures/venus/reader.opml',
      '-o', dir .. '/planet.lua' })))
    local code, out = helper.orrery({ 'opml', 'export', '-c', dir .. '/planet.lua' })
    assert.equals(0, code)
    local again = require('orrery.opml').read(out)
    assert.equals(3, #again)
    assert.same({ url = 'https://alpha.example/feed.xml', name = 'Alpha & Co', link = 'https://alpha.example/' }, again[1])
    assert.equals(1, (helper.orrery({ 'opml', 'import', helper.root .. '/tests/fixtures/http/alpha.rss' })))
  end)
end)
