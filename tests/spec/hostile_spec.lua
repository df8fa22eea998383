-- Hostile content: documents built to read local files, open connections, blow up memory or
-- time, or smuggle bytes.  Each must be parsed safely (or refused with an error) in bounded
-- time, without touching the file system or the network.
local helper = require('helper')
local parse = require('orrery.parse')
local cutil = require('orrery._util')

-- CPU seconds any one document may take: a guard against quadratic or exponential work (the
-- documents below take well under 0.5 s each), counted in CPU time, not on the wall clock, so a
-- busy machine does not make it fail
local SLOW = os.getenv('ORRERY_SANITIZED') and 60 or 10

local function timed(body)
  local t0 = cutil.cpu('thread')
  local f, err = parse.feed(body, { url = 'http://hostile.example/feed' })
  local s = cutil.cpu('thread') - t0
  assert.is_true(s < SLOW, string.format('took %.1f s of CPU', s))
  return f, err
end

-- every string in the feed, for checks that must hold everywhere
local function strings(f, out)
  out = out or {}
  for _, v in pairs(f or {}) do
    if type(v) == 'string' then out[#out + 1] = v elseif type(v) == 'table' then strings(v, out) end
  end
  return out
end

describe('hostile content', function()
  local srv
  setup(function() srv = helper.server(helper.root .. '/tests/fixtures/http') end)
  teardown(function() srv.stop() end)

  it('never reads a local file nor opens a connection for external entities or DTDs', function()
    local secret = helper.tmpdir() .. '/secret.txt'
    assert(require('orrery._fs').write(secret, 'TOP-SECRET-MARKER'))
    srv.reset()
    local docs = {
      string.format([[<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file://%s">]>
<rss version="2.0"><channel><title>a&x;b</title><item><description>&x;</description></item></channel></rss>]], secret),
      string.format([[<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "%s">]>
<rss version="2.0"><channel><title>&x;</title></channel></rss>]], srv.url('xxe-entity')),
      string.format([[<?xml version="1.0"?><!DOCTYPE rss SYSTEM "%s">
<rss version="2.0"><channel><title>t</title></channel></rss>]], srv.url('xxe-dtd')),
      string.format([[<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY %% p SYSTEM "%s"> %%p;]>
<rss version="2.0"><channel><title>t</title></channel></rss>]], srv.url('xxe-param')),
      string.format([[<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"
 xmlns:xi="http://www.w3.org/2001/XInclude"><title>t</title><entry><content type="xhtml">
<div xmlns="http://www.w3.org/1999/xhtml"><xi:include href="file://%s" parse="text"/></div></content></entry></feed>]], secret),
    }
    for i, doc in ipairs(docs) do
      local f = timed(doc)
      for _, s in ipairs(strings(f)) do
        assert.is_nil(s:find('TOP-SECRET-MARKER', 1, true), 'document ' .. i .. ' read the file')
      end
    end
    for _, r in ipairs(srv.stats()) do
      assert.is_nil(r.path:find('xxe', 1, true), 'the parser fetched ' .. r.path)
    end
  end)

  it('does not expand entities into a bomb, linear or exponential', function()
    local laughs = { '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">' }
    local prev = 'a'
    for i = 1, 12 do
      laughs[#laughs + 1] = string.format('<!ENTITY e%d "%s">', i, string.rep('&' .. prev .. ';', 10))
      prev = 'e' .. i
    end
    laughs[#laughs + 1] = ']><rss version="2.0"><channel><title>&e12;</title><item><description>&e12;&e12;'
      .. '</description></item></channel></rss>'
    local big = string.rep('x', 100000)
    local quadratic = '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY q "' .. big .. '">]><rss version="2.0"><channel>'
      .. '<item><description>' .. string.rep('&q;', 20000) .. '</description></item></channel></rss>'
    for _, doc in ipairs({ table.concat(laughs), quadratic }) do
      local f = timed(doc)
      local total = 0
      for _, s in ipairs(strings(f)) do total = total + #s end
      assert.is_true(total < 4 * 1024 * 1024, 'expanded to ' .. total .. ' bytes')
    end
  end)

  it('survives 100,000-deep nesting, in the XML, in entry HTML and in JSON Feed', function()
    local deep_xml = '<rss version="2.0"><channel><item><title>deep</title><description>'
      .. string.rep('<x>', 100000) .. 'core' .. string.rep('</x>', 100000) .. '</description></item></channel></rss>'
    timed(deep_xml)        -- libxml2 stops at its depth limit: recovered or refused, not a crash
    local deep_html = '<rss version="2.0"><channel><item><title>deep</title><description><![CDATA['
      .. string.rep('<div>', 100000) .. 'core' .. string.rep('</div>', 100000) .. ']]></description></item></channel></rss>'
    local f = timed(deep_html)
    assert.is_table(f)
    local d = f.entries[1].summary or f.entries[1].content or ''
    assert.is_true(#d < 2 * 1024 * 1024)
    -- JSON Feed: an extension nested deeper than jansson reads (2048) lost the whole feed
    f = timed('{"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": [{"id": "1", '
      .. '"content_text": "brackets [[{ and \\" quotes", "_deep": ' .. string.rep('[', 100000) .. string.rep(']', 100000)
      .. '}, {"id": "2", "content_text": "after it"}]}')
    assert.equals(2, #f.entries)
    assert.matches('brackets [[{ and " quotes', f.entries[1].content, 1, true)
    assert.matches('after it', f.entries[2].content, 1, true)
  end)

  it('reads tags with a hundred thousand attributes in bounded time, in the XML and in entry HTML', function()
    -- libxml2 2.9 compares each attribute of a tag with all the earlier ones: 300,000 of them
    -- took 7 minutes in a feed's <item> and 80 s in an entry's HTML
    local function attrs(n, fmt)
      local t = {}
      for i = 1, n do t[i] = string.format(fmt, i) end
      return table.concat(t, ' ')
    end
    local f = timed('<rss version="2.0"><channel><title>t</title><item ' .. attrs(60000, 'a%d="1"')
      .. '><title>many in the item</title><guid>one</guid></item><item><title>next</title><guid>two</guid>'
      .. '</item></channel></rss>')
    assert.equals(2, #f.entries)
    assert.equals('many in the item', f.entries[1].title)
    assert.equals('next', f.entries[2].title)
    f = timed('<rss version="2.0"><channel><title>t</title><item><title>many in the HTML</title><guid>one</guid>'
      .. '<description><![CDATA[<p><a href="http://example.com/kept" ' .. attrs(150000, 'a%d') .. '>link</a></p>'
      .. '<p title="&lt;" ' .. attrs(150000, 'b%d=x') .. '>after</p>]]></description></item></channel></rss>')
    assert.equals(1, #f.entries)
    local d = f.entries[1].summary or f.entries[1].content
    assert.matches('href="http://example.com/kept"', d, 1, true)
    assert.matches('after', d, 1, true)
  end)

  it('keeps an entry to 256 tags, 64 enclosures and 4 kB of notes, in linear time', function()
    -- each tag was compared with every earlier one (200,000 categories: 46 s; as many JSON
    -- Feed tags: 93 s), and each note line copied all the lines before it
    local cats, encs = {}, {}
    for i = 1, 200000 do cats[i] = string.format('<category>c%d</category>', i) end
    for i = 1, 20000 do encs[i] = string.format('<enclosure url="javascript:alert(%d)" type="audio/mpeg"/>', i) end
    for i = 20001, 20100 do encs[#encs + 1] = string.format('<enclosure url="http://example.com/%d.mp3"/>', i) end
    local f = timed('<rss version="2.0"><channel><title>t</title><item><title>many</title><guid>one</guid>'
      .. table.concat(cats) .. table.concat(encs) .. '</item></channel></rss>')
    local e = f.entries[1]
    assert.equals(256, #e.tags)
    assert.equals('c1', e.tags[1])
    assert.equals(64, #e.enclosures)    -- refused URLs (javascript:) are no enclosures
    assert.equals('http://example.com/20001.mp3', e.enclosures[1].href)
    assert.is_true(#e.notes <= 4096, tostring(#e.notes))
    assert.matches('(more notes left out)', e.notes, 1, true)   -- (the 36 enclosures left out are past it)
    local tags = {}
    for i = 1, 200000 do tags[i] = string.format('"t%d"', i) end
    f = timed('{"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": [{"id": "1", '
      .. '"content_text": "x", "tags": [' .. table.concat(tags, ',') .. ']}]}')
    assert.equals(256, #f.entries[1].tags)
    assert.matches('199744 more tags left out', f.entries[1].notes, 1, true)
  end)

  it('reads a megabyte of comment openers, "--" in comments and CDATA openers in linear time', function()
    -- libxml2 copied the comment read so far for each "--" in it (117 s); the items were
    -- looked for by reading to the end after each CDATA opener that never closes (280 s)
    local head = '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>a '
    local tail = '</title></item><item><title>b</title></item></channel></rss>'
    for _, run in ipairs({ '<!--', '<!-- -- ', '<![CDATA[', '<?pi ' }) do
      local f = timed(head .. string.rep(run, (1 << 20) // #run) .. tail)
      assert.is_table(f, run)
      assert.is_true(f.bozo, run)
    end
    -- a comment's hyphens are all that changes: the text around it stays
    local f = timed(head .. '<!-- x -- y --> z' .. tail)
    assert.equals('a  z', f.entries[1].title)
    assert.matches('"--" inside a comment', f.bozo_message, 1, true)
  end)

  it('parses huge text nodes within bounds', function()
    local doc = '<rss version="2.0"><channel><item><title>big</title><description>'
      .. string.rep('word ', 2 * 1024 * 1024) .. '</description></item></channel></rss>'
    local f, err = timed(doc)
    assert.is_true(f ~= nil or err ~= nil)
  end)

  it('hands out valid UTF-8 without NUL bytes, whatever the input bytes', function()
    local doc = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>bad \xff\xfe bytes \xc3</title>'
      .. '<item><title>nul\0here</title><description>&lt;p&gt;x\0y \xed\xa0\x80 z&lt;/p&gt;</description>'
      .. '<link>http://e.example/\0a</link></item></channel></rss>'
    local f = timed(doc)
    assert.is_table(f)
    for _, s in ipairs(strings(f)) do
      assert.is_truthy(utf8.len(s), 'invalid UTF-8: ' .. s)
      assert.is_nil(s:find('\0', 1, true), 'NUL in ' .. s)
    end
  end)
  it("hands out only XML's characters: no control character a JSON Feed or a page can carry", function()
    -- (XML feeds cannot carry them at all; a JSON Feed escapes them, \u0008, and HTML has them raw)
    local ctl = '\1\8\11\12\27\127'
    local bad = '[%z\1-\8\11\12\14-\31]'
    local json = '{"version":"https://jsonfeed.org/version/1.1","title":"J\\u0008son \\ufffe\\u001b","items":['
      .. '{"id":"1","title":"T\\u0001itle\\u0007","content_html":"<p>a\\u0008b\\u000bc</p>\\u0014",'
      .. '"content_text":"x\\u0002y","summary":"s\\u000cs","authors":[{"name":"A\\u0003"}],"tags":["t\\u0004"]},'
      .. '{"id":"2","title":"raw \1\8 ctl","content_html":"plain \8 text, no markup"}]}'
    local f = timed(json)
    assert.is_table(f)
    assert.equals(2, #f.entries)
    for _, s in ipairs(strings(f)) do
      assert.is_nil(s:find(bad), string.format('control character in %q', s))
      assert.is_nil(s:find('\xEF\xBF[\xBE\xBF]'), string.format('U+FFFE/U+FFFF in %q', s))
    end
    assert.equals('Title', f.entries[1].title)
    assert.matches("XML does not allow", f.bozo_message, 1, true)
    -- and base64 (Atom 0.3's mode="base64"), which decodes to any bytes at all
    local atom = '<?xml version="1.0"?><feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>t</title>'
      .. '<tagline mode="base64">%s</tagline><entry><title>e</title><id>1</id>'
      .. '<content type="text/html" mode="base64">%s</content></entry></feed>'
    f = timed(atom:format('VGFnCGxpbmUgAWhlcmU=', 'PHA+QhtvDGR5PC9wPg=='))
    assert.is_table(f)
    for _, s in ipairs(strings(f)) do
      assert.is_nil(s:find(bad), string.format('control character in %q', s))
    end
    assert.equals('Tagline here', f.subtitle)
    assert.equals('<p>Body</p>', f.entries[1].content)
    -- the sanitizer and the text of HTML, on every path (plain text, the tokenizer, libxml2's)
    local chtml = require('orrery._html')
    for _, h in ipairs({ 'a' .. ctl .. 'b', '<p>a' .. ctl .. 'b</p>', '<p title="t' .. ctl .. '">a&amp;' .. ctl .. '</p>',
        '<table><td>x' .. ctl .. '</table>' }) do
      for _, out in ipairs({ chtml.sanitize(h, 'http://e.example/'), chtml.text(h) }) do
        assert.is_nil(out:find(bad), string.format('%q gave %q', h, out))
      end
    end
    -- and whatever a template writes, escaped (a recipe's title with a control character)
    assert.equals('ab\tc\n&lt;', require('orrery.util').escape('a\1b\tc\n\27<'))
  end)
end)

describe('hostile fields after parsing (end to end)', function()
  -- Lua patterns that backtrack (gsub('%s+$'), a scheme's letters before "://") read a run of
  -- one character again from each of its bytes: a feed's language padded with 200,000
  -- blanks, or a link of 200,000 slashes, held a refresh for minutes (hours at a megabyte)
  local run = 200000

  it('stores a feed whose fields are long runs of one character, in bounded time', function()
    local dir = helper.tmpdir()
    local doc = '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><language>en'
      .. string.rep(' ', run) .. 'x</language><item><title>A</title><link>http://e.example/a'
      .. string.rep('/', run) .. 'b/</link><guid>a</guid></item><item><title>B</title><link>http://e.example/b</link>'
      .. '<dc:language xmlns:dc="http://purl.org/dc/elements/1.1/">' .. string.rep(' ', run) .. 'de</dc:language>'
      .. '</item></channel></rss>'
    local f = assert(io.open(dir .. '/long.rss', 'wb'))
    f:write(doc)
    f:close()
    local planet_path = helper.write_planet(dir, { name = 'Long', output_dir = 'out', database = 'planet.db',
      feeds = { { url = dir .. '/long.rss', name = 'Long' } } })
    local t0 = cutil.clock()
    local code, out, err = helper.orrery({ 'run', '-c', planet_path })
    assert.equals(0, code, out .. err)
    assert.is_true(cutil.clock() - t0 < SLOW, string.format('took %.1f s', cutil.clock() - t0))
    assert.matches('2 new entries', out .. err)
  end)

  it("keeps the planet's Atom, RSS, OPML and FOAF well-formed whatever characters feeds and recipes bring", function()
    local fs = require('orrery._fs')
    local dir = helper.tmpdir()
    assert(fs.write(dir .. '/j.json', '{"version":"https://jsonfeed.org/version/1.1","title":"J\\u0008",'
      .. '"home_page_url":"https://j.example/","authors":[{"name":"Au\\u0001thor"}],"items":[{"id":"1",'
      .. '"url":"https://j.example/1","title":"T\\u0008itle","content_html":"<p>a\\u0008b \\u0001 c</p>",'
      .. '"date_published":"2026-12-01T00:00:00Z","tags":["t\\u0002"]}]}'))
    assert(fs.write(dir .. '/r.rss', '<?xml version="1.0"?><rss version="2.0"><channel><title>R</title>'
      .. '<link>https://r.example/</link><item><title>plain</title><link>https://r.example/1</link>'
      .. '<guid>r1</guid><pubDate>Tue, 01 Dec 2026 00:00:00 GMT</pubDate><description>d</description></item>'
      .. '</channel></rss>'))
    assert(fs.mkdirs(dir .. '/recipes'))
    assert(fs.write(dir .. '/recipes/ctl.lua', 'return { entry = function(e) e.title = "Re\\1ci\\27pe"; '
      .. 'e.author = "B\\8"; e.content = "<p>c\\8</p>"; return e end, '
      .. 'feed = function(f) f.title = "F\\11eed"; return f end }'))
    local planet_path = helper.write_planet(dir, { name = 'Ctl', link = 'https://planet.test/', output_dir = 'out',
      database = 'planet.db', feeds = { { url = 'j.json', name = 'J' }, { url = 'r.rss', name = 'R\1', recipe = 'ctl' } } })
    local code, out, err = helper.orrery({ 'run', '-c', planet_path, '-q' })
    assert.equals(0, code, out .. err)
    for _, name in ipairs({ 'atom.xml', 'rss20.xml', 'rss10.xml', 'opml.xml', 'foafroll.xml' }) do
      local c, msg = helper.sh('xmllint --noout ' .. helper.sh_quote(dir .. '/out/' .. name) .. ' 2>&1')
      assert.equals(0, c, name .. ': ' .. msg)
    end
    local atom = assert(fs.read(dir .. '/out/atom.xml'))
    assert.matches('Title', atom, 1, true)
    assert.matches('Recipe', atom, 1, true)
    for _, name in ipairs({ 'index.html', 'health.html', 'health.json' }) do
      local page = assert(fs.read(dir .. '/out/' .. name))
      assert.is_nil(page:find('[%z\1-\8\11\12\14-\31]'), name)
    end
  end)

  it('reads every field the way a planet shows it in time linear in its length', function()
    local shown, publish = require('orrery.shown'), require('orrery.publish')
    local pretty, util, heldback = require('orrery.pretty'), require('orrery.util'), require('orrery.heldback')
    local calls = {
      language = function(s) return parse.language(s) end,
      trim = function(s) return util.trim(s) end,
      link_key = function(s) return shown.link_key('http://x.org/' .. s) end,
      message = function(s) return publish.message({ dir = '/tmp' }, s) end,
      html_to_text = function(s) return pretty.html_to_text('<p>' .. s .. '</p>', 80) end,
      paywalled = function(s) return heldback.paywalled(s) end,
      stand_in = function(s) return heldback.stand_in(s, '<title>' .. s .. '</title>' .. s) end,
      -- and the sanitizer's own scans: a style of url( after url( read each to its end
      style = function(s) return require('orrery._html').sanitize('<p style="' .. s .. '">x</p>', 'http://e.example/') end,
      href = function(s) return require('orrery._html').sanitize('<a href="' .. s .. '">x</a>', 'http://e.example/') end,
    }
    for name, call in pairs(calls) do
      for _, c in ipairs({ ' ', '/', 'a', ':', '<', 'isaccessibleforfree <', 'url(', '../', '&#' }) do
        local s = string.rep(c, run // #c) .. 'x' .. string.rep(c, 10)
        local t0 = cutil.cpu('thread')
        call(s)
        local t = cutil.cpu('thread') - t0
        assert.is_true(t < SLOW / 5, string.format('%s on a run of %q: %.1f s', name, c, t))
      end
    end
  end)
end)
