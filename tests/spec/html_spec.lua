local html = require('orrery._html')

describe('orrery._html', function()
  it('selects with CSS as with XPath, from the page or from a node', function()
    local doc = html.parse([[<div id="list"><article class="post"><h2><a href="/a">A</a></h2></article>
      <article class="post ad"><h2><a href="/b">B</a></h2></article><p><a href="/c">C</a></p></div>]],
      'https://blog.example/x/')
    local posts = doc:css('#list > article.post:not(.ad)')
    assert.equals(1, #posts)
    assert.equals('https://blog.example/a', posts[1]:css('h2 > a')[1]:url('href'))
    local all = doc:css('article a, p a')
    assert.equals(3, #all)
    assert.equals(#doc:select(html.css('a[href^="/"]')), #doc:css('a[href^="/"]'))
    local x, err = html.css('a::before')
    assert.is_nil(x)
    assert.matches('pseudo%-elements are not supported', err)
    assert.has_error(function() doc:css('a >') end)
  end)

  it('keeps allowed markup and drops scripts, handlers and unsafe URLs', function()
    assert.equals('<p>hi <em>there</em></p>', html.sanitize('<p onclick="x()">hi <em>there</em><script>evil()</script></p>'))
    assert.equals('<a>x</a>', html.sanitize('<a href="&#106;avascript:alert(1)">x</a>'))
    assert.equals('<img />', html.sanitize('<img src="data:image/svg+xml;base64,AAA">'))
    assert.equals('', html.sanitize('<svg onload="alert(1)"><circle/></svg>'))
    assert.equals('', html.sanitize('<object data="x.swf"></object><embed src="x.swf">'))
    assert.equals('text', html.sanitize('<form action="http://evil/"><input name="pw"></form>text'))
    assert.equals('', html.sanitize('<meta http-equiv="refresh" content="0;url=http://evil/"><base href="http://evil/">'))
    -- feed: wraps a web address only; "feed:javascript:" has run in feed handlers
    assert.equals('<a>x</a>', html.sanitize('<a href="feed:javascript:alert(1)">x</a>'))
    assert.equals('<a href="feed://example.com/rss">x</a><a href="feed:https://example.com/rss">y</a>',
      html.sanitize('<a href="feed://example.com/rss">x</a><a href="feed:https://example.com/rss">y</a>'))
    -- no tab the planet opens gets a handle on it
    assert.equals('<a href="http://example.com/" target="_blank" rel="nofollow">x</a><a href="http://example.com/">y</a>',
      html.sanitize('<a href="http://example.com/" target="_blank" rel="opener nofollow">x</a>'
        .. '<a href="http://example.com/" rel=" OPENER ">y</a>'))
  end)

  it('resolves relative URLs against the base', function()
    assert.equals('<a href="https://e.org/a/b">b</a>', html.sanitize('<a href="b">b</a>', 'https://e.org/a/'))
    assert.equals('https://e.org/x', html.resolve('/x', 'https://e.org/a/'))
  end)

  it('closes what a feed leaves open, so nothing swallows the page', function()
    assert.equals('<div><p>open</p></div>', html.sanitize('<div><p>open'))
    assert.equals('<b>bold</b>', html.sanitize('<b>bold'))
  end)

  it('turns HTML into text', function()
    assert.equals('AT&T rocks', html.text('<b>AT&amp;T</b> rocks'))
    assert.equals('a < b', html.text('a &lt; b'))
  end)

  it('parses pages for recipes, with XPath over the tree', function()
    local doc = html.parse([[<ul><li class="p"><a href="/one">One</a></li><li class="p"><a href="two">Two</a></li></ul>]],
      'https://site.example/blog/')
    local items = doc:select('//li[@class="p"]')
    assert.equals(2, #items)
    local a = items[2]:select('.//a')[1]
    assert.equals('Two', a:text())
    assert.equals('two', a:attr('href'))
    assert.equals('https://site.example/blog/two', a:url('href'))
    assert.equals('https://site.example/one', items[1]:select('a')[1]:url('href'))
    assert.equals('a', a:name())
    assert.is_nil(a:attr('missing'))
  end)

  it('keeps a document alive while its nodes are, and raises on a closed one', function()
    local nodes = html.parse('<p>x</p>'):select('//p')
    collectgarbage()
    assert.equals('x', nodes[1]:text())
    local doc = html.parse('<p>y</p>')
    local p = doc:select('//p')[1]
    doc:close()
    assert.has_error(function() p:text() end, 'attempt to use a node of a closed html document')
    assert.has_error(function() doc:select('//p') end, 'attempt to use a closed html document')
  end)

  it('text_key gives the digest of the squashed title and the key text, as the rule says', function()
    local cutil = require('orrery._util')
    local parse = require('orrery.parse')
    local helper = require('helper')
    -- the rule as it reads in Lua (shown.text_key's comment): what the C makes in one pass
    local function squash(s)
      return (s or ''):lower():gsub('%s+', ' '):gsub('^ ', ''):gsub(' $', '')
    end
    local function reference(h, title, prefix, min)
      local text = html.text(#h > prefix and h:sub(1, prefix) or h, 'key')
      if #text < min then return nil end
      return cutil.digest(squash(title) .. '\0' .. text)
    end
    local cases, n = {}, 0
    local function add(h, title) cases[#cases + 1] = { h, title } end
    -- entries as feeds give them
    local corpus = helper.root .. '/../shared/conformance/feedparser/cases'
    local list = io.popen('find ' .. helper.root .. '/tests/fixtures/feeds ' .. corpus .. ' -type f 2>/dev/null | sort')
    for path in list:lines() do
      local f = parse.feed(assert(io.open(path, 'rb')):read('a'), { url = 'http://example.org/' })
      for _, e in ipairs(f and f.entries or {}) do add(e.content or e.summary or '', e.title) end
    end
    list:close()
    -- titles with white space of every kind, cut HTML, text right at the bound
    local long = ('<p>Word &amp; w\195\182rd, ' .. ('x'):rep(20) .. '</p>\n'):rep(120)
    for _, t in ipairs({ '  Lead and trail  ', '\tTabs\vand\fform\rfeeds\n', 'MiXeD CaSe \195\132', '', ' ',
      '\0nul\0 inside', 'a  b   c', 'x\n' }) do
      add(long, t)
    end
    add(nil or '', nil)
    add(('a'):rep(199), 'short')
    add(('a'):rep(200), 'exact')
    add(('<b>' .. ('\226\130\172'):rep(1000) .. '</b>'), 'cut inside a character')
    -- and random bytes, tags and entities
    local bits = { '<p>', '</p>', '<br>', '&amp;', '&#233;', '&lt;', ' ', '\n', '\t', 'A', 'z', '\195\169', '<a href="x">',
      '</a>', '&', ';', '<', '>', '\v', '\0', 'Text ' }
    math.randomseed(7)
    for _ = 1, 1500 do
      local parts, tparts = {}, {}
      for i = 1, math.random(0, 400) do parts[i] = bits[math.random(#bits)] end
      for i = 1, math.random(0, 12) do tparts[i] = bits[math.random(#bits)] end
      add(table.concat(parts), table.concat(tparts))
    end
    for _, c in ipairs(cases) do
      for _, bound in ipairs({ { 3000, 200 }, { 50, 10 }, { 0, 0 } }) do
        local want = reference(c[1], c[2], bound[1], bound[2])
        assert.equals(want, html.text_key(c[1], c[2], bound[1], bound[2]))
        if want then n = n + 1 end
      end
    end
    assert.truthy(#cases > 2000 and n > 1000, #cases .. ' cases, ' .. n .. ' keys')
  end)

  it('raises on an invalid XPath expression', function()
    assert.has_error(function() html.parse('<p/>'):select('//[') end)
  end)
end)
