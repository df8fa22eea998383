local parse = require('orrery.parse')
local fixture = require('helper').fixture

describe('orrery.parse / orrery._feed', function()
  it('reads an RSS 2.0 feed into the normalized shape', function()
    local f = assert(parse.feed(fixture('feeds/rss20.xml'), { url = 'https://example.org/feed' }))
    assert.equals('rss20', f.format)
    assert.is_false(f.bozo)
    assert.equals('Example & Co', f.title)
    assert.equals('https://example.org/', f.link)
    assert.equals(1072986501, f.updated)
    local e = f.entries[1]
    assert.equals('post-1', e.id)
    assert.equals('post-1', e.guid)
    assert.equals('First post', e.title)
    assert.equals('https://example.org/first', e.link)
    assert.equals('Alice', e.author)
    assert.equals(1072986501, e.published)
    assert.same({ 'python', 'news' }, e.tags)
    assert.same({ { href = 'https://example.org/a.mp3', type = 'audio/mpeg', length = '1234' } }, e.enclosures)
    assert.equals('Short <b>summary</b>', e.summary)
    assert.equals('text/html', e.content_type)
  end)

  it('sanitizes content and makes its URLs absolute', function()
    local f = assert(parse.feed(fixture('feeds/rss20.xml'), { url = 'https://example.org/feed' }))
    local c = f.entries[1].content
    assert.equals('<p>Full <a href="https://example.org/rel">text</a></p><img src="https://example.org/img.png" />', c)
  end)

  it('gives every entry a stable id and keeps a duplicated id once', function()
    local f = assert(parse.feed(fixture('feeds/rss20.xml')))
    assert.equals(3, #f.entries)
    assert.equals('https://example.org/second', f.entries[2].guid)
    assert.matches('^urn:orrery:%x+$', f.entries[3].guid)
    local again = assert(parse.feed(fixture('feeds/rss20.xml')))
    assert.equals(f.entries[3].guid, again.entries[3].guid)
  end)

  it('reads a document that starts with a byte order mark whichever way HTTP spells UTF-8', function()
    local doc = '\239\187\191<?xml version="1.0"?><rss version="2.0"><channel><title>Caf\195\169</title>'
      .. '<item><guid>1</guid><title>\226\128\156x\226\128\157</title></item></channel></rss>'
    for _, ctype in ipairs({ 'application/rss+xml', 'text/xml; charset=utf-8', 'text/xml; charset=UTF8',
                             'text/xml; charset="utf8"', 'text/xml; charset=UTF-8' }) do
      local f, err = parse.feed(doc, { content_type = ctype })
      assert(f, ctype .. ': ' .. tostring(err))
      assert.equals('Café', f.title)
      assert.equals('“x”', f.entries[1].title)
      -- and with a byte XML forbids in it (the document is then rewritten before libxml2)
      f, err = parse.feed(doc:gsub('Caf', 'C\1af'), { content_type = ctype })
      assert(f, ctype .. ' (rewritten): ' .. tostring(err))
      assert.equals('Café', f.title)
    end
  end)

  it('reads a feed whose server or declaration names a charset its first bytes contradict, and says so', function()
    local doc = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Caf\195\169</title>'
      .. '<item><guid>1</guid><title>x</title></item></channel></rss>'
    -- "<" as one byte: not UTF-16, UTF-32, UCS-2 or EBCDIC, whatever HTTP says
    for _, cs in ipairs({ 'utf-16', 'UTF-16LE', 'utf-32', 'ucs-2', 'cp037', 'IBM500' }) do
      local f, err = parse.feed(doc, { content_type = 'application/rss+xml; charset=' .. cs })
      assert(f, cs .. ': ' .. tostring(err))
      assert.equals('Café', f.title)
      assert.equals('x', f.entries[1].title)
      assert.is_true(f.bozo)
      assert.matches('HTTP says charset=' .. cs:lower():gsub('%-', '%%-') .. ', which', f.bozo_message)
    end
    -- a UTF-8 byte order mark outranks the charset (RFC 7303)
    local f = assert(parse.feed('\239\187\191' .. doc, { content_type = 'text/xml; charset=iso-8859-1' }))
    assert.equals('Café', f.title)
    assert.matches('byte order mark says UTF%-8', f.bozo_message)
    -- without one, the charset is the document's, as RFC 3023 and feedparser read it
    f = assert(parse.feed(doc, { content_type = 'text/xml; charset=iso-8859-1' }))
    assert.equals('Caf\195\131\194\169', f.title)
    -- the same when the document's own declaration names such an encoding
    for _, enc in ipairs({ 'UTF-32', 'ucs-2', 'ebcdic-cp-us', 'cp037' }) do
      f = assert(parse.feed((doc:gsub('utf%-8', enc))))
      assert.equals('Café', f.title)
      assert.matches('encoding ' .. enc:gsub('%-', '%%-') .. ' declared, which', f.bozo_message)
    end
    -- and a document really in UTF-16 is read as such, named so or not
    local wide = '\255\254' .. (doc:gsub('utf%-8', 'utf-16'):gsub('Caf\195\169', 'Caf\233'):gsub('.', function(c) return c .. '\0' end))
    for _, ct in ipairs({ 'text/xml; charset=utf-16', 'text/xml; charset=iso-8859-1', 'text/xml' }) do
      f = assert(parse.feed(wide, { content_type = ct }))
      assert.equals('Café', f.title)
    end
  end)

  it('keeps the text after a byte its legacy encoding does not define, and says so', function()
    local function read(enc, bad, ctype)
      local doc = (enc and '<?xml version="1.0" encoding="' .. enc .. '"?>' or '')
        .. '<rss version="2.0"><channel><title>T</title><item><guid>1</guid><title>one ' .. bad .. ' end</title>'
        .. '<description>after it</description></item><item><guid>2</guid><title>two</title></item></channel></rss>'
      return assert(parse.feed(doc, { content_type = ctype }))
    end
    -- windows-1252 leaves five bytes undefined: browsers read them as C1 controls, and so here
    local f = read('windows-1252', '\147q\148 x\129y')
    assert.equals('one \226\128\156q\226\128\157 x\194\129y end', f.entries[1].title)
    assert.equals('after it', f.entries[1].summary)
    assert.equals('two', f.entries[2].title)
    assert.matches('bytes that are not windows%-1252 replaced', f.bozo_message)
    f = read(nil, 'x\144y', 'text/xml; charset=iso-8859-1')
    assert.equals('one x\194\144y end', f.entries[1].title)
    -- a multi-byte one: what it cannot read becomes U+FFFD, and the rest is read
    for _, enc in ipairs({ 'shift_jis', 'euc-jp', 'iso-2022-jp', 'gb2312', 'koi8-r' }) do
      f = read(enc, 'x\255\255y')
      assert.equals('after it', f.entries[1].summary, enc)
      assert.equals('two', f.entries[2].title, enc)
      assert.matches('^one x.*y end$', f.entries[1].title)
    end
    -- and a document its encoding reads whole is not flagged
    f = read('koi8-r', '\193\194')
    assert.equals('one \208\176\208\177 end', f.entries[1].title)
    assert.is_false(f.bozo)
  end)

  it('removes the characters XML forbids wherever they fall, and reads on', function()
    for _, bad in ipairs({ '\0', '\1', '\31', '\u{FFFE}', '\u{FFFF}' }) do
      for at = 0, 17 do                                    -- every place in an 8-byte word, and the next
        local title = string.rep('x', at) .. bad .. 'tail\tend'
        local doc = '<rss version="2.0"><channel><title>T</title><item><guid>1</guid><title>' .. title
          .. '</title></item><item><guid>2</guid><title>second\n</title></item></channel></rss>'
        local f = assert(parse.feed(doc))
        assert.equals(2, #f.entries)
        assert.equals(string.rep('x', at) .. 'tail\tend', f.entries[1].title)
        assert.is_true(f.bozo)
      end
    end
    -- a clean document with every allowed control character and U+FFFD is read as it is
    local f = assert(parse.feed('<rss version="2.0"><channel><title>T</title><item><guid>1</guid><title>a\tb\r\nc\u{FFFD}\u{EFFF}'
      .. '</title></item></channel></rss>'))
    assert.is_false(f.bozo)
  end)

  it('reads CDATA sections whole, wherever they are, as XML defines their text', function()
    local long = string.rep('words and more words ', 4)
    local doc = table.concat({
      '<?xml version="1.0" encoding="utf-8"?>\r\n<?pi <![CDATA[ not a section ]]> ?>',
      '<!-- <![CDATA[ nor this ]]> --><rss version="2.0"><channel><title>T</title>',
      -- two sections and text around them, in one field; CR LF and CR as line ends
      '<item><guid>1</guid><description>before <![CDATA[<p>one ', long, '\r\nA &amp; B]]> middle ',
      '<![CDATA[ two ', long, '\rend</p>]]> after</description></item>',
      -- "]]" and a placeholder-like text inside; an attribute holding "<![CDATA["-like text
      '<item><guid>2</guid><title a="x ]]&gt; y">T2</title><description><![CDATA[', long,
      ' ]] ] > ?]]></description></item>',
      -- a comment inside the field
      '<item><guid>3</guid><description><!-- c --><![CDATA[', long, ']]></description></item>',
      '</channel></rss>' })
    local f = assert(parse.feed(doc, { sanitize = false }))
    assert.equals(3, #f.entries)
    assert.equals('before <p>one ' .. long .. '\nA &amp; B middle  two ' .. long .. '\nend</p> after',
      f.entries[1].summary)
    assert.equals(long .. ' ]] ] > ?', f.entries[2].summary)
    -- the characters orrery's placeholders are made of, in a document: read as they are
    local own = doc:gsub('%]%] %] > %?', ' \u{F0000}0\u{F0001} ]] ] > ?', 1)
    assert.equals(long .. '  \u{F0000}0\u{F0001} ]] ] > ?', assert(parse.feed(own, { sanitize = false })).entries[2].summary)
    assert.equals((long:gsub(' $', '')), f.entries[3].summary)
    -- an item broken badly enough to be read again on its own keeps its section
    local broken = doc:gsub('<item><guid>2</guid>', '<item><guid>2</guid><b>', 1)
    local g = assert(parse.feed(broken, { sanitize = false }))
    assert.is_true(g.bozo)
    assert.equals(f.entries[1].summary, g.entries[1].summary)
    assert.equals(f.entries[3].summary, g.entries[#g.entries].summary)
    -- Atom xhtml content with a section inside its div
    local atom = '<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><entry><id>x</id><title>t</title>'
      .. '<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>a <![CDATA[<b>' .. long
      .. '</b>]]></p></div></content></entry></feed>'
    local a = assert(parse.feed(atom))
    assert.equals('<p>a &lt;b&gt;' .. long .. '&lt;/b&gt;</p>', a.entries[1].content)
  end)

  it('reads long runs of escaped text as XML defines them, references and line ends', function()
    local long = string.rep('&lt;b&gt;bold&lt;/b&gt; &amp;amp; more ', 4)
    local function summary(text, opts)
      local f = assert(parse.feed('<rss version="2.0"><channel><title>T</title><item><guid>1</guid><description>'
        .. text .. '</description></item><item><guid>2</guid><title>after</title></item></channel></rss>',
        opts or { sanitize = false }))
      assert.equals(2, #f.entries)
      return f.entries[1].summary, f
    end
    local plain = string.rep('<b>bold</b> &amp; more ', 4):gsub(' $', '')
    assert.equals(plain, (summary(long)))
    -- character references, CR LF and CR as line ends, a CR given as a reference stays one
    assert.equals('é€😀 x\ny\nz\rw ' .. plain, (summary('&#233;&#x20AC;&#128512; x\r\ny\rz&#13;w ' .. long)))
    -- what XML does not allow is left to libxml2, which says so (the feed is flagged)
    local s, f = summary('&#X41; and ' .. long)
    assert.is_true(f.bozo)
    assert.is_string(s)
    s, f = summary(long .. ' ]]> ' .. long)
    assert.is_true(f.bozo)
    assert.matches('^<b>bold</b> &amp; more', s)
    -- a reference to the placeholders' own characters: the text is read as it is
    assert.equals('\u{F0000}0\u{F0001} ' .. plain, (summary('&#983040;0&#xF0001; ' .. long)))
    -- HTML's entities were made references before: read too
    assert.equals('\u{A0}x ' .. plain, (summary('&nbsp;x ' .. long)))
  end)

  it('reads every feed of the fixtures and the conformance corpus alike with text set aside or not', function()
    local helper = require('helper')
    local files = {}
    local p = io.popen('find ' .. helper.root .. '/tests/fixtures ' .. helper.root
      .. '/../shared/conformance/feedparser -type f -size -2M 2>/dev/null | grep -E "\\.(xml|rss|atom|rdf)$"')
    for line in p:lines() do files[#files + 1] = line end
    p:close()
    assert.is_true(#files > 20)
    local json = require('orrery.json')
    local cfeed = require('orrery._feed')
    local function reading(body, plain)
      local f, err = cfeed.parse(body, { url = 'http://example.org/feed', plain = plain })
      return f and json.encode(f) or err
    end
    for _, path in ipairs(files) do
      local body = assert(io.open(path, 'rb')):read('a')
      assert.equals(reading(body, true), reading(body, false), path)
    end
  end)

  it('reads Atom 1.0 with xml:base at every level and xhtml content', function()
    local f = assert(parse.feed(fixture('feeds/atom10.xml'), { url = 'https://elsewhere.example/feed' }))
    assert.equals('atom10', f.format)
    assert.equals("Bob's Blog", f.title)
    assert.equals('https://blog.example.net/', f.link)
    local e = f.entries[1]
    assert.equals('https://blog.example.net/posts/one', e.link)
    -- the author's name is what readers see; the address is kept apart (and not published)
    assert.equals('Bob', e.author)
    assert.equals('bob@example.net', e.author_email)
    assert.equals('Bob (bob@example.net)', e.author_text)   -- as feedparser gives it
    assert.equals(1775030400, e.published)   -- 2026-04-01T08:00:00Z
    assert.equals('application/xhtml+xml', e.content_type)
    assert.equals('<p>See <a href="https://blog.example.net/posts/two">the next one</a>.</p>', e.content)  -- RFC 4287 3.1.1.3: the div is not content
    local e2 = f.entries[2]
    assert.equals('1 &lt; 2 &amp; no markup', e2.summary)
    assert.equals('https://blog.example.net/files/talk.mp4', e2.enclosures[1].href)
  end)

  it('reads JSON Feed 1.1 into the same shape', function()
    local f = assert(parse.feed(fixture('feeds/jsonfeed11.json'), { url = 'https://jay.example.com/feed.json' }))
    assert.equals('json11', f.format)
    assert.equals("Jay's JSON Blog", f.title)
    assert.equals('https://jay.example.com/', f.link)
    assert.equals('Notes &amp; &lt;things&gt;', f.subtitle)
    assert.equals('Jay', f.author)
    local e = f.entries[1]
    assert.equals('https://jay.example.com/2', e.guid)
    assert.equals('https://jay.example.com/posts/2', e.link)
    assert.equals('<p>Hi <img src="https://jay.example.com/a.png" /></p>', e.content)
    assert.equals(1775116800, e.published)
    assert.same({ 'python', 'json' }, e.tags)
    assert.same({ { href = 'https://jay.example.com/ep2.mp3', type = 'audio/mpeg', length = '12345' } }, e.enclosures)
    assert.equals('1', f.entries[2].id)
    assert.equals('Plain &lt;text&gt; &amp; more', f.entries[2].content)
    assert.equals('text/plain', f.entries[2].content_type)
    local bad, err = parse.feed('{"version": 2}')
    assert.is_nil(bad)
    assert.matches('not a JSON Feed', err)
    bad, err = parse.feed('{"version": ')
    assert.is_nil(bad)
    assert.matches('JSON error', err)
  end)

  it('reads a JSON Feed cut short up to its last complete item, and one with commas before a close', function()
    local items = {}
    for i = 1, 4 do
      items[i] = ('{"id": "%d", "title": "t%d", "content_html": "<p>{[%d]}</p>", "tags": ["a", "b"]}'):format(i, i, i)
    end
    local doc = '{"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": [' .. table.concat(items, ', ')
      .. '], "home_page_url": "https://example.com/"}'
    local cut_in_item = doc:find('"t4"', 1, true) + 2
    for _, c in ipairs({ { cut_in_item, 3 }, { doc:find('}, {"id": "4"', 1, true) + 1, 3 },
                         { doc:find('"tags": ["a"', 1, true) + 10, 0 } }) do
      local f, err = parse.feed(doc:sub(1, c[1]))
      if c[2] == 0 then
        assert.is_nil(f)
        assert.matches('JSON error', err)
      else
        assert.equals(c[2], #f.entries)
        assert.equals('t3', f.entries[3].title)
        assert.equals('<p>{[3]}</p>', f.entries[3].content)
        assert.is_true(f.bozo)
        assert.matches('ends early', f.bozo_message)
      end
    end
    -- commas before ']' and '}' (hand-edited JSON); and a whole document with brackets after it is whole
    local f = assert(parse.feed((doc:gsub('"b"%]', '"b",]'):gsub('"J",', '"J", "x": {"y": 1,},'))))
    assert.equals(4, #f.entries)
    assert.same({ 'a', 'b' }, f.entries[4].tags)
    assert.matches('commas', f.bozo_message)
    f = assert(parse.feed(doc .. '\n<!-- cache: {"key": [1'))
    assert.equals(4, #f.entries)
    assert.equals('https://example.com/', f.link)
  end)

  it('recovers an ill-formed document and flags it', function()
    local f = assert(parse.feed('<rss version="2.0"><channel><title>T</title><item><title>A &nbsp; B</title></item><item><title>cut'))
    assert.is_true(f.bozo)
    assert.is_string(f.bozo_message)
    assert.matches('^A .*B$', f.entries[1].title)
    assert.equals(2, #f.entries)
  end)

  it('reads a feed after a server\'s message printed before it, and says what was skipped', function()
    local feed = '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>T</title>'
      .. '<item><title>one</title><guid>1</guid></item><item><title>two</title><guid>2</guid></item></channel></rss>'
    local json = '{"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": ['
      .. '{"id": "1", "title": "one", "content_text": "{\\"a\\": 1}"}, {"id": "2", "title": "two"}]}'
    -- PHP's warnings above a WordPress feed, as HTML and as text; and no declaration at all
    for _, junk in ipairs({
      '<br />\n<b>Warning</b>:  Cannot modify header information - headers already sent by (output started at '
        .. '/var/www/wp-config.php:1) in <b>/var/www/wp-includes/feed-rss2.php</b> on line <b>8</b><br />\n',
      'Notice: Undefined index: foo in /var/www/x.php on line 3\n',
    }) do
      for _, doc in ipairs({ junk .. feed, junk .. feed:gsub('^<%?xml[^>]*>\n', ''), junk .. json,
                             junk .. '{"debug": {"x": 1}}\n' .. json }) do
        local f = assert(parse.feed(doc))
        assert.equals(2, #f.entries)
        assert.equals('two', f.entries[2].title)
        assert.is_true(f.bozo)
        assert.matches('^%d+ bytes before the feed skipped %(a server\'s message%?%): "', f.bozo_message)
        assert.truthy(f.bozo_message:find(junk:sub(1, 20):gsub('\n', ' '), 1, true))
      end
    end
    -- what is not a feed stays so, text before or not; an HTML page stays one
    assert.matches('not a feed', select(2, parse.feed('Warning: no feed here <p>at all</p>')))
    assert.matches('not a feed: line 1', select(2, parse.feed('Warning: {"error": "no feed"}')))
    -- a JSON Feed cut short after a message: what is wrong with it
    assert.matches('^not a feed: JSON error .*%(after 30 bytes of other text%)$',
      select(2, parse.feed('Notice: a in /x.php on line 3\n' .. json:sub(1, 90))))
    assert.matches('HTML page', select(2, parse.feed('<html><body><pre>' .. feed .. '</pre></body></html>')))
  end)

  it('keeps a bare \'<\' that starts no markup as the text it is, and leaves CDATA and comments alone', function()
    local f = assert(parse.feed('<rss version="2.0"><channel><title>T</title>'
      .. '<item><title>if a < b then</title><guid>1</guid></item>'
      .. '<item><title>x <= 3 & <3 <</title><guid>2</guid><description><![CDATA[<p>a < b</p>]]></description></item>'
      .. '<!-- a < b --><item><title>last</title><guid>3</guid></item></channel></rss>'))
    assert.equals(3, #f.entries)
    assert.equals('if a < b then', f.entries[1].title)
    assert.equals('x <= 3 & <3 <', f.entries[2].title)
    assert.equals('<p>a &lt; b</p>', f.entries[2].summary)
    assert.equals('last', f.entries[3].title)
    assert.is_true(f.bozo)
    -- a well-formed document is not looked at for it
    f = assert(parse.feed('<rss version="2.0"><channel><title>a &lt; b</title></channel></rss>'))
    assert.is_false(f.bozo)
    assert.equals('a < b', f.title)
  end)

  it('keeps an element whose attribute value holds a \'<\' or has no quotes, and a \'<\' no tag closes', function()
    local f = assert(parse.feed('<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>'
      .. '<entry><title type="text" x="a<b">one</title><id>urn:1</id><link href="http://example.com/1?a<b"/></entry>'
      .. '<entry><title>two</title><id>urn:2</id><link href=http://example.com/2 /></entry>'
      .. "<entry x='<'><title>three</title><id>urn:3</id><link href=http://example.com/3/></entry>"
      .. '<entry><title>c<d</title><id>urn:4</id><summary type="html">&lt;a href="x" title="1 &lt; 2"&gt;t&lt;/a&gt;</summary></entry>'
      .. '<entry><title>five</title><id>urn:5</id><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
      .. '<a href="/x" title="a<b">six</a><![CDATA[<a x="<">]]></div></content></entry>'
      -- a value without quotes that holds some ("x y" leaves a quote that would open a value
      -- reaching into the entries after it)
      .. '<entry><title>seven</title><id>urn:7</id><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
      .. '<img src=`x("a b")`/></div></content></entry>'
      .. '<entry><title>eight</title><id>urn:8</id><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
      .. '<a href="/y" title=\'q">y</a></div></content></entry></feed>'))
    assert.equals(7, #f.entries)
    assert.equals('one', f.entries[1].title)
    assert.equals('http://example.com/1?a%3Cb', f.entries[1].link)
    assert.equals('two', f.entries[2].title)
    assert.equals('http://example.com/2', f.entries[2].link)
    assert.equals('three', f.entries[3].title)
    assert.equals('http://example.com/3/', f.entries[3].link)
    assert.equals('c<d', f.entries[4].title)
    assert.equals('<a href="x" title="1 &lt; 2">t</a>', f.entries[4].summary)
    assert.equals('five', f.entries[5].title)
    assert.matches('title="a&lt;b">six</a>', f.entries[5].content, 1, true)
    assert.matches('&lt;a x="&lt;"&gt;', f.entries[5].content, 1, true)
    assert.equals('seven', f.entries[6].title)
    assert.equals('eight', f.entries[7].title)
    assert.is_true(f.bozo)
    -- XSS vectors as raw XHTML, unclosed tags and values without quotes: every entry stays
    -- (the quote the first leaves once quoted hid an entry from the re-read of the items)
    local vectors = { [[<IMG SRC=`javascript:alert("RSnake says, 'XSS'")`>]], '<svg onload=alert(1)>',
      '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>',
      '<form action="javascript:alert(1)"><input type=submit></form>', '<input onfocus=alert(1) autofocus>',
      '<body onload=alert(1)>', '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
      '<base href="javascript:alert(1)//">', '<link rel=stylesheet href="javascript:alert(1)">',
      '<img src="x`" onerror=alert(1)>', '<img src=x:alert(alt) onerror=eval(src) alt=0>' }
    local doc = { '<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>' }
    for i, v in ipairs(vectors) do
      doc[#doc + 1] = ('<entry><id>urn:%d</id><title>t%d</title><content type="xhtml"><div xmlns='
        .. '"http://www.w3.org/1999/xhtml">%s</div></content></entry>\n'):format(i, i, v)
    end
    f = assert(parse.feed(table.concat(doc) .. '</feed>'))
    assert.equals(#vectors, #f.entries)
    for i, e in ipairs(f.entries) do
      assert.equals('t' .. i, e.title)
      assert.is_nil((e.content or ''):find('alert', 1, true))
    end
  end)

  it('reads items where no format puts them when the usual places hold none, and <RSS> in capitals', function()
    local items = '<item><title>one</title><guid>1</guid></item><item><title>two</title><guid>2</guid></item>'
    for _, doc in ipairs({
      '<rss version="2.0"><channel><title>T</title><items>' .. items .. '</items></channel></rss>',
      '<rss version="2.0"><channel><title>T</title></channel><div><p>' .. items .. '</p></div></rss>',
      '<RSS version="2.0"><CHANNEL><TITLE>T</TITLE>' .. items:gsub('item>', 'ITEM>') .. '</CHANNEL></RSS>',
      '<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><entries><entry><title>one</title><id>1</id>'
        .. '</entry><entry><title>two</title><id>2</id></entry></entries></feed>',
    }) do
      local f = assert(parse.feed(doc))
      assert.equals('T', f.title)
      assert.equals(2, #f.entries)
      assert.equals('one', f.entries[1].title)
      assert.equals('two', f.entries[2].title)
    end
    -- an item in a wrapper is not read when the feed has items of its own, nor one inside an item
    local f = assert(parse.feed('<rss version="2.0"><channel><title>T</title><item><title>one</title>'
      .. '<x><item><title>inner</title></item></x></item><x><item><title>wrapped</title></item></x></channel></rss>'))
    assert.equals(1, #f.entries)
    f = assert(parse.feed('<rss version="2.0"><channel><title>T</title><x><item><title>one</title>'
      .. '<x><item><title>inner</title></item></x></item></x></channel></rss>'))
    assert.equals(1, #f.entries)
    assert.equals('one', f.entries[1].title)
  end)

  it('reads Latin-1 as windows-1252, odd encoding names, and never hands out invalid UTF-8', function()
    local f = assert(parse.feed('<?xml version="1.0" encoding="iso-8859-1"?><rss version="2.0"><channel>'
      .. '<title>don\146t caf\233</title></channel></rss>'))
    assert.equals('don’t café', f.title)
    f = assert(parse.feed('<?xml version="1.0" encoding="437"?><rss version="2.0"><channel><title>\128</title></channel></rss>'))
    assert.equals('Ç', f.title)
    assert.is_false(f.bozo)
    f = assert(parse.feed('<?xml version="1.0" encoding="no-such-thing"?><rss version="2.0"><channel><title>x\255y</title></channel></rss>'))
    assert.is_true(f.bozo)
    assert.matches('unsupported encoding no%-such%-thing', f.bozo_message)
    assert.is_truthy(utf8.len(f.title))
    local function utf32be(s)
      local out = {}
      for _, c in utf8.codes(s) do out[#out + 1] = string.pack('>I4', c) end
      return table.concat(out)
    end
    f = assert(parse.feed(utf32be('<?xml version="1.0" encoding="utf-32"?><rss version="2.0"><channel><title>Zoë</title></channel></rss>')))
    assert.equals('Zoë', f.title)
    assert.is_false(f.bozo)
    f = assert(parse.feed('<rss version="2.0"><channel><title>bad \255\254 bytes</title></channel></rss>'))
    assert.is_truthy(utf8.len(f.title))
  end)

  it('returns nil, err for what is not a feed', function()
    local f, err = parse.feed('this is not xml at all')
    assert.is_nil(f)
    assert.matches('not a feed', err)
    f, err = parse.feed('<html><head><title>x</title></head><body>hi</body></html>')
    assert.is_nil(f)
    assert.matches('HTML page', err)
    local links
    f, err, links = parse.feed([[<!DOCTYPE html><html><head><title>Blog</title>
      <link rel="alternate" type="application/rss+xml" title="RSS" href="/feed.xml">
      <link rel="Alternate" type="application/atom+xml" href="https://b.example/atom">
      <link rel="alternate" hreflang="fr" href="/fr/">
      <link rel="stylesheet" href="/s.css"></head><body><p>Hello<br></body></html>]], { url = 'https://b.example/blog/' })
    assert.is_nil(f)
    assert.matches('HTML page; it links to these feeds: https://b.example/feed.xml, https://b.example/atom', err, 1, true)
    assert.equals(2, #links)
    assert.equals('RSS', links[1].title)
    f, err = parse.feed('')
    assert.is_nil(f)
    assert.matches('empty', err)
  end)

  it('never reads external entities', function()
    local doc = [[<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>&xxe;</title></channel></rss>]]
    local f = parse.feed(doc)
    assert.is_truthy(f)
    assert.is_falsy((f.title or ''):find('root:'))
  end)

  it('does not expand entity bombs', function()
    local doc = { '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">' }
    local prev = 'a'
    for i = 1, 9 do
      local name = 'e' .. i
      doc[#doc + 1] = string.format('<!ENTITY %s "%s">', name, string.rep('&' .. prev .. ';', 10))
      prev = name
    end
    doc[#doc + 1] = ']><rss version="2.0"><channel><title>&e9;</title></channel></rss>'
    local f = parse.feed(table.concat(doc))
    assert.is_true(f == nil or #(f.title or '') < 100000)
  end)

  it('maps the conformance schema with feedparser field names', function()
    local f = assert(parse.feed(fixture('feeds/rss20.xml')))
    local c = parse.conformance(f)
    assert.equals('rss20', c.format)
    assert.equals('2004-01-01T19:48:21Z', c.entries[1].published)
    assert.equals(require('orrery.json').null, c.entries[2].published)
  end)
end)
