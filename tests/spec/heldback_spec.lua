-- Article pages that hold the article back, or are not it: paywalls and login walls, consent
-- boxes, bot checks and firewalls, error pages served as 200, redirects to a login page or
-- the front page.  Each keeps the feed's own text for the entry (orrery.heldback).
local helper = require('helper')
local article = require('orrery.article')
local heldback = require('orrery.heldback')
local cdb = require('orrery._db')
local config = require('orrery.config')
local json = require('orrery.json')

local cfg = config.defaults
local function fixture(name)
  return assert(io.open(helper.root .. '/tests/fixtures/articles/' .. name, 'rb')):read('a')
end

-- A short article (about 300 characters: an article, were nothing else on the page) with
-- what a page puts around it.
local story = '<p>The committee met on Tuesday to discuss the proposal in detail, weighing the costs against '
  .. 'the expected benefits for residents of the district, and agreed to meet again in the spring once '
  .. 'the surveyors have reported on the state of the old bridge and the road beside it.</p>'
local function page(body, title, head)
  return '<!DOCTYPE html><html><head><title>' .. (title or 'The old bridge | The District News') .. '</title>'
    .. (head or '') .. '</head><body><nav><a href="/">Home</a> <a href="/news">News</a></nav>' .. body
    .. '<footer><a href="/about">About us</a></footer></body></html>'
end
local legal = '<p>We and our 842 partners store and/or access information on a device, such as cookies, and process '
  .. 'personal data, such as unique identifiers and standard information sent by a device, for personalised '
  .. 'ads and content, ad and content measurement, audience insights and product development. With your '
  .. 'permission we and our partners may use precise geolocation data and identification through device '
  .. 'scanning. You may click to consent to our processing as described above.</p>'

describe('orrery.heldback', function()
  it('knows a paywall by schema.org markup in JSON-LD or microdata, and by Open Graph\'s content tier', function()
    local page_with = '<html><head>%s</head><body><article><p>The river was low that autumn.</p></article></body></html>'
    for _, c in ipairs({   -- the page's head, and whether it says the page is paywalled
      { '<script type="application/ld+json">{"isAccessibleForFree": "False"}</script>', true },
      { "<script>{'isAccessibleForFree' : false}</script>", true },
      { '<meta itemprop="isAccessibleForFree" content="false">', true },
      { '<meta content="False" itemprop="isAccessibleForFree"/>', true },
      { '<link itemprop="isAccessibleForFree" href="https://schema.org/False">', true },
      { '<meta property="article:content_tier" content="locked">', true },
      { '<meta itemprop="isAccessibleForFree" content="true">', false },
      { '<script type="application/ld+json">{"isAccessibleForFree": true}</script>', false },
      { '<meta property="article:content_tier" content="metered">', false },
      { '<p>isAccessibleForFree is schema.org\'s word for it, content="false" in a sentence</p>', false },
      { '</head><body><aside class="gh-post-upgrade-cta"><h2>This post is for paying subscribers only</h2></aside>', true },
      { '</head><body><div class="pmpro_content_message">This content is for members only.</div>', true },
      { '</head><body><div class="mepr-unauthorized-message">You are unauthorized to view this page.</div>', true },
      { '</head><body><a class="gh-portal-trigger" href="#/portal/signup">Subscribe</a>', false },
      { '</head><body><div class="wp-block-jetpack"><p>Subscribe to continue\n reading</p></div>', true },
      { '</head><body><h3>This post is for paid subscribers</h3>', true },
      { '</head><body><p class="x">Cet article est r&eacute;serv&eacute; aux abonn&eacute;s.</p>', true },
      { '</head><body><script>var t = "Subscribe to continue reading";</script><p>Subscribe to our newsletter</p>', false },
    }) do
      assert.equals(c[2], heldback.paywalled(page_with:format(c[1])) ~= nil, c[1])
    end
    local teaser = fixture('paywall.html'):gsub('<script.-</script>', '<meta itemprop="isAccessibleForFree" content="false">')
    local html, err = article.extract(teaser, 'https://example.org/', nil, {}, cfg)
    assert.is_nil(html)
    assert.matches('not free to read', err)
  end)

  it('knows a wall by its name wherever the name puts it, not by the subscribers\' way in', function()
    for _, c in ipairs({
      { '<div class="article__paywall">', true }, { '<div class="js-regwall c-modal">', true },
      { '<section id="loginWall">', true }, { "<div class='paywall-overlay'>", true },
      { '<div class="c-paywall-prompt">', true }, { '<div class="registration-wall-container">', true },
      { '<div class="members-only">', true }, { '<div class="content-gate">', true },
      { '<div class="paywall-v2">', true },
      -- the account corner of a site with a paywall, on its free pages too (JPost's names)
      { '<a class="paywall-login-link" href="/login">', false }, { '<div class="paywall-header-wrap">', false },
      { '<div class="paywall-user-name-and-sign-out-wrap">', false }, { '<span class="paywall-before-login">', false },
      { '<img class="img-paywall-after-login">', false }, { '<div class="no-paywall">', false },
      { '<div data-class="paywall">', false }, { '<p>the paywall class="paywall-login-link"</p>', false },
    }) do
      assert.equals(c[2], heldback.paywalled(page(c[1] .. story .. (c[1]:match('^<(%w+)') == 'img' and '' or
        '</' .. c[1]:match('^<(%w+)') .. '>'))) ~= nil, c[1])
    end
  end)

  it('knows a wall by what it says, in the languages planets are read in, capitals and curly quotes too', function()
    for _, words in ipairs({
      'Log in or create a free account. Log in to continue reading.', 'Sign in to keep reading',
      'You’ve reached your limit of free articles this month.', 'Subscribe now to continue reading',
      'To continue reading this article, subscribe for $1.', 'Il vous reste 80% de cet article à lire.',
      'Weiterlesen mit SZ Plus', 'Nur für Abonnenten', 'Suscríbete para seguir leyendo',
      'Riservato agli abbonati', 'Alleen voor abonnees', 'Только для подписчиков', 'ТОЛЬКО ДЛЯ ПОДПИСЧИКОВ',
      'この記事は有料会員限定です。', '本文为付费内容', 'Exclusivo para assinantes', 'Tylko dla subskrybentów',
    }) do
      local why = heldback.paywalled(page('<article>' .. story .. '<div class="box"><p>' .. words .. '</p></div></article>'))
      assert.is_string(why, words)
      assert.matches('^the page says "', why)
    end
    -- said by the site's menu, a script or an article's own sentence: not a wall
    for _, body in ipairs({
      '<article>' .. story .. '<p>Log in to comment.</p></article>',
      '<article>' .. story .. '</article><script>var m = "Log in to continue reading";</script>',
      '<article>' .. story .. '<p>Read our guide to subscribing to newsletters.</p></article>',
    }) do
      assert.is_nil(heldback.paywalled(page(body)), body)
    end
  end)

  it('tells a bot check, a firewall, a blocked country, a scripted shell and an error page from an article', function()
    for _, c in ipairs({
      { page('<div class="main"><h1>example.com</h1><h2>Checking if the site connection is secure</h2><p>example.com '
        .. 'needs to review the security of your connection before proceeding. This process is automatic and '
        .. 'your browser will redirect to your requested content shortly, so please allow up to five seconds.</p></div>',
        'Just a moment...'), 'a check for robots' },
      { page('<h1>Please verify you are a human</h1><p>Access to this page has been denied because we believe you are '
        .. 'using automation tools to browse the website. This may happen when JavaScript is disabled or not '
        .. 'supported, or when a browser extension blocks our scripts. Reference ID 0a1b2c3d-4e5f.</p>', 'Access denied'),
        'a check for robots' },
      { page('<h1>Access Denied</h1><p>You don\'t have permission to access "http://www.example.com/news/story" on this '
        .. 'server. Reference #18.2f4c1402.1700000000.5a1b2c3. This message is shown when our security systems flag '
        .. 'unusual activity from your network; contact support with the reference number above.</p>',
        'Access Denied'), "a firewall's refusal" },
      { page('<div class="content"><h1>451: Unavailable due to legal reasons</h1><p>We recognize you are attempting '
        .. 'to access this website from a country belonging to the European Economic Area (EEA) including the EU '
        .. 'which enforces the General Data Protection Regulation and therefore access cannot be granted at this '
        .. 'time.</p></div>', 'The District News'), 'not available where orrery runs' },
      { page('<div id="root"><p>You need to enable JavaScript to run this app. Our reader relies on modern browser '
        .. 'features to show stories, comments and pictures, so please turn it on in your browser settings and '
        .. 'reload the page to continue reading this story and the rest of the site.</p></div>'),
        'a page that needs scripts' },
      { page('<div class="content"><h1>Page not found</h1><p>Sorry, the page you are looking for could not be found. '
        .. 'It may have been moved, renamed or deleted, or it may never have existed. Please check the address '
        .. 'for typing errors, or use the search box above to find what you were looking for.</p></div>',
        'The District News'), 'an error page' },
      { page('<div class="content"><h2>Oops</h2>' .. story .. '</div>', '404: That is not here | The District News'),
        'an error page' },
      { page('<div class="content"><h1>Страница не найдена</h1>' .. story .. '</div>', 'Ошибка'), 'an error page' },
    }) do
      local html, err = article.extract(c[1], 'https://example.org/a', nil, {}, cfg)
      assert.is_nil(html, c[2])
      assert.matches('^no article: the page is ' .. c[2]:gsub('%p', '%%%0'), err)
    end
    -- an article that speaks of such pages, after it has begun, is one; so is a title like them in part
    local fine = page('<article><h1>Why my site failed</h1>' .. story .. story .. '<p>The server answered '
      .. '"page not found" and asked me to enable JavaScript, which I had.</p></article>', 'Errors, found | Blog')
    assert.is_string(article.extract(fine, 'https://example.org/a', nil, {}, cfg))
    for _, h1 in ipairs({ 'How to enable JavaScript in Safari', 'Fixing “Page not found” errors in Django',
        'Error 404: a short story' }) do
      local short = page('<article><h1>' .. h1 .. '</h1>' .. story .. '</article>', h1 .. ' | Blog')
      assert.is_string(article.extract(short, 'https://example.org/a', nil, {}, cfg), h1)
    end
  end)

  it('says when a site turns orrery away, for the error of its feed, and only then', function()
    local check = fixture('../http/challenge.html')
    assert.matches('^the page is a check for robots', heldback.turned_away(check, 'text/html; charset=UTF-8'))
    assert.matches('^the page is a check for robots', heldback.turned_away(check, nil))
    assert.matches("^the page is a firewall's refusal", heldback.turned_away(page('<h1>Access Denied</h1><p>You '
      .. 'don\'t have permission to access "/feed" on this server.</p>', 'Access Denied'), 'text/html'))
    assert.is_nil(heldback.turned_away(check, 'application/rss+xml'))        -- a feed is read as one
    assert.is_nil(heldback.turned_away('status 403', 'text/plain'))
    assert.is_nil(heldback.turned_away(nil, 'text/html'))
    -- an error page, or a blog's own page, is no site turning orrery away
    assert.is_nil(heldback.turned_away(page('<h1>Page not found</h1><p>The page you are looking for is gone.</p>',
      'Not Found'), 'text/html'))
    assert.is_nil(heldback.turned_away(page('<article>' .. story .. '</article>'), 'text/html'))
  end)

  it('never takes a consent box for the article, nor a dialog', function()
    -- the article alone is too short to be one: the feed's teaser stays
    for _, box in ipairs({ '<div id="cookie-consent" class="consent-overlay"><h2>We value your privacy</h2>' .. legal .. '</div>',
        '<div class="qc-cmp2-container">' .. legal .. '</div>', '<div role="dialog" aria-label="Privacy">' .. legal .. '</div>',
        '<div class="popup" aria-modal="true">' .. legal .. '</div>' }) do
      local short = page(box .. '<article><h1>The old bridge</h1><p>The committee met on Tuesday.</p></article>')
      local html, err = article.extract(short, 'https://example.org/a', nil, {}, cfg)
      assert.is_nil(html, box)
      assert.matches('^no article found in the page', err)
    end
    -- a long article keeps every word of its own and none of the box's
    local long = page('<div class="cmp-banner gdpr">' .. legal .. '</div><article>' .. story:rep(4) .. '</article>')
    local html = assert(article.extract(long, 'https://example.org/a', nil, {}, cfg))
    assert.falsy(html:find('842 partners', 1, true))
    assert.truthy(html:find('old bridge', 1, true))
    -- a post about consent, in WordPress's classes for its tags, is a post; a board of
    -- trustees' statement is no TRUSTe box
    local post = page('<div class="post type-post tag-consent tag-gdpr">' .. story:rep(2) .. '</div>')
    assert.is_string(article.extract(post, 'https://example.org/a', nil, {}, cfg))
    local board = page('<div class="trustees-statement">' .. story:rep(2) .. '</div>')
    assert.is_string(article.extract(board, 'https://example.org/a', nil, {}, cfg))
  end)

  it('knows a redirect away from the article: to a login, subscription or consent page, or the front page', function()
    local link = 'https://news.example.com/2026/12/old-bridge'
    for _, c in ipairs({
      { 'https://news.example.com/account/login?next=%2F2026%2F12%2Fold-bridge', 'a login page' },
      { 'https://news.example.com/subscribe?ref=wall', 'a subscribe page' },
      { 'https://consent.example.com/v2/collectConsent?sessionId=1', 'consent.example.com' },
      { 'https://accounts.example.com/signin', 'accounts.example.com' },
      { 'https://news.example.com/', 'the front page of news.example.com' },
      { 'https://news.example.com/index.php', 'the front page of news.example.com' },
    }) do
      local why = heldback.redirected(link, c[1])
      assert.is_string(why, c[1])
      assert.truthy(why:find(c[2], 1, true), why)
    end
    for _, final in ipairs({ link, 'https://news.example.com/2026/12/old-bridge/', 'https://www.example.com/old-bridge',
        'https://news.example.com/2026/12/how-to-subscribe', 'https://news.example.com/login-troubles-explained',
        'https://news.example.com/?p=123', 'https://news.example.com/index.php?id=7' }) do
      assert.is_nil(heldback.redirected(link, final), final)
    end
    assert.is_nil(heldback.redirected('https://news.example.com/', 'https://www.example.com/'))   -- it was the front page
    assert.is_nil(heldback.redirected(link, nil))
  end)
end)

describe('held-back article pages (end to end)', function()
  local srv, root, dir, planet_path
  local pages = {
    ['good.html'] = fixture('wordpress.html'),
    ['challenge.html'] = page('<div class="main"><h2>Checking if the site connection is secure</h2><p>example.com '
      .. 'needs to review the security of your connection before proceeding. This process is automatic and your '
      .. 'browser will redirect to your requested content shortly, so please allow up to five seconds.</p></div>',
      'Just a moment...'),
    ['consent.html'] = page('<div class="cookie-banner">' .. legal .. '</div><article><p>The committee met.</p></article>'),
    ['wall.html'] = page('<article>' .. story .. '<div class="article__paywall"><p>Already a subscriber? Log in. '
      .. 'Subscribe for unlimited access to our reporting, newsletters and archive, from one euro a week.</p></div></article>'),
    ['account/login.html'] = page('<form><p>Log in</p></form>' .. story),
    ['index.html'] = page(story:rep(6)),
    ['check.html'] = fixture('../http/challenge.html'),
  }

  setup(function()
    root = helper.tmpdir()
    os.execute('mkdir -p ' .. root .. '/account')
    for name, body in pairs(pages) do
      local out = assert(io.open(root .. '/' .. name, 'wb'))
      out:write(body)
      out:close()
    end
    srv = helper.server(root)
    local items = {}
    local links = { good = srv.url('good.html'), challenge = srv.url('challenge.html'),
      consent = srv.url('consent.html'), wall = srv.url('wall.html'),
      login = srv.url('redirect?to=' .. srv.url('account/login.html')),
      front = srv.url('redirect?to=' .. srv.url('index.html')), checked = srv.url('status/403/check.html') }
    for name, link in pairs(links) do
      items[#items + 1] = string.format('<item><title>%s</title><link>%s</link><guid>%s</guid>'
        .. '<description>The teaser of %s… Read more</description></item>', name, link:gsub('&', '&amp;'), name, name)
    end
    local f = assert(io.open(root .. '/feed.rss', 'wb'))
    f:write('<?xml version="1.0"?><rss version="2.0"><channel><title>News</title><link>' .. srv.url('')
      .. '</link>' .. table.concat(items) .. '</channel></rss>')
    f:close()
    dir = helper.tmpdir()
    planet_path = helper.write_planet(dir, {
      name = 'Held back', output_dir = 'out', database = 'planet.db',
      feeds = { { url = srv.url('feed.rss'), name = 'News', full_article = true } },
    })
  end)
  teardown(function() srv.stop() end)

  it('keeps the teaser of every page that is not its article, and says why; takes the one that is', function()
    local code, out, err = helper.orrery({ 'refresh', '-c', planet_path, '--json' })
    assert.equals(0, code, err)
    local summary = json.decode(out)
    assert.equals(7, summary.articles.fetched)
    assert.equals(1, summary.articles.stored)
    local db = assert(cdb.open(dir .. '/planet.db'))
    local why = {}
    for row in db:rows('SELECT e.guid, e.content, e.summary, a.error FROM entries e JOIN articles a ON a.url = e.link') do
      why[row.guid] = row
    end
    db:close()
    assert.truthy(why.good.content:find('Every few months', 1, true))
    assert.is_nil(why.good.error)
    for name, says in pairs({ challenge = 'a check for robots', consent = 'no article found in the page',
        wall = 'paywall %(class "article__paywall"%)', login = 'a login page', front = 'the front page of',
        checked = '^HTTP 403: the page is a check for robots' }) do
      assert.matches(says, why[name].error, 1, false, name)
      assert.matches('The teaser of ' .. name, (why[name].content or '') .. (why[name].summary or ''), 1, false, name)
      assert.falsy((why[name].content or ''):find('committee', 1, true), name)
    end
  end)
end)
