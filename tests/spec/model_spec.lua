-- The feed model's rules (src/entry.c, src/url.c, lua/orrery/parse.lua): only web addresses in
-- URL fields, whatever a feed or a recipe writes there; authors as readers expect; and the
-- messy or hostile documents a planet meets every week read whole.
local cfeed = require('orrery._feed')
local parse = require('orrery.parse')

local PAY = 'alert(1)'
-- every way a scheme that runs script has been written into a link
local unsafe = {
  'javascript:' .. PAY, 'JaVaScRiPt:' .. PAY, 'JaVa\tScRiPt:' .. PAY, 'java\nscript:' .. PAY,
  'java\rscript:' .. PAY, '  javascript:' .. PAY, '\1\2javascript:' .. PAY, 'javascript:' .. PAY .. '  ',
  '&#106;avascript:' .. PAY, '&#x6A;avascript:' .. PAY, '&#0000106avascript:' .. PAY,
  'javascript&colon;' .. PAY, 'java&Tab;script:' .. PAY, 'jav&#x09;ascript:' .. PAY,
  'vbscript:msgbox(1)', 'VBScript:msgbox(1)', 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
  'data:text/html,<script>' .. PAY .. '</script>', 'livescript:' .. PAY, 'file:///etc/passwd',
  'ftp://example.org/x', 'about:blank', 'blob:https://example.org/x', 'mailto:jo@example.org',
}

-- XML text for s (the document says exactly s)
local function x(s)
  return (s:gsub('&', '&amp;'):gsub('<', '&lt;'):gsub('>', '&gt;'):gsub('"', '&quot;')
    :gsub('[\1-\8\11\12\14-\31]', function(c) return '&#' .. c:byte() .. ';' end))
end

describe('the URL policy (orrery._feed.url)', function()
  it('refuses every scheme but http and https, however it is written', function()
    for _, u in ipairs(unsafe) do
      local got, why = cfeed.url(u, 'https://blog.example/feed')
      assert.is_nil(got, u)
      assert.is_string(why)
    end
  end)

  it('keeps web addresses, resolves relative ones, drops passwords and escapes what could end an attribute', function()
    assert.equals('https://blog.example/a', cfeed.url('  https://blog.example/a  '))
    assert.equals('HTTP://blog.example/b', cfeed.url('HTTP://blog.example/b'))
    assert.equals('https://blog.example/posts/c', cfeed.url('/posts/c', 'https://blog.example/feed'))
    assert.equals('https://blog.example/x%20y%22z', cfeed.url('x y"z', 'https://blog.example/feed'))
    assert.equals('https://blog.example/p', cfeed.url('https://jo:secret@blog.example/p'))
    assert.equals('http://evil.example/x', cfeed.url('http:\\\\evil.example\\x'))
    -- relative with no web address to resolve against: against a local file it is refused,
    -- with no base at all it stays relative (it has no scheme, so it can run nothing)
    assert.is_nil(cfeed.url('a/b', 'file:///srv/feed.xml'))
    assert.equals('a/b', cfeed.url('a/b'))
    assert.equals('http://nohost', cfeed.url('http:///nohost'))   -- as browsers read it
    assert.is_nil(cfeed.url('http://'))
    assert.is_nil(cfeed.url('https:///'))
  end)

  it("allows mailto: only where an email address belongs", function()
    assert.is_nil(cfeed.url('mailto:jo@example.org'))
    assert.equals('mailto:jo@example.org', cfeed.url('mailto:jo@example.org', nil, 'mail'))
    assert.is_nil(cfeed.url('javascript:' .. PAY, nil, 'mail'))
  end)
end)

describe('the feed model', function()
  it('drops an unsafe URL from every URL field of RSS, and notes it on the entry or feed', function()
    for _, u in ipairs(unsafe) do
      local doc = string.format([[<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel>
<title>t</title><link>%s</link><image><url>%s</url></image>
<item><title>a</title><link>%s</link><comments>%s</comments><guid>g1</guid>
<enclosure url="%s" type="audio/mpeg" length="1"/><media:content url="%s"/></item>
<item><title>b</title><guid isPermaLink="true">%s</guid></item></channel></rss>]], x(u), x(u), x(u), x(u), x(u), x(u), x(u))
      local f = assert(parse.feed(doc, { url = 'https://blog.example/feed' }))
      assert.is_nil(f.link, u)
      assert.is_nil(f.icon, u)
      assert.matches('site link dropped', f.notes)
      local a, b = f.entries[1], f.entries[2]
      assert.is_nil(a.link, u)
      assert.is_nil(a.comments, u)
      assert.equals(0, #a.enclosures, u)           -- an enclosure without a usable URL goes
      assert.matches('link dropped: a ', a.notes)
      assert.matches('enclosure dropped', a.notes)
      assert.is_nil(b.link, u)                      -- a permalink guid is a link: the same rule
      assert.is_string(b.id)                        -- (the id itself is kept: it is no link)
    end
  end)

  it('drops an unsafe URL from every URL field of Atom', function()
    for _, u in ipairs(unsafe) do
      local doc = string.format([[<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
<link href="%s"/><icon>%s</icon><logo>%s</logo><author><name>A</name><uri>%s</uri></author>
<entry><id>%s</id><title>e</title><link href="%s"/><link rel="enclosure" href="%s"/>
<link rel="replies" href="%s"/><author><name>B</name><uri>%s</uri></author></entry></feed>]],
        x(u), x(u), x(u), x(u), x(u), x(u), x(u), x(u), x(u))
      local f = assert(parse.feed(doc, { url = 'https://blog.example/feed' }))
      local e = f.entries[1]
      assert.is_nil(f.link, u)
      assert.is_nil(f.icon, u)
      assert.is_nil(e.link, u)
      assert.is_nil(e.comments, u)
      assert.equals(0, #e.enclosures)
      if u:match('^mailto:') then assert.equals(u, e.author_uri) else assert.is_nil(e.author_uri, u) end
    end
  end)

  it('drops an unsafe URL from every URL field of JSON Feed', function()
    local json = require('orrery.json')
    for _, u in ipairs(unsafe) do
      local doc = json.encode({
        version = 'https://jsonfeed.org/version/1.1', title = 't', home_page_url = u, icon = u, favicon = u,
        authors = { { name = 'A', url = u, avatar = u } },
        items = {
          { id = '1', url = u, content_text = 'x', authors = { { name = 'B', url = u } },
            attachments = { { url = u, mime_type = 'audio/mpeg' } } },
          { id = '2', external_url = u, content_text = 'y' },
        },
      })
      local f = assert(parse.feed(doc, { url = 'https://blog.example/feed.json' }))
      assert.is_nil(f.link, u)
      assert.is_nil(f.icon, u)
      assert.is_nil(f.entries[1].link, u)
      assert.is_nil(f.entries[2].link, u)
      assert.equals(0, #f.entries[1].enclosures)
      assert.is_string(f.entries[1].notes)
    end
  end)

  it('keeps what is safe: relative links resolved against the feed, enclosures, comments', function()
    local f = assert(parse.feed([[<rss version="2.0"><channel><title>t</title><link>/</link>
<item><title>a</title><link>/2026/a</link><comments>a#c</comments>
<enclosure url="/ep1.mp3" type="audio/mpeg" length="123"/></item></channel></rss>]], { url = 'https://pod.example/feed' }))
    local e = f.entries[1]
    assert.equals('https://pod.example/', f.link)
    assert.equals('https://pod.example/2026/a', e.link)
    assert.equals('https://pod.example/a#c', e.comments)
    assert.same({ href = 'https://pod.example/ep1.mp3', type = 'audio/mpeg', length = '123' }, e.enclosures[1])
    assert.is_nil(e.notes)
  end)

  it('shows an RSS author "email (Name)" as the name, keeping the address apart', function()
    local f = assert(parse.feed([[<rss version="2.0"><channel><title>t</title>
<item><title>a</title><author>jo@example.org (Jo Bloggs)</author></item>
<item><title>b</title><author>Ann Lee &lt;ann@example.org&gt;</author></item>
<item><title>c</title><author>only@example.org</author></item></channel></rss>]]))
    assert.equals('Jo Bloggs', f.entries[1].author)
    assert.equals('jo@example.org', f.entries[1].author_email)
    assert.equals('Ann Lee', f.entries[2].author)
    assert.is_nil(f.entries[3].author)                 -- no name: nothing to show by default
    assert.equals('only@example.org', f.entries[3].author_email)
  end)

  it("gives entries without an author their Atom source's, else their feed's", function()
    local f = assert(parse.feed([[<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
<author><name>Feed Author</name><uri>https://fa.example/</uri></author>
<entry><id>1</id><title>own</title><author><name>Own</name></author></entry>
<entry><id>2</id><title>inherits</title></entry>
<entry><id>3</id><title>from source</title><source><title>S</title><author><name>Source Author</name></author></source></entry>
</feed>]]))
    assert.equals('Own', f.entries[1].author)
    assert.equals('Feed Author', f.entries[2].author)
    assert.equals('https://fa.example/', f.entries[2].author_uri)
    assert.equals('Source Author', f.entries[3].author)
    assert.is_nil(f.entries[2].author_text)            -- (as written: the entry wrote none)
  end)

  it("falls back to the RSS channel's creator, managingEditor or itunes:author", function()
    for _, el in ipairs({ '<dc:creator>Chan Author</dc:creator>', '<managingEditor>ed@example.org (Chan Author)</managingEditor>',
        '<itunes:author>Chan Author</itunes:author>' }) do
      local f = assert(parse.feed([[<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel><title>t</title>]] .. el
        .. [[<item><title>a</title></item></channel></rss>]]))
      assert.equals('Chan Author', f.entries[1].author, el)
    end
  end)

  it('reads every JSON Feed 1.1 author, 1.0 author, and lets items inherit them', function()
    local json = require('orrery.json')
    local f = assert(parse.feed(json.encode({ version = 'https://jsonfeed.org/version/1.1', title = 't',
      authors = { { name = 'Ann' }, { name = 'Bob', url = 'https://bob.example/' } },
      items = { { id = '1', content_text = 'x' }, { id = '2', content_text = 'y', authors = { { name = 'Cy' }, { name = 'Di' } } } } })))
    assert.equals('Ann, Bob', f.entries[1].author)
    assert.equals('https://bob.example/', f.entries[1].author_uri)
    assert.equals('Cy, Di', f.entries[2].author)
    f = assert(parse.feed(json.encode({ version = 'https://jsonfeed.org/version/1', title = 't',
      author = { name = 'Old Style' }, items = { { id = '1', content_text = 'x' } } })))
    assert.equals('Old Style', f.entries[1].author)
  end)
end)

describe('messy and hostile documents', function()
  local function items(n, fn)
    local out = {}
    for i = 1, n do out[i] = fn(i) end
    return table.concat(out)
  end

  it('keeps every entry of a feed that gives them all one id, under the same ids run after run', function()
    local function doc(n)
      return '<rss version="2.0"><channel><title>t</title>' .. items(n, function(i)
        return string.format('<item><title>T%d</title><link>http://example.com/%d</link><guid>http://example.com/</guid>'
          .. '</item>', i, i)
      end) .. '<item><title>T2</title><link>http://example.com/2</link><guid>http://example.com/</guid></item>'
        .. '<item><title>own</title><guid>own</guid></item><item><title>own</title><guid>own</guid></item></channel></rss>'
    end
    local f = assert(parse.feed(doc(4)))
    assert.equals(5, #f.entries)                   -- T1..T4 and "own"; T2 again and "own" again are repeats
    local ids = {}
    for i = 1, 4 do
      assert.equals('T' .. i, f.entries[i].title)
      assert.matches('^http://example.com/#%x+$', f.entries[i].guid)
      assert.is_nil(ids[f.entries[i].guid])
      ids[f.entries[i].guid] = true
    end
    assert.equals('own', f.entries[5].guid)
    assert.matches('5 entries with different links share the id "http://example.com/"', f.notes, 1, true)
    -- a newer item on top changes no one's id
    local g = assert(parse.feed(doc(6)))
    for i = 1, 4 do assert.equals(f.entries[i].guid, g.entries[i].guid) end
  end)

  it('keeps every entry after NUL bytes and other characters XML forbids', function()
    local doc = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
      .. items(6, function(i)
        return string.format('<item><title>T%d</title><guid>g%d</guid><description>d%d%s</description></item>', i, i, i,
          i == 2 and 'a\0b\1c\27d\127e' or i == 4 and '\xef\xbf\xbe' or '')
      end) .. '</channel></rss>'
    local f = assert(parse.feed(doc))
    assert.equals(6, #f.entries)
    assert.equals('T6', f.entries[6].title)
    assert.equals('d2abcd\127e', f.entries[2].summary)
    assert.is_true(f.bozo)
  end)

  it('reads stray Windows-1252 bytes in a document declared UTF-8 as feedparser does', function()
    local doc = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Caf\xc3\xa9 d\xe9j\xe0</title>'
      .. '<item><title>Caf\xe9 \x93quoted\x94</title><description>na\xefve \xe2\x80\x94 ok</description></item></channel></rss>'
    local f = assert(parse.feed(doc))
    assert.equals('Café déjà', f.title)
    assert.equals('Café “quoted”', f.entries[1].title)
    assert.equals('naïve — ok', f.entries[1].summary)
    assert.is_nil(f.entries[1].title:find('\xef\xbf\xbd', 1, true))
  end)

  it("expands the document's own entities, never an external one", function()
    local f = assert(parse.feed([[<?xml version="1.0"?>
<!DOCTYPE rss [ <!ENTITY site "Example &amp; Co"> <!ENTITY who "&site; (staff)"> <!ENTITY ext SYSTEM "file:///etc/hostname"> ]>
<rss version="2.0"><channel><title>&who;</title><item><title>by &site;</title><link>https://x.example/&site;</link>
<description>&ext;</description></item></channel></rss>]]))
    assert.equals('Example & Co (staff)', f.title)
    assert.equals('by Example & Co', f.entries[1].title)
    assert.is_falsy(f.bozo)
    for _, e in ipairs(f.entries) do assert.is_nil((e.summary or ''):find('\n', 1, true)) end
  end)

  it('refuses an entity bomb and keeps every entry that can be read', function()
    local decl = { '<!ENTITY a "aaaaaaaaaa">' }
    local prev = 'a'
    for i = 1, 9 do
      decl[#decl + 1] = string.format('<!ENTITY b%d "%s">', i, string.rep('&' .. prev .. ';', 10))
      prev = 'b' .. i
    end
    local doc = '<?xml version="1.0"?><!DOCTYPE rss [' .. table.concat(decl) .. '<!ENTITY ok "fine">'
      .. '<!ENTITY loop "&loop2;"><!ENTITY loop2 "&loop;">]><rss version="2.0"><channel><title>t &ok;</title>'
      .. items(5, function(i)
        return string.format('<item><title>T%d &%s;</title><guid>g%d</guid></item>', i, i == 2 and 'b9' or i == 3 and 'loop' or 'ok', i)
      end) .. '</channel></rss>'
    local f = assert(parse.feed(doc))
    assert.equals(5, #f.entries)
    assert.equals('T1 fine', f.entries[1].title)
    assert.equals('T2', f.entries[2].title)              -- the bomb is refused: nothing in its place
    assert.equals('T5 fine', f.entries[5].title)
    assert.is_true(f.bozo)
    assert.matches('refused', f.bozo_message)
  end)

  it('shows the markup of an Atom text construct as text', function()
    local f = assert(parse.feed([[<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><id>1</id>
<title type="text">&lt;b&gt;not bold&lt;/b&gt;</title>
<summary type="text">&lt;script&gt;alert(1)&lt;/script&gt; 1 &lt; 2</summary>
<content type="text">&lt;img src=x onerror=alert(1)&gt;</content></entry></feed>]]))
    local e = f.entries[1]
    assert.equals('<b>not bold</b>', e.title)            -- a title is text, shown escaped
    assert.equals('&lt;script&gt;alert(1)&lt;/script&gt; 1 &lt; 2', e.summary)
    assert.equals('&lt;img src=x onerror=alert(1)&gt;', e.content)
  end)

  it('does not let unclosed HTML inside one description swallow the items after it', function()
    local doc = '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
      .. items(5, function(i)
        return string.format('<item><title>T%d</title><guid>g%d</guid><description>%s</description></item>', i, i,
          i == 2 and '<b>bold <i>and <p>open' or 'fine ' .. i)
      end) .. '</channel></rss>'
    local f = assert(parse.feed(doc))
    assert.equals(5, #f.entries)
    for i = 1, 5 do assert.equals('T' .. i, f.entries[i].title) end
    assert.equals('fine 5', f.entries[5].summary)
    assert.is_true(f.bozo)
  end)

  it('keeps an item nested inside another as an entry of its own, as feedparser does', function()
    local rss = '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
      .. '<item><title>T1</title><guid>g1</guid><description>one</description>'
      .. '<item><title>T2</title><guid>g2</guid><description>two</description></item></item>'
      .. '<item><title>T3</title><guid>g3</guid></item></channel></rss>'
    local atom = '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
      .. '<entry><title>T1</title><id>g1</id><summary>one</summary>'
      .. '<entry><title>T2</title><id>g2</id><summary>two</summary></entry></entry>'
      .. '<entry><title>T3</title><id>g3</id></entry></feed>'
    for _, doc in ipairs({ rss, atom }) do
      local f = assert(parse.feed(doc))
      assert.equals(3, #f.entries)
      for i = 1, 3 do assert.equals('T' .. i, f.entries[i].title) end
      assert.equals('one', f.entries[1].summary)                  -- its own elements only
      assert.equals('two', f.entries[2].summary)
    end
  end)

  it('does not let a CDATA section, comment, PI or quote never closed in one item swallow the items after it', function()
    for _, broken in ipairs({ '<![CDATA[ never closed', '<!-- never closed', '<?php never closed',
        '<x a="never closed>text', "<x a='never closed" }) do
      local doc = '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        .. items(5, function(i)
          return string.format('<item><title>T%d</title><guid>g%d</guid><description>%s</description></item>', i, i,
            i == 2 and broken or 'fine ' .. i)
        end) .. '</channel></rss>'
      local f = assert(parse.feed(doc))
      assert.equals(5, #f.entries, broken)
      for i = 1, 5 do assert.equals('T' .. i, f.entries[i].title, broken) end
      assert.equals('fine 5', f.entries[5].summary, broken)
      assert.is_true(f.bozo)
    end
  end)

  it('reads a JSON Feed with one fault jansson refuses whole: every item kept, the feed flagged', function()
    local function json_feed(first)
      return '{"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": [{"id": "1", "content_text": "'
        .. first .. '"}, {"id": "2", "content_text": "after it"}]}'
    end
    for _, c in ipairs({
      { json_feed('caf\xE9'), 'caf\u{E9}', 'not UTF%-8 read as Windows%-1252' },
      { json_feed('a\tb\nc'), 'a\tb\nc', 'line breaks and tabs in strings escaped' },
      { json_feed('nul \\u0000 here'), 'nul  here', 'characters XML does not allow dropped' },
      { json_feed('bell \7, \\u0008 and \\uffff here'), 'bell ,  and  here', 'characters XML does not allow dropped' },
      { json_feed('lone \\ud800 and \\udc00, a pair \\ud83d\\ude00'), 'lone \u{FFFD} and \u{FFFD}, a pair \u{1F600}',
        'lone surrogates replaced' },
      { json_feed('x') .. ' <!-- a server\'s footer -->', 'x', 'text after the JSON ignored' },
    }) do
      local f = assert(parse.feed(c[1]))
      assert.equals(2, #f.entries, c[3])
      assert.equals(c[2], f.entries[1].content, c[3])
      assert.equals('after it', f.entries[2].content)
      assert.is_true(f.bozo)
      assert.matches(c[3], f.bozo_message)
    end
    assert.is_false(assert(parse.feed(json_feed('plain'))).bozo)
    -- a number no double or 64-bit integer holds, anywhere (jansson refuses the document for
    -- it): read as null, every item kept
    for _, n in ipairs({ '1e999999', '-1e400', '123456789012345678901234567890', '-9223372036854775809',
        '1.' .. string.rep('5', 100) .. 'e400' }) do
      local doc = '{"version": "https://jsonfeed.org/version/1.1", "title": "J", "x": ' .. n .. ', "items": [{"id": "1",'
        .. ' "content_text": "first", "attachments": [{"url": "https://e.example/a.mp3", "size_in_bytes": ' .. n .. '}]},'
        .. ' {"id": "2", "content_text": "after it"}]}'
      local f = assert(parse.feed(doc), n)
      assert.equals(2, #f.entries, n)
      assert.matches('numbers too large for a double or a 64%-bit integer read as null', f.bozo_message)
    end
    for _, n in ipairs({ '1e308', '1e-400', '9223372036854775807', '-9223372036854775808', '0.5' }) do
      assert.is_false(assert(parse.feed('{"version": "https://jsonfeed.org/version/1.1", "x": ' .. n
        .. ', "items": [{"id": "1", "content_text": "a"}]}')).bozo, n)
    end
  end)

  it('drops enclosures with an empty or unsafe URL, and keeps the first of two entries with one id', function()
    local f = assert(parse.feed([[<rss version="2.0"><channel><title>t</title>
<item><title>first</title><guid>same</guid><enclosure url="" type="audio/mpeg"/><enclosure url="javascript:x" type="audio/mpeg"/>
<enclosure url="https://cdn.example/ok.mp3" type="audio/mpeg" length="9"/></item>
<item><title>second</title><guid>same</guid></item></channel></rss>]]))
    assert.equals(1, #f.entries)
    assert.equals('first', f.entries[1].title)
    assert.equals(1, #f.entries[1].enclosures)
    assert.equals('https://cdn.example/ok.mp3', f.entries[1].enclosures[1].href)
  end)
end)

describe('recipes and the model', function()
  it('cannot put an unsafe URL into what is stored', function()
    local feed = { entries = {
      { title = 'a', link = 'javascript:alert(1)', comments = ' vbscript:x', author_uri = 'data:x',
        enclosures = { { href = 'javascript:x' }, { href = '/ok.mp3' } } },
      { title = 'b', link = { 'not', 'a', 'string' } },
    }, link = 'JaVa\tScript:alert(1)', icon = 'https://ok.example/i.png' }
    feed = parse.normalize(feed, 'https://site.example/feed')
    local a, b = feed.entries[1], feed.entries[2]
    assert.is_nil(feed.link)
    assert.equals('https://ok.example/i.png', feed.icon)
    assert.is_nil(a.link)
    assert.is_nil(a.comments)
    assert.is_nil(a.author_uri)
    assert.same({ { href = 'https://site.example/ok.mp3' } }, a.enclosures)
    assert.matches('link dropped: a javascript: URL', a.notes)
    assert.is_nil(b.link)
    assert.matches('not a string', b.notes)
    assert.is_string(a.guid)
  end)

  it('cannot put text that is not UTF-8 into what is stored', function()
    -- stray bytes are read as windows-1252, as in a feed; HTML goes through the sanitizer
    local feed = { title = 'T\xff', entries = { {
      title = 'bad \x93quoted\x94 title', author = 'A\xff', guid = 'g\xff', link = 'https://x.example/\xe9',
      summary = '<p>x \xfe y</p>', content = 'caf\xe9 & co', tags = { 't\xff' }, enclosures = {},
    } } }
    local e = feed.entries[1]
    parse.resanitize(e, nil, 'https://x.example/')
    feed = parse.normalize(feed, 'https://x.example/')
    assert.equals('T\u{FF}', feed.title)
    assert.equals('bad \u{201C}quoted\u{201D} title', e.title)
    assert.equals('<p>x \u{FE} y</p>', e.summary)
    assert.equals('caf\u{E9} &amp; co', e.content)
    for _, v in ipairs({ e.author, e.guid, e.link, e.tags[1] }) do assert.is_not_nil(utf8.len(v), v) end
  end)
end)
