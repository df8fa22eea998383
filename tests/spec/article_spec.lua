-- Full articles for teaser feeds: readability extraction (Doc:article), the teaser test,
-- a recipe's article hook, and end to end: fetched once, cached, retried, bounded.
local helper = require('helper')
local article = require('orrery.article')
local cdb = require('orrery._db')
local chtml = require('orrery._html')
local config = require('orrery.config')
local json = require('orrery.json')

local cfg = config.defaults
local fixtures = helper.root .. '/tests/fixtures/articles/'

local function page(name) return assert(io.open(fixtures .. name, 'rb')):read('a') end

local function text(html) return chtml.text(html):gsub('%s+', ' ') end

describe('Doc:article (readability extraction)', function()
  -- what must be in the article, and what of the page must not
  local cases = {
    ['wordpress.html'] = {
      has = { 'Every few months someone tells me', 'Sample with py%-spy', 'Measure first, then change one thing',
        'flame.png', 'PYTHONASYNCIODEBUG=1 python' },
      hasnt = { 'Skip to content', 'Brewing Python', 'Share this', 'Is uvloop still faster', 'thoughts on',
        'Great post', 'About me', 'Proudly powered', 'dataLayer', 'Post Comment', 'Profiling asyncio code without guesswork' },
    },
    ['blogger.html'] = {
      has = { 'I kept cron for twenty years', 'timers.png', 'Would I go back%?' },
      hasnt = { 'Notes from a one%-person', 'Posted by', 'Email This', 'Older Post', 'museum of typewriters',
        'Powered by Blogger', '_WidgetManager', 'Blog Archive' },
    },
    ['sphinx.html'] = {
      has = { 'maintenance release', 'Faster imports', '12 min', 'importer', 'quotes fields' },
      hasnt = { 'General Index', 'Table of Contents', 'Previous topic', 'Copyright 2026', 'documentation_options' },
    },
    -- the whole page in one <form> (ASP.NET): the article is still found, the search box is not
    ['aspnet-form.html'] = {
      has = { 'The river was low that autumn', 'the school bus took the long way' },
      hasnt = { 'Search the site', 'Terms of use', 'About us' },
    },
    -- Latin-1, said by a <meta>: read as such (no U+FFFD), and text that is not ASCII is text
    ['latin1.html'] = {
      has = { 'Grüße aus Köln', 'crème brûlée und Bäckerei' },
      hasnt = { '\u{FFFD}', 'Impressum', 'Home' },
    },
    -- an article in parts with a layout change between them; comments with the same markup
    ['split.html'] = {
      has = { 'FIRST PART', 'SECOND PART', 'Nobody listened to them' },
      hasnt = { 'A COMMENT', 'Share' },
    },
    -- what pages put around and inside an article
    ['chrome.html'] = {
      has = { 'The river was low', 'Nobody listened', 'Still, the ferry', '/photos/ferry.jpg', '/photos/bridge.jpg' },
      hasnt = { 'Advertisement', 'HIDDEN COPY', 'Image caption', '1 of 3', 'Read more on our site', 'Related',
        'Another story about rivers', 'Credit: Jo', 'Most read', 'data:image', 'blank.gif' },
    },
  }
  for name, want in pairs(cases) do
    it('finds the article in ' .. name .. ' and nothing of the page around it', function()
      local html = assert(article.extract(page(name), 'https://example.org/2026/11/post/', nil, {}, cfg))
      local t = text(html)
      for _, s in ipairs(want.has) do assert.truthy(t:find(s) or html:find(s), name .. ': missing ' .. s) end
      for _, s in ipairs(want.hasnt) do assert.falsy(t:find(s), name .. ': should not have ' .. s) end
      assert.falsy(html:find('<script', 1, true))
    end)
  end

  it('resolves the article\'s links against the page', function()
    local html = assert(article.extract(page('wordpress.html'), 'https://teapot.example.org/2026/11/p/', nil, {}, cfg))
    assert.truthy(html:find('src="https://teapot.example.org/wp-content/uploads/2026/11/flame.png"', 1, true))
  end)

  it('reads a page in the charset HTTP names, before its <meta>; bytes that are not UTF-8 never as UTF-8', function()
    local latin1 = page('latin1.html')
    local html = assert(article.extract(latin1, 'https://example.org/', nil, {}, cfg, nil, 'text/html; charset=ISO-8859-1'))
    assert.truthy(text(html):find('Grüße aus Köln', 1, true))
    -- a server that calls every page UTF-8: these bytes are not, so the page's <meta> reads them
    html = assert(article.extract(latin1, 'https://example.org/', nil, {}, cfg, nil, 'text/html; charset=utf-8'))
    assert.truthy(text(html):find('Grüße aus Köln', 1, true))
    -- a page saved as UTF-8 under a stale <meta> (Latin-1), or under a server's default
    -- (Apache's AddDefaultCharset ISO-8859-1): its bytes are UTF-8, so it is read as UTF-8
    -- whatever the labels say ("GrÃ¼ÃŸe" read as labelled)
    local utf8_page = latin1:gsub('[\128-\255]', function(c) return utf8.char(c:byte()) end)
    for _, ctype in ipairs({ 'text/html; charset=UTF-8', 'text/html', 'text/html; charset=ISO-8859-1',
                             'text/html; charset=windows-1251', 'text/html; charset=Shift_JIS' }) do
      html = assert(article.extract(utf8_page, 'https://example.org/', nil, {}, cfg, nil, ctype))
      assert.truthy(text(html):find('Grüße aus Köln', 1, true), ctype)
      assert.falsy(text(html):find('Ã', 1, true), ctype)
    end
    -- a charset the page's first bytes contradict ("<" as one byte: not UTF-32, not EBCDIC): its <meta>
    for _, cs in ipairs({ 'utf-32', 'UCS-2', 'cp037' }) do
      html = assert(article.extract(latin1, 'https://example.org/', nil, {}, cfg, nil, 'text/html; charset=' .. cs))
      assert.truthy(text(html):find('Grüße aus Köln', 1, true), cs)
    end
  end)

  it('reads a legacy-encoded page past a byte its encoding leaves undefined', function()
    -- libxml2's converter ended the page at the first byte it refused: here the article's
    -- second paragraph was lost to a stray 0x81 in the first
    local latin1 = page('latin1.html')
    local body = latin1:gsub('aus K', 'aus \129K', 1)
    assert.is_true(body ~= latin1)
    for _, ctype in ipairs({ 'text/html; charset=windows-1252', 'text/html; charset=ISO-8859-1', 'text/html' }) do
      local html = assert(article.extract(body, 'https://example.org/', nil, {}, cfg, nil, ctype))
      assert.truthy(text(html):find('Grüße aus \u{81}Köln', 1, true), ctype)
      assert.equals(#text(assert(article.extract(latin1, 'https://example.org/', nil, {}, cfg, nil, ctype))) + 2,
        #text(html), ctype)                                       -- all the rest is there
    end
  end)

  it('reads a page that declares no charset in the legacy encoding of its language', function()
    -- no byte order mark, no HTTP charset, no <meta>, not UTF-8: its <html lang> says which
    -- encodings its text was likeliest written in (windows-1252 misread every one of these)
    local pages = {   -- lang, encoding, a sentence in it, the same in UTF-8
      { 'zh-CN', 'gb2312', '\xBF\xAA\xD4\xB4\xC8\xED\xBC\xFE\xB5\xC4\xB7\xA2\xD5\xB9\xA3\xAC\xC9\xE7\xC7\xF8\xCD\xC6\xB6\xAF\xBC\xBC\xCA\xF5\xBD\xF8\xB2\xBD\xA1\xA3', '开源软件的发展，社区推动技术进步。' },
      { 'zh-Hant-TW', 'big5', '\xB6}\xB7\xBD\xB3n\xC5\xE9\xAA\xBA\xB5o\xAEi\xA1A\xAA\xC0\xB8s\xB1\xC0\xB0\xCA\xA7\xDE\xB3N\xB6i\xA8B\xA1C', '開源軟體的發展，社群推動技術進步。' },
      { 'ja', 'shift_jis', '\x83I\x81[\x83v\x83\x93\x83\x5C\x81[\x83X\x82\xCC\x94\xAD\x93W\x81A\x90V\x82\xB5\x82\xA2\x89\xDB\x91\xE8\x81B', 'オープンソースの発展、新しい課題。' },
      { 'ja', 'euc-jp', '\xA5\xAA\xA1\xBC\xA5\xD7\xA5\xF3\xA5\xBD\xA1\xBC\xA5\xB9\xA4\xCE\xC8\xAF\xC5\xB8\xA1\xA2\xBF\xB7\xA4\xB7\xA4\xA4\xB2\xDD\xC2\xEA\xA1\xA3', 'オープンソースの発展、新しい課題。' },
      { 'ru', 'koi8-r', '\xF3\xC5\xC7\xCF\xC4\xCE\xD1 \xCD\xD9 \xCF\xC2\xD3\xD5\xD6\xC4\xC1\xC5\xCD \xD2\xC1\xDA\xD7\xC9\xD4\xC9\xC5, \xD3\xCF\xCF\xC2\xDD\xC5\xD3\xD4\xD7\xCF.', 'Сегодня мы обсуждаем развитие, сообщество.' },
      { 'ru', 'cp1251', '\xD1\xE5\xE3\xEE\xE4\xED\xFF \xEC\xFB \xEE\xE1\xF1\xF3\xE6\xE4\xE0\xE5\xEC \xF0\xE0\xE7\xE2\xE8\xF2\xE8\xE5, \xF1\xEE\xEE\xE1\xF9\xE5\xF1\xF2\xE2\xEE.', 'Сегодня мы обсуждаем развитие, сообщество.' },
    }
    for _, c in ipairs(pages) do
      local para = '<p>' .. string.rep(c[3] .. ' ', 12) .. '</p>'
      local lang = c[2] == 'koi8-r' and 'xml:lang' or 'lang'                -- (an XHTML page's)
      local body = '<!DOCTYPE html><html ' .. lang .. '="' .. c[1] .. '"><head><title>t</title></head><body><article>'
        .. string.rep(para, 6) .. '</article></body></html>'
      local html = assert(article.extract(body, 'https://example.org/', nil, {}, cfg, nil, 'text/html'))
      assert.truthy(text(html):find(c[4], 1, true), c[2])
      -- declared, in HTTP or a <meta>: read as declared (such text is never taken for UTF-8)
      html = assert(article.extract(body:gsub(lang .. '="[^"]*"', ''), 'https://example.org/', nil, {}, cfg, nil,
        'text/html; charset=' .. c[2]))
      assert.truthy(text(html):find(c[4], 1, true), c[2] .. ' in HTTP')
      html = assert(article.extract(body:gsub(lang .. '="[^"]*"', ''):gsub('<head>', '<head><meta charset="' .. c[2] .. '">'),
        'https://example.org/', nil, {}, cfg, nil, 'text/html'))
      assert.truthy(text(html):find(c[4], 1, true), c[2] .. ' in <meta>')
    end
  end)

  it('knows running text by its commas in scripts whose commas are not ","', function()
    -- a block of pictures with little text is chrome, unless its text is prose, which its
    -- commas tell: Chinese writes "，", Japanese "、", Arabic "،" where English writes ","
    for _, c in ipairs({ { 'zh', '，', '河水很低' }, { 'ja', '、', '川の水は少なかった' }, { 'ar', '،', 'كان النهر منخفضا' },
                         { 'en', ',', 'the river ran low' } }) do
      local sentence = string.rep(c[3] .. c[2], 12) .. c[3]
      local imgs = '<img src="/a.jpg"><img src="/b.jpg"><img src="/c.jpg">'
      local body = '<!DOCTYPE html><html lang="' .. c[1] .. '"><head><meta charset="utf-8"><title>t</title></head>'
        .. '<body><article>' .. string.rep('<p>' .. sentence .. '</p>', 5)
        .. '<div>' .. imgs .. '<p>PICTURED ' .. sentence .. '</p></div></article></body></html>'
      local html = assert(article.extract(body, 'https://example.org/', nil, {}, cfg))
      assert.truthy(html:find('PICTURED', 1, true), c[1])
    end
  end)

  it('cuts an ad\'s label and a list of other posts under its heading, in other languages too', function()
    local prose = '<p>' .. string.rep('Der Fluss war in jenem Herbst niedrig, und die Fähre fuhr selten. ', 8) .. '</p>'
    local links = '<ul><li><a href="/a">Ein anderer Artikel</a></li><li><a href="/b">Noch einer</a></li>'
      .. '<li><a href="/c">Und noch einer</a></li></ul>'
    for _, c in ipairs({ { 'Anzeige', 'Das könnte Sie auch interessieren' }, { 'Publicité', 'À lire aussi' },
        { 'Реклама', 'Читайте также' }, { '広告', '関連記事' }, { 'Advertisement', 'Related\u{A0}stories' } }) do
      local body = '<html><head><meta charset="utf-8"></head><body><article>' .. prose .. prose
        .. '<p>' .. c[1] .. '</p>' .. prose .. '<h3>' .. c[2] .. '</h3>' .. links .. '</article></body></html>'
      local t = text(assert(article.extract(body, 'https://example.org/', nil, {}, cfg)))
      assert.truthy(t:find('Fähre fuhr selten', 1, true), c[1])
      assert.falsy(t:find(c[1], 1, true), c[1])
      assert.falsy(t:find(c[2], 1, true), c[2])
    end
  end)

  it('takes all of an article cut into blocks by galleries, each in markup of its own', function()
    -- a review between photo galleries: each part in its own wrappers with classes of its
    -- own (no sibling of the best part, no twin of its class), each scoring near the best
    local function part(i, cls)
      local p = '<p>' .. string.rep('The console ran the game at a steady rate, quiet, cool and fast. ', 4) .. '</p>'
      return string.format('<div class="block-%d"><div class="grid"><div class="%s"><p>PART %d begins here, '
        .. 'and it says something, at length, about the machine.</p>%s%s</div></div></div>'
        .. '<div class="gallery"><img src="/g%d-1.jpg"><img src="/g%d-2.jpg"><img src="/g%d-3.jpg"></div>',
        i, cls, i, p, p, i, i, i)
    end
    local body = '<html><head><title>A review</title></head><body><nav><a href="/">Home</a></nav><article>'
      .. part(1, 'article-text') .. part(2, 'article-text wide') .. part(3, 'text') .. part(4, 'article-text dropcap')
      .. '</article><aside><p>Most read: ' .. string.rep('<a href="/x">another story</a> ', 8) .. '</p></aside></body></html>'
    local t = text(assert(article.extract(body, 'https://example.org/', nil, {}, cfg)))
    for i = 1, 4 do assert.truthy(t:find('PART ' .. i .. ' begins', 1, true), 'part ' .. i .. ' missing') end
    assert.falsy(t:find('Most read', 1, true))
    assert.falsy(t:find('Home', 1, true))
  end)

  it('joins numbered parts of an article, whatever the page\'s own classes say', function()
    -- "story-body story-body-1" ... "-2": one article cut by a box of other stories, on a page
    -- whose <html> and <body> classes say "comments" and "sidebar" (about the page, not a
    -- block); a layout column that shares only "col" with the article's stays out
    local p = '<p>' .. string.rep('The sale came in two steps, and the shareholders waited. ', 5) .. '</p>'
    local body = '<html class="has-comments has-sidebar"><head><title>t</title></head><body class="sidebar-right">'
      .. '<div class="col col-8"><article>'
      .. '<div class="wrap"><div class="story-body story-body-1"><p>FIRST PART of it.</p>' .. p .. p .. '</div>'
      .. '<div class="more"><a href="/1">Another story</a> <a href="/2">And another</a></div></div>'
      .. '<div class="wrap"><div class="story-body story-body-2"><p>SECOND PART of it.</p>' .. p .. p .. p .. '</div></div>'
      .. '</article></div><div class="col col-4"><p>ABOUT THE SITE: we write, at length, about sales.</p>'
      .. '<p>We have done so, daily and weekly, for years and years and years.</p></div></body></html>'
    local t = text(assert(article.extract(body, 'https://example.org/', nil, {}, cfg)))
    assert.truthy(t:find('FIRST PART', 1, true))
    assert.truthy(t:find('SECOND PART', 1, true))
    assert.truthy(t:find('FIRST PART', 1, true) < t:find('SECOND PART', 1, true))
    assert.falsy(t:find('ABOUT THE SITE', 1, true))
    assert.falsy(t:find('Another story', 1, true))
  end)

  it('takes no list of linked names for prose, nor a block whose role says it is beside the content', function()
    local names = {}
    for i = 1, 300 do names[i] = string.format('<a href="/users/u%d">reader_%d</a>', i, i) end
    local prose = '<p>' .. string.rep('She read the letter twice, slowly, and then put it away. ', 4) .. '</p>'
    -- the readers who liked a story: hundreds of commas, every word a link
    local body = '<html><head><title>t</title></head><body><div id="main"><div class="chapter">'
      .. prose .. prose .. prose .. '</div><div id="kudos"><p>' .. table.concat(names, ', ')
      .. ' liked this.</p></div></div></body></html>'
    local t = text(assert(article.extract(body, 'https://example.org/', nil, {}, cfg)))
    assert.truthy(t:find('read the letter twice', 1, true))
    assert.falsy(t:find('reader_1', 1, true), t:sub(1, 200))
    -- landmarks by ARIA role, with text of their own (a sidebar's, a site footer's)
    for _, role in ipairs({ 'complementary', 'navigation', 'contentinfo' }) do
      body = '<html><head><title>t</title></head><body><div class="page"><div class="text">' .. prose .. prose
        .. prose .. '</div><div role="' .. role .. '"><p>BESIDE: ' .. string.rep('about the site, and more, ', 6)
        .. '</p></div></div></body></html>'
      t = text(assert(article.extract(body, 'https://example.org/', nil, {}, cfg)))
      assert.truthy(t:find('read the letter twice', 1, true), role)
      assert.falsy(t:find('BESIDE', 1, true), role)
    end
  end)

  it('reads class names word by word: related posts are not a post, a section named by its heading is text', function()
    local prose = '<p>' .. string.rep('The changeset was amended, pushed, and then amended again. ', 5) .. '</p>'
    -- WordPress's related posts ("jp-relatedposts": related, then posts) with excerpts long
    -- enough to pass for prose; a Sphinx section whose id is its heading's slug ("shared");
    -- a main column whose name says content first
    local related = '<div id="jp-relatedposts" class="jp-relatedposts"><h3>Related</h3><div class="items">'
      .. string.rep('<div class="item"><p>RELATED EXCERPT: a post about amending changesets, with its own long '
        .. 'excerpt, written a year ago, and linked.</p></div>', 3) .. '</div></div>'
    local body = '<html><head><title>Guide</title></head><body><div id="contentWithSidebar"><div class="body">'
      .. '<div class="section" id="intro"><h2>Introduction</h2>' .. prose .. prose .. '</div>'
      .. '<div class="section" id="example-1-amend-a-shared-changeset"><h2>Example 1: Amend a shared changeset¶</h2>'
      .. '<p>SHARED SECTION: ' .. string.rep('amend it, then push it, ', 5) .. '</p>' .. prose .. '</div>'
      .. related .. '</div></div></body></html>'
    local t = text(assert(article.extract(body, 'https://example.org/', nil, {}, cfg)))
    assert.truthy(t:find('Introduction', 1, true))
    assert.truthy(t:find('SHARED SECTION', 1, true))
    assert.falsy(t:find('RELATED EXCERPT', 1, true))
  end)

  it('reads the copy of a scripted article that a page keeps in <noscript> for readers without scripts', function()
    -- the post is built by a script from a template (Blogger's "text/template"); orrery runs
    -- no script, so the <noscript> copy is the article; "enable JavaScript" is no article
    local prose = '<p>' .. string.rep('Phishing sites rotate their domains quickly, and campaigns target users. ', 4)
      .. '</p>'
    local body = '<html><head><title>t</title></head><body><noscript>Please enable JavaScript to comment.</noscript>'
      .. '<div class="post"><div class="post-body"><script type="text/template">' .. prose .. prose .. '</script>'
      .. '<noscript>' .. prose .. '<p>NOSCRIPT COPY ends here, with its last sentence.</p>' .. prose .. '</noscript>'
      .. '</div></div></body></html>'
    local t = text(assert(article.extract(body, 'https://example.org/', nil, {}, cfg)))
    assert.truthy(t:find('NOSCRIPT COPY', 1, true))
    assert.falsy(t:find('enable JavaScript', 1, true))
  end)

  it('reads a page past NUL bytes, as browsers do (an ad\'s markup padded with them)', function()
    local prose = '<p>' .. string.rep('The court heard the case again, and the judge ruled late. ', 5) .. '</p>'
    local body = '<html><head><title>t</title></head><body><div class="ad"><img src="/b.gif">' .. string.rep('\0', 11)
      .. '</div><article>' .. prose .. '<p>AFTER THE NULS comes the article.</p>' .. prose .. '</article></body></html>'
    local t = text(assert(article.extract(body, 'https://example.org/', nil, {}, cfg)))
    assert.truthy(t:find('AFTER THE NULS', 1, true))
    local doc = chtml.parse('<p>one</p>\0<p>two</p>', 'https://example.org/')
    assert.equals(2, #doc:select('//p'))
  end)

  it('finds an article that an unclosed <nav> swallowed, as libxml2 parses it', function()
    local prose = '<p>' .. string.rep('Open the settings, then choose the camera, and save them. ', 5) .. '</p>'
    local body = '<html><head><title>t</title></head><body><header><nav class="navbar"><a href="/">Home</a>'
      .. '<a href="/news">News</a><div class="container"><main><article class="post"><div class="entry-content">'
      .. prose .. '<p>SWALLOWED but the article all the same.</p>' .. prose .. '</div></article></main></div>'
      .. '</body></html>'
    local t = text(assert(article.extract(body, 'https://example.org/', nil, {}, cfg)))
    assert.truthy(t:find('SWALLOWED', 1, true))
    assert.falsy(t:find('News', 1, true))
  end)

  it('takes the text of an anchor (<a name>, no href) for text, not for a link', function()
    local prose = '<p>' .. string.rep('The listeners asked about the virus, and the answers were long. ', 4) .. '</p>'
    local body = '<html><head><title>t</title></head><body><article>' .. prose
      .. '<p><a name="q7">ANCHORED: one of the questions asked most: what does the professor say?</a></p>'
      .. prose .. '<p><a href="/more">Read more on our site about it</a></p>' .. prose .. '</article></body></html>'
    local t = text(assert(article.extract(body, 'https://example.org/', nil, {}, cfg)))
    assert.truthy(t:find('ANCHORED', 1, true))
    assert.falsy(t:find('Read more on our site', 1, true))     -- a line that is a link still goes
  end)

  it('leaves out the article\'s own header, a heading repeating the page\'s title and captions', function()
    local prose = '<p>' .. string.rep('The river was low that autumn, and the ferry ran seldom. ', 6) .. '</p>'
    local body = '<html><head><title>The Low River | Example News</title></head><body><article>'
      .. '<header><h1>The Low River</h1><p class="dateline">Posted November 19</p></header>'
      .. '<h1>The low river</h1>' .. prose
      .. '<figure><img src="/ferry.jpg"><figcaption>The ferry at dawn. (Photo: Jo)</figcaption></figure>'
      .. prose .. '<h1>What the boatmen said</h1>' .. prose .. '<h2>The Low River</h2>' .. prose
      .. '</article></body></html>'
    local html = assert(article.extract(body, 'https://example.org/', nil, {}, cfg))
    local t = text(html)
    assert.falsy(t:find('Posted November', 1, true))
    assert.equals(1, select(2, t:gsub('[Tt]he [Ll]ow [Rr]iver', '')), t)   -- the <h2> only
    assert.falsy(t:find('ferry at dawn', 1, true))
    assert.truthy(html:find('/ferry.jpg', 1, true))                        -- the picture stays
    assert.truthy(t:find('What the boatmen said', 1, true))                -- a heading of its own
  end)

  it('refuses a teaser behind a paywall, not a free page of a site that has one', function()
    local html, err = article.extract(page('paywall.html'), 'https://example.org/', nil, {}, cfg)
    assert.is_nil(html)
    assert.matches('no article: the page says it is not free to read, and only %d+ characters are shown', err)
    assert.truthy(article.extract(page('paywall-login.html'), 'https://example.org/', nil, {}, cfg))
  end)

  it('refuses a page that is itself a teaser: "read more" at its end, or sent on to another site', function()
    local p = string.rep('The river was low that autumn, and the ferry ran late every day of the week. ', 9)
    local function extract(ending)
      local body = '<html><head><title>A story</title></head><body><nav><a href="/">Home</a></nav><article><h1>A story'
        .. '</h1><p>' .. p .. '</p><p>' .. ending .. '</p></article><footer>About us</footer></body></html>'
      return article.extract(body, 'https://www.site.example/a', nil, {}, cfg)
    end
    for _, ending in ipairs({
      'Continue reading at <a href="https://partner.example/x">The Partner Times</a>',
      'Read the full story on <a href="https://partner.example/x">Medium</a> »',
      'Lire la suite sur <a href="https://lemonde.example/a">Le Monde</a>.',
      'Read more', 'Continue reading →', 'Mehr dazu morgen. Weiterlesen',
    }) do
      local html, err = extract(ending)
      assert.is_nil(html, ending)
      assert.matches('^no article: the page shows a teaser too %(%d+ characters, ending ".+"%)$', err)
    end
    -- a short article is one: its last words, its own links, an ellipsis, a thank-you
    for _, ending in ipairs({
      'That is all.', 'We read more in books than online.', 'And then it ended…',
      'Read more about it in <a href="https://site.example/docs">our docs</a>.',
      'Thanks to <a href="https://ann.example/">Ann</a> for reading the drafts.',
      'Continue reading at The Partner Times',      -- no link: words alone are not enough
    }) do
      assert.is_string(extract(ending), ending)
    end
  end)

  it('says so when a page has no article (a list of links)', function()
    local html, err = article.extract(page('links-only.html'), 'https://example.org/tag/python/', nil, {}, cfg)
    assert.is_nil(html)
    assert.matches('no article found in the page', err)
  end)

  it('weighs text in Chinese, Japanese and Korean by what it says: a short article is one', function()
    local zh = '北京时间昨天晚上，国家统计局发布了最新的经济数据，显示今年前三个季度国内生产总值同比增长百分之五点二，'
      .. '高于市场预期。分析人士认为，消费和投资的回升是推动经济增长的主要因素。'
    local ko = '서울시는 어제 새로운 교통 정책을 발표했다. 이 정책은 도심의 교통 체증을 완화하고 대중교통 이용을 촉진하는 것을 '
      .. '목표로 한다. 전문가들은 효과가 나타나기까지 몇 년이 걸릴 것으로 전망했다.'
    assert.equals(utf8.len(zh) * 2, article.text_weight(zh))
    assert.equals(12, article.text_weight('abc déf 漢字'))
    for _, p in ipairs({ zh, ko }) do
      local nav = string.rep('<li><a href="/c">' .. p:sub(1, 12) .. '</a></li>', 30)
      local body = '<html><head><meta charset="utf-8"></head><body><ul>' .. nav .. '</ul><div class="content"><h1>'
        .. p:sub(1, 30) .. '</h1><div class="article-body"><p>' .. p .. '</p><p>' .. p .. '</p></div></div>'
        .. '<footer><a href="/about">about</a></footer></body></html>'
      local html, err = article.extract(body, 'https://example.org/a', nil, {}, cfg)
      assert.is_string(html, err)
      assert.truthy(html:find(p, 1, true))
      assert.is_nil(html:find('about', 1, true))
    end
    -- and what is a teaser in English is one in Chinese: a sentence or two
    assert.is_true(article.is_teaser({ summary = '<p>' .. zh .. '</p>' }))
    assert.is_false(article.is_teaser({ summary = '<p>' .. zh:rep(3) .. '</p>' }))
  end)

  it('gives nil for an empty page and survives very deep nesting', function()
    assert.is_nil(chtml.parse('', 'https://example.org/'):article())
    local para = '<p>' .. string.rep('words, and more words. ', 40) .. '</p>'
    -- libxml2 stops building the tree at its depth limit: no article, and no crash
    chtml.parse(string.rep('<div>', 100000) .. para, 'https://example.org/'):article()
    local a = chtml.parse(string.rep('<div>', 200) .. para, 'https://example.org/'):article()
    assert.is_string(a)
    assert.truthy(a:find('words, and more words', 1, true))
  end)
end)

describe('article.is_teaser', function()
  local long = '<p>' .. string.rep('A whole paragraph of the post itself. ', 30) .. '</p>'
  it('takes short entries, empty ones and "read more" endings for teasers', function()
    assert.is_true(article.is_teaser({}))
    assert.is_true(article.is_teaser({ summary = '<p>Just the first lines of the post…</p>' }))
    assert.is_true(article.is_teaser({ content = long .. '<p><a href="/p">Continue reading →</a></p>' }))
    assert.is_true(article.is_teaser({ summary = long .. ' [...]' }))
    assert.is_false(article.is_teaser({ content = long }))
  end)

  it('knows "read more" in the languages blogs are written in', function()
    for _, more in ipairs({ 'Weiterlesen »', 'Lire la suite →', 'Leer más', 'Continua a leggere', 'Leia mais',
        'Lees verder', 'Czytaj dalej', 'Läs mer', 'Читать далее →', '続きを読む', '阅读全文', '더 보기', 'اقرأ المزيد',
        'READ MORE', '[Continue reading]' }) do
      assert.is_true(article.is_teaser({ content = long .. '<p><a href="/p">' .. more .. '</a></p>' }), more)
    end
    -- the words inside a sentence are not an ending
    assert.is_false(article.is_teaser({ content = long .. '<p>Sie können hier weiterlesen oder gehen.</p>' }))
  end)
end)

describe('article.same_site', function()
  local fc = { url = 'https://feeds.example.org/blog.xml', link = 'https://www.example.com/', options = {} }
  it('allows the hosts of the feed URL, the configured site and their subdomains only', function()
    assert.is_true(article.same_site('https://feeds.example.org/p/1', fc))
    assert.is_true(article.same_site('http://example.com/2026/post', fc))            -- www. either way
    assert.is_true(article.same_site('https://blog.example.com/post', fc))
    assert.is_true(article.same_site('https://moved.example.net/p', fc, { fetch_url = 'https://moved.example.net/feed' }))
    assert.is_false(article.same_site('http://169.254.169.254/latest/meta-data/', fc))
    assert.is_false(article.same_site('http://127.0.0.1:8080/admin', fc))
    assert.is_false(article.same_site('https://notexample.com/', fc))
    assert.is_false(article.same_site('https://example.com.evil.test/', fc))
    assert.is_false(article.same_site('file:///etc/passwd', fc))
    assert.is_false(article.same_site('https://user@evil.test/', fc))
  end)
end)

describe('a recipe\'s article hook', function()
  local r = {
    path = 'test.lua',
    article = function(doc) return doc:css('.entry-content')[1] end,
  }
  it('is used when it finds the body, and readability when it returns nil', function()
    local html = assert(article.extract(page('wordpress.html'), 'https://e.org/', r, {}, cfg))
    assert.falsy(html:find('entry-meta', 1, true))
    assert.truthy(text(html):find('Every few months', 1, true))
    local html2 = assert(article.extract(page('blogger.html'), 'https://e.org/', r, {}, cfg))
    assert.truthy(text(html2):find('I kept cron', 1, true))
  end)
  it('reports a wrong return value with the recipe\'s name', function()
    local bad = { path = 'bad.lua', article = function() return 42 end }
    local html, err = article.extract(page('wordpress.html'), 'https://e.org/', bad, {}, cfg)
    assert.is_nil(html)
    assert.matches('bad.lua: article%(%) must return', err)
  end)
end)

describe('full articles (end to end)', function()
  local srv, root, dir, planet_path
  local long = string.rep('This entry is complete in the feed, every word of it. ', 20)

  setup(function()
    root = helper.tmpdir()
    for _, f in ipairs({ 'wordpress.html', 'blogger.html', 'sphinx.html', 'links-only.html' }) do
      local out = assert(io.open(root .. '/' .. f, 'wb'))
      out:write(page(f))
      out:close()
    end
    srv = helper.server(root)
    local function item(n, link, desc)
      return string.format([[<item><title>Post %d</title><link>%s</link><guid>post-%d</guid>
        <pubDate>Mon, %02d Nov 2026 10:00:00 GMT</pubDate><description>%s</description></item>]],
        n, link, n, 10 + n, desc)
    end
    local rss = '<?xml version="1.0"?><rss version="2.0"><channel><title>Teasers</title><link>'
      .. srv.url('') .. '</link>'
      .. item(1, srv.url('wordpress.html'), 'Every few months someone tells me that their service is slow… Read more')
      .. item(2, srv.url('blogger.html'), 'I kept cron for twenty years [...]')
      .. item(3, srv.url('status/404'), 'A post that was deleted.')
      .. item(4, srv.url('links-only.html'), 'A tag page.')
      .. item(5, srv.url('sphinx.html'), long)
      .. item(6, srv.url('teasers.rss'), 'A link to a feed, not a page.')
      -- another host whose name resolves to a private address (the same server by another
      -- name), and a link on the feed's own host that redirects there: both refused when the
      -- connection reaches the private address, nothing is requested
      .. item(7, srv.url('blogger.html'):gsub('127%.0%.0%.1', 'localhost'), 'Elsewhere… Read more')
      .. item(8, srv.url('redirect?to=' .. srv.url('blogger.html'):gsub('127%.0%.0%.1', 'localhost')),
        'Moved elsewhere… Read more')
      .. '</channel></rss>'
    local f = assert(io.open(root .. '/teasers.rss', 'wb'))
    f:write(rss)
    f:close()
    dir = helper.tmpdir()
    planet_path = helper.write_planet(dir, {
      name = 'Articles', output_dir = 'out', database = 'planet.db', article_retries = 2,
      feeds = { { url = srv.url('teasers.rss'), name = 'Teasers', full_article = true } },
    })
  end)
  teardown(function() srv.stop() end)

  local function refresh()
    local code, out, err = helper.orrery({ 'refresh', '-c', planet_path, '--json' })
    local ok, summary = pcall(json.decode, out)
    assert(ok, 'no JSON summary: ' .. out .. err)
    return code, summary
  end

  local function entries()
    local db = assert(cdb.open(dir .. '/planet.db'))
    local by = {}
    for row in db:rows('SELECT guid, summary, content FROM entries') do by[row.guid] = row end
    db:close()
    return by
  end

  local function hits(path)
    local n = 0
    for _, r in ipairs(srv.stats()) do if r.path == '/' .. path then n = n + 1 end end
    return n
  end

  it('fetches the article of each teaser once, keeps the teaser as summary, and leaves full entries alone', function()
    local code, summary = refresh()
    assert.equals(0, code)
    assert.equals(7, summary.articles.fetched)
    assert.equals(2, summary.articles.stored)
    assert.equals(5, summary.articles.failed)
    local e = entries()
    assert.truthy(e['post-1'].content:find('Sample with py-spy', 1, true))
    assert.truthy(e['post-1'].summary:find('Read more', 1, true))
    assert.falsy(e['post-1'].content:find('Great post', 1, true))
    assert.truthy(e['post-2'].content:find('I kept cron for twenty years because', 1, true))
    assert.truthy(e['post-3'].summary or e['post-3'].content)       -- the teaser stays
    assert.equals(0, hits('sphinx.html'))                           -- not a teaser: not fetched
    assert.equals(1, hits('blogger.html'))                          -- not again through "localhost"
    local db = assert(cdb.open(dir .. '/planet.db'))
    for _, like in ipairs({ '%localhost%blogger.html', '%redirect%' }) do
      local refused = db:one('SELECT error, content FROM articles WHERE url LIKE ?', like)
      assert.matches('refused: localhost:%d+ is on a private address: only', refused.error)
      assert.is_nil(refused.content)
    end
    local failed = db:one("SELECT error FROM articles WHERE url LIKE '%links-only.html'")
    local gone = db:one("SELECT error FROM articles WHERE url LIKE '%status/404'")
    local feedlink = db:one("SELECT error FROM articles WHERE url LIKE '%teasers.rss'")
    db:close()
    assert.equals('not an HTML page (application/rss+xml)', feedlink.error)
    assert.matches('no article found', failed.error)
    assert.equals('HTTP 404', gone.error)
    -- what became of each entry's page, for the planet's owner
    local _, out = helper.orrery({ 'status', '-c', planet_path, 'Teasers' })
    assert.matches('Post 1 +%d+ characters, found by readability scoring', out)
    assert.matches('Post 3 +HTTP 404 %(tried 1 time%)', out)
    assert.matches('Post 5 +not fetched: the feed gives the whole text', out)
    local _, rout = helper.orrery({ 'repl', '-c', planet_path, '-e', 'articles("Teasers")' })
    assert.matches('Post 2 +%d+ characters, found by readability scoring', rout)
  end)

  it('through a proxy from the environment, refuses the links whose hosts resolve to private addresses', function()
    -- a planet behind a proxy (on loopback, as a site's own often is): the proxy's address
    -- says nothing of where a request goes, the linked host's address does.  The fixture
    -- server answers as that proxy for any host.
    local port = srv.url(''):match(':(%d+)/')
    local function item(n, link)
      return string.format('<item><title>Proxied %d</title><link>%s</link><guid>proxied-%d</guid>'
        .. '<description>A teaser… Read more</description></item>', n, link, n)
    end
    local rss = '<?xml version="1.0"?><rss version="2.0"><channel><title>Behind a proxy</title>'
      .. '<link>http://news.invalid/</link>'
      .. item(1, 'http://elsewhere.invalid/wordpress.html')                       -- no address here
      .. item(2, 'http://127.0.0.1:' .. port .. '/blogger.html?by-ip')
      .. item(3, 'http://localhost:' .. port .. '/blogger.html?by-name')
      .. item(4, 'http://news.invalid/redirect?to=http://127.0.0.1:' .. port .. '/blogger.html?redirected')
      .. '</channel></rss>'
    local f = assert(io.open(root .. '/proxied.rss', 'wb'))
    f:write(rss)
    f:close()
    local pdir = helper.tmpdir()
    local path = helper.write_planet(pdir, { name = 'Proxied', output_dir = 'out', database = 'planet.db',
      feeds = { { url = 'http://news.invalid/proxied.rss', name = 'Proxied', full_article = true } } })
    srv.reset()
    local code, out, err = helper.sh(string.format('http_proxy=%s no_proxy= NO_PROXY= %s refresh -c %s --json',
      helper.sh_quote(srv.url('')), helper.sh_quote(helper.bin), helper.sh_quote(path)))
    assert.equals(0, code, out .. err)
    local summary = json.decode(out)
    assert.equals(1, summary.articles.stored)
    local db = assert(cdb.open(pdir .. '/planet.db'))
    local stored = db:one("SELECT content FROM entries WHERE guid = 'proxied-1'")
    assert.truthy(stored.content:find('Sample with py-spy', 1, true))
    for _, like in ipairs({ '%by-ip', '%by-name', '%redirect%' }) do
      local refused = db:one('SELECT error, content FROM articles WHERE url LIKE ?', like)
      assert.matches('^refused: [%w.]+:%d+ is on a private address: only', refused.error, 1, false, like)
      assert.is_nil(refused.content)
    end
    db:close()
    for _, r in ipairs(srv.stats()) do
      assert.is_nil(r.path:find('^/blogger%.html'), r.path .. ' was requested')
    end
  end)

  it('uses the cache on the next runs: a stored article is never fetched again, and nothing changes', function()
    srv.reset()
    -- the feed itself changed (a new validator) so it is parsed and stored again
    local f = assert(io.open(root .. '/teasers.rss', 'ab'))
    f:write('\n')
    f:close()
    local code, summary = refresh()
    assert.equals(0, code)
    assert.equals(0, summary.new)
    assert.equals(0, summary.changed)
    assert.equals(0, hits('wordpress.html'))
    assert.equals(0, hits('blogger.html'))
    assert.equals(1, hits('status/404'))              -- failures are tried again ...
    assert.equals(5, summary.articles.fetched)
    assert.equals(0, summary.articles.stored)
    assert.truthy(entries()['post-1'].content:find('Sample with py-spy', 1, true))
    srv.reset()
    local _, summary2 = refresh()
    assert.equals(0, hits('status/404'))              -- ... article_retries times in all
    assert.equals(0, summary2.articles.fetched)
  end)

  it("fetches only from the feed's own site with article_hosts = 'same'", function()
    local d = helper.tmpdir()
    local path = helper.write_planet(d, {
      name = 'Articles', output_dir = 'out', database = 'planet.db', article_hosts = 'same',
      feeds = { { url = srv.url('teasers.rss'), name = 'Teasers', full_article = true } },
    })
    srv.reset()
    local code, out = helper.orrery({ 'refresh', '-c', path, '--json' })
    assert.equals(0, code)
    assert.equals(6, json.decode(out).articles.fetched)    -- the link to "localhost" is not even tried
    assert.equals(1, hits('blogger.html'))
  end)
end)
