-- The rendered demo planet is valid: every HTML page passes HTML Tidy (HTML5) without an
-- error or a warning, atom.xml validates against RFC 4287's RELAX NG schema with libxml2
-- (xmllint), and the other XML outputs are well-formed.  Each checker is first shown to
-- fail on a broken document, so a pass means something.
local helper = require('helper')
local fs = require('orrery._fs')

local function tidy(path)
  -- -e: report only; exit 0 clean, 1 warnings, 2 errors
  return helper.sh('tidy -q -e --gnu-emacs yes ' .. helper.sh_quote(path) .. ' 2>&1')
end

local function relaxng(path)
  return helper.sh(string.format('xmllint --noout --relaxng %s %s 2>&1',
    helper.sh_quote(helper.root .. '/tests/schemas/atom.rng'), helper.sh_quote(path)))
end

describe('valid output', function()
  local dir, out
  setup(function()
    dir = helper.demo_planet()
    out = dir .. '/out'
  end)

  it('has checkers that fail on broken documents', function()
    local bad = dir .. '/bad.html'
    assert(fs.write(bad, '<!DOCTYPE html><html><head><title>x</title></head><body><p><div>x</p></span></body></html>'))
    assert.are_not.equal(0, (tidy(bad)))
    local atom = assert(fs.read(out .. '/atom.xml'))
    local cases = {
      no_id = atom:gsub('<id>[^<]*</id>', '', 1),                                   -- feed without atom:id
      bad_date = atom:gsub('<updated>[^<]*</updated>', '<updated>yesterday</updated>', 1),
      two_titles = atom:gsub('<title>', '<title>x</title><title>', 1),
    }
    for name, doc in pairs(cases) do
      assert(fs.write(dir .. '/bad.atom', doc))
      local code, msg = relaxng(dir .. '/bad.atom')
      assert.are_not.equal(0, code, name .. ' passed the schema')
      assert.matches('fails to validate', msg, 1, true)
    end
  end)

  it('renders HTML pages that HTML Tidy passes without errors or warnings', function()
    local pages = { out .. '/index.html', out .. '/health.html' }
    for _, name in ipairs(assert(fs.list(out .. '/archive'))) do pages[#pages + 1] = out .. '/archive/' .. name end
    assert.is_true(#pages >= 4, 'archive pages missing')
    for _, p in ipairs(pages) do
      local code, msg = tidy(p)
      assert.equals(0, code, p .. ':\n' .. msg)
      assert.equals('', msg)
    end
  end)

  it('renders atom.xml that validates against the RFC 4287 RELAX NG schema', function()
    local code, msg = relaxng(out .. '/atom.xml')
    assert.equals(0, code, msg)
    assert.matches('validates', msg)
  end)

  it("is the demo README.md describes: its counts of feeds and entries", function()
    local readme = assert(fs.read(helper.root .. '/README.md'))
    local feeds = tonumber(readme:match('reads its (%d+)%s+feeds'))
    local entries = tonumber(readme:match('its first run stores (%d+) entries'))
    local cfg = assert(require('orrery.config').load(dir .. '/planet.lua'))
    assert.equals(#cfg.feeds, feeds)
    local db = assert(require('orrery._db').open(dir .. '/planet.db'))
    assert.equals(entries, db:one('SELECT count(*) AS n FROM entries').n)
    db:close()
  end)

  it('renders the demo page in headless Chromium with its structure, and keeps a screenshot', function()
    local chtml = require('orrery._html')
    local rc, dom, err = helper.chromium(out .. '/index.html', 'dom', dir)
    assert.equals(0, rc, err)
    assert.matches('<title>Planet Orrery Example</title>', dom, 1, true)   -- no script changed it
    local doc = chtml.parse(dom, 'file:///')
    assert.equals(1, #doc:select('//header//h1[a="Planet Orrery Example"]'))
    local days = doc:select('//main[@id="content"]/section[@class="day"]')
    assert.is_true(#days >= 5, #days .. ' days')
    assert.equals(26, #doc:select('//main[@id="content"]//article[@class="entry"]'))
    -- the channel's name where a run of its entries starts (Planet's layout), every entry
    -- with its title and time
    assert.is_true(#doc:css('main article.entry h3.channel a') >= 12)
    for _, a in ipairs(doc:css('main article.entry')) do
      assert.equals(1, #a:css('h4.title a'))
      assert.equals(1, #a:css('p.meta time[datetime]'))
      -- each entry's title and text take their direction from their own words: an Arabic or
      -- Hebrew post reads right to left on a planet written left to right
      assert.equals(1, #a:css('h4.title[dir="auto"]'))
      assert.equals(1, #a:css('div.content[dir="auto"]'))
    end
    -- the sidebar after the entries: every feed
    assert.equals(1, #doc:select('//main[@id="content"]/following-sibling::aside[@id="sidebar"]'))
    assert.equals(12, #doc:css('aside#sidebar ul.subscriptions > li'))
    -- no [feed] link: local files have no public address, and the two sites with one are
    -- pages scraped by recipes, not feeds; they link to their site
    assert.equals(0, #doc:css('aside#sidebar ul.subscriptions > li > a.feed'))
    assert.equals(1, #doc:css('aside#sidebar ul.subscriptions > li > a[href="https://lin-codes.example.org/"]'))
    -- every output of the planet is linked, and no link is empty
    for _, name in ipairs({ 'atom.xml', 'rss20.xml', 'rss10.xml', 'opml.xml', 'foafroll.xml', 'health.html' }) do
      assert.equals(1, #doc:css('aside#sidebar ul.outputs a[href="' .. name .. '"]'), name)
    end
    assert.equals(0, #doc:select('//a[not(ancestor::div[contains(@class, "content")])][not(@href) or normalize-space(@href)=""]'))
    assert.equals(0, #doc:select('//script'))
    -- the full article fetched for a teaser, shown on the page
    assert.matches('hot cache line', dom, 1, true)
    local shot = helper.root .. '/build/screenshots/demo.png'      -- kept: a build artifact
    assert(fs.mkdirs(helper.root .. '/build/screenshots'))
    assert.equals(0, helper.chromium(out .. '/index.html', shot, dir))
    local st = fs.stat(shot)
    assert.is_true(st ~= nil and st.size > 10000, 'no screenshot')
  end)

  it('renders well-formed RSS 2.0, RSS 1.0, OPML and FOAF', function()
    for _, name in ipairs({ 'rss20.xml', 'rss10.xml', 'opml.xml', 'foafroll.xml' }) do
      local code, msg = helper.sh('xmllint --noout ' .. helper.sh_quote(out .. '/' .. name) .. ' 2>&1')
      assert.equals(0, code, name .. ': ' .. msg)
    end
  end)
end)
