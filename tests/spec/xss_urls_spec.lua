-- XSS through URLs, end to end: feeds (RSS, Atom, JSON Feed, and a recipe) put script-running
-- URLs in every URL field they have, entry and feed metadata alike, written every way browsers
-- have been fooled.  The planet is fetched from a loopback server, stored and rendered by the
-- real binary, with the default layout (index, archive pages, health page) and with Planet
-- 2.0 htmltmpl templates.  Then headless Chromium loads each page and reads every URL in it
-- with its own URL parser: every one must be http(s) or mailto, none empty, and no script may
-- have run.
local helper = require('helper')
local fs = require('orrery._fs')
local json = require('orrery.json')

local PAY = "document.title='XSS-RAN'"
local vectors = {
  'javascript:' .. PAY, 'JaVaScRiPt:' .. PAY, 'java\tscript:' .. PAY, 'java\nscript:' .. PAY,
  '   javascript:' .. PAY, '\1javascript:' .. PAY, '&#106;avascript:' .. PAY, '&#x6A;avascript:' .. PAY,
  'javascript&colon;' .. PAY, 'vbscript:msgbox(1)', 'data:text/html,<script>' .. PAY .. '</script>',
  'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==', 'file:///etc/passwd', '',
  'feed:javascript:' .. PAY, 'feed:&#106;avascript:' .. PAY,
}

local function x(s)   -- XML text that says exactly s
  return (s:gsub('&', '&amp;'):gsub('<', '&lt;'):gsub('>', '&gt;'):gsub('"', '&quot;')
    :gsub('[\1-\8\11\12\14-\31]', function(c) return '&#' .. c:byte() .. ';' end))
end

local function when(i) return os.date('!%a, %d %b %Y %H:%M:%S GMT', 1600000000 + i * 86400 * 20) end

local function rss()
  local out = { '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"'
    .. ' xmlns:media="http://search.yahoo.com/mrss/" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">'
    .. '<channel><title>Hostile RSS</title>', '<link>' .. x(vectors[1]) .. '</link>',
    '<atom:link rel="alternate" href="' .. x(vectors[2]) .. '"/>',
    '<image><url>' .. x(vectors[3]) .. '</url><title>i</title><link>' .. x(vectors[4]) .. '</link></image>',
    '<itunes:image href="' .. x(vectors[5]) .. '"/>' }
  for i, v in ipairs(vectors) do
    out[#out + 1] = string.format('<item><title>RSS %d</title><link>%s</link><comments>%s</comments>'
      .. '<guid isPermaLink="true">%s</guid><author>%s</author><pubDate>%s</pubDate>'
      .. '<enclosure url="%s" type="audio/mpeg" length="10"/><media:content url="%s" type="video/mp4"/>'
      .. '<source url="%s">src</source><description>rss %d</description></item>',
      i, x(v), x(v), x(v), x('x@example.org (' .. v .. ')'), when(i), x(v), x(v), x(v), i)
  end
  out[#out + 1] = '</channel></rss>\n'
  return table.concat(out)
end

local function atom()
  local out = { '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
    .. '<title>Hostile Atom</title><id>urn:x</id><updated>2021-01-01T00:00:00Z</updated>',
    '<link href="' .. x(vectors[6]) .. '"/><icon>' .. x(vectors[7]) .. '</icon><logo>' .. x(vectors[8]) .. '</logo>',
    '<author><name>Feed</name><uri>' .. x(vectors[9]) .. '</uri></author>' }
  for i, v in ipairs(vectors) do
    out[#out + 1] = string.format('<entry><id>%s</id><title>Atom %d</title><link href="%s"/>'
      .. '<link rel="alternate" type="text/html" href="%s"/><link rel="enclosure" href="%s" type="audio/mpeg"/>'
      .. '<link rel="replies" href="%s"/><author><name>A %d</name><uri>%s</uri><email>%s</email></author>'
      .. '<source><link href="%s"/><title>s</title></source>'
      .. '<updated>%s</updated><content type="html">atom %d</content></entry>',
      x(v), i, x(v), x(v), x(v), x(v), i, x(v), x(v), x(v), os.date('!%Y-%m-%dT%H:%M:%SZ', 1600000000 + i * 86400 * 21), i)
  end
  out[#out + 1] = '</feed>\n'
  return table.concat(out)
end

local function jsonfeed()
  local items = {}
  for i, v in ipairs(vectors) do
    items[i] = { id = v ~= '' and v or 'empty', url = v, external_url = v, title = 'JSON ' .. i,
      content_html = '<p>json ' .. i .. '</p>', image = v, banner_image = v,
      date_published = os.date('!%Y-%m-%dT%H:%M:%SZ', 1600000000 + i * 86400 * 22),
      authors = { { name = 'J ' .. i, url = v, avatar = v } }, attachments = { { url = v, mime_type = 'audio/mpeg' } } }
  end
  return json.encode({ version = 'https://jsonfeed.org/version/1.1', title = 'Hostile JSON', home_page_url = vectors[10],
    feed_url = vectors[11], icon = vectors[12], favicon = vectors[1], authors = { { name = 'F', url = vectors[2] } },
    items = items })
end

-- A recipe that writes unsafe URLs into every field it can: the model's rules still hold.
local RECIPE = [[
local v = %s
return {
  entry = function(e, ctx)
    local i = tonumber(e.title:match('%%d+')) or 1
    e.link = v[i]; e.comments = v[i]; e.author_uri = v[i]
    e.enclosures = { { href = v[i], type = 'audio/mpeg' } }
    return e
  end,
  feed = function(f) f.link = v[3]; f.icon = v[4]; return f end,
}
]]

-- The checker page: loads each page of the planet in an iframe (same origin), reads every URL
-- attribute with the browser's own parser and records what is not http(s), mailto or urn (an
-- id that a template put in an href: it opens nothing) or is empty,
-- and whether a payload ran.  Its findings go into its DOM, which --dump-dom shows.
local CHECKER = [[<!DOCTYPE html><html><head><title>checker</title></head><body><iframe id="f"></iframe><script>
const pages = %s;
const attrs = ['href', 'src', 'action', 'formaction', 'poster', 'data', 'cite', 'background', 'xlink:href', 'srcset'];
async function check() {
  const bad = [], seen = [];
  const f = document.getElementById('f');
  for (const page of pages) {
    // "!page": a template of someone else's whose own markup has an empty link (Planet
    // Python's sidebar does): only the schemes are checked there
    const p = page.replace(/^!/, ''), empty_ok = page[0] === '!';
    await new Promise(r => { f.onload = r; f.src = p; });
    const doc = f.contentDocument;
    seen.push(p + ':' + doc.querySelectorAll('*').length);
    if (doc.title.indexOf('XSS-RAN') >= 0) bad.push(p + ': a payload ran');
    if (doc.querySelectorAll('script').length) bad.push(p + ': a script element');
    for (const el of doc.querySelectorAll('*')) {
      for (const a of attrs) {
        if (!el.hasAttribute(a)) continue;
        const v = el.getAttribute(a);
        if (el.closest('div.content') && a !== 'href' && a !== 'src') continue;
        if (v.trim() === '') { if (!empty_ok) bad.push(p + ': empty ' + a + ' on <' + el.tagName + '>'); continue; }
        for (const part of (a === 'srcset' ? v.split(',').map(s => s.trim().split(/\s+/)[0]) : [v])) {
          let proto;
          try { proto = new URL(part, doc.baseURI).protocol; } catch (e) { proto = 'unparsable'; }
          if (proto !== 'http:' && proto !== 'https:' && proto !== 'mailto:' && proto !== 'urn:')
            bad.push(p + ': ' + a + '=' + JSON.stringify(part) + ' is ' + proto);
        }
      }
    }
  }
  document.body.setAttribute('data-seen', seen.join(' '));
  document.body.setAttribute('data-bad', JSON.stringify(bad));
}
check();
</script></body></html>]]

describe('XSS through URLs (end to end)', function()
  local srv, site, dir, out
  setup(function()
    site = helper.tmpdir()
    assert(fs.write(site .. '/hostile.rss', rss()))
    assert(fs.write(site .. '/hostile.atom', atom()))
    assert(fs.write(site .. '/hostile.json', jsonfeed()))
    assert(fs.write(site .. '/recipe.rss', rss()))
    srv = helper.server(site)
    dir = helper.tmpdir()
    assert(fs.mkdirs(dir .. '/recipes'))
    local lits = {}
    for i, v in ipairs(vectors) do lits[i] = string.format('%q', v) end
    assert(fs.write(dir .. '/recipes/unsafe.lua', RECIPE:format('{ ' .. table.concat(lits, ', ') .. ' }')))
    local feeds = {
      { url = srv.url('hostile.rss'), name = 'RSS' }, { url = srv.url('hostile.atom'), name = 'Atom' },
      { url = srv.url('hostile.json'), name = 'JSON' }, { url = srv.url('recipe.rss'), name = 'Recipe', recipe = 'unsafe' },
    }
    out = dir .. '/out'
    local path = helper.write_planet(dir, { name = 'URL XSS planet', link = 'https://planet.test/', output_dir = 'out',
      database = 'planet.db', items_per_page = 200, feeds = feeds })
    local code, o, err = helper.orrery({ 'run', '-c', path })
    assert.equals(0, code, o .. err)
    -- the same store through Planet 2.0 templates (htmltmpl): one of our own that uses every
    -- variable that is a URL, and Planet Python's when ../shared has them
    local tmpl = [[<html><head><title><TMPL_VAR name></title></head><body><a href="<TMPL_VAR link>">p</a>
<TMPL_LOOP Items><a href="<TMPL_VAR link>">i</a><a href="<TMPL_VAR channel_link>">c</a>
<a href="<TMPL_VAR channel_url>">u</a><a href="<TMPL_VAR id>">id</a><TMPL_VAR content></TMPL_LOOP>
<TMPL_LOOP Channels><a href="<TMPL_VAR link>">l</a><a href="<TMPL_VAR url>">f</a><TMPL_IF face><img src="<TMPL_VAR face>" alt=""></TMPL_IF></TMPL_LOOP>
</body></html>]]
    assert(fs.write(dir .. '/tmpl.html.tmpl', tmpl))
    local templates = { 'tmpl.html.tmpl' }
    local pp = helper.root .. '/../shared/planetpython/config/index.html.tmpl'
    if fs.stat(pp) then
      assert(fs.write(dir .. '/index.html.tmpl', assert(fs.read(pp))))
      templates[2] = 'index.html.tmpl'
    end
    path = helper.write_planet(dir, { name = 'URL XSS planet', link = 'https://planet.test/', output_dir = 'out2',
      database = 'planet.db', items_per_page = 200, feeds = feeds, templates = templates })
    code, o, err = helper.orrery({ 'render', '-c', path })
    assert.equals(0, code, o .. err)
  end)
  teardown(function() if srv then srv.stop() end end)

  it('stores no URL but web addresses, and says on each entry what it dropped', function()
    local db = assert(require('orrery._db').open(dir .. '/planet.db'))
    for row in db:rows('SELECT link, author_uri, enclosures, notes FROM entries') do
      for _, u in ipairs({ row.link, row.author_uri }) do assert.matches('^https?://', u) end
      for _, e in ipairs(json.decode(row.enclosures)) do assert.matches('^https?://', e.href) end
    end
    local noted = db:one("SELECT count(*) AS n FROM entries WHERE notes LIKE '%dropped%'").n
    assert.is_true(noted >= 3 * (#vectors - 1), noted .. ' entries with notes')
    for row in db:rows('SELECT link, icon FROM feeds') do
      assert.is_true(row.link == nil or row.link:match('^https?://') ~= nil)
      assert.is_true(row.icon == nil or row.icon:match('^https?://') ~= nil)
    end
    db:close()
  end)

  it('finds no unsafe or empty URL, and no script, in any page in Chromium', function()
    local pages = { '/out/index.html', '/out/health.html', '/out2/tmpl.html' }
    for _, name in ipairs(fs.list(out .. '/archive') or {}) do pages[#pages + 1] = '/out/archive/' .. name end
    if fs.stat(dir .. '/out2/index.html') then pages[#pages + 1] = '!/out2/index.html' end
    assert.is_true(#pages >= 5)
    assert(fs.write(dir .. '/check.html', CHECKER:format(json.encode(pages))))
    local web = helper.server(dir)
    local rc, dom, err = helper.chromium(web.url('check.html'), 'dom', helper.tmpdir())
    web.stop()
    assert.equals(0, rc, err)
    local seen = dom:match('data%-seen="([^"]*)"')
    assert.is_string(seen, 'the checker did not finish: ' .. dom:sub(1, 300))
    for _, p in ipairs(pages) do assert.matches(p:gsub('^!', ''):gsub('%p', '%%%0') .. ':%d+', seen) end
    local bad = json.decode((dom:match('data%-bad="([^"]*)"'):gsub('&quot;', '"'):gsub('&amp;', '&')))
    assert.same({}, bad)
    -- and every URL in the planet's feeds and lists (what other aggregators will render)
    local function decode(v) return (v:gsub('&lt;', '<'):gsub('&gt;', '>'):gsub('&quot;', '"'):gsub('&#39;', "'"):gsub('&amp;', '&')) end
    local function safe(v, where)
      v = decode(v):gsub('^%s+', ''):gsub('%s+$', '')
      assert.is_truthy(v:match('^https?://[^/%s]') or v:match('^urn:') or v:match('^tag:') or v:match('^mailto:'),
        where .. ': ' .. v)
    end
    for _, name in ipairs({ 'atom.xml', 'rss20.xml', 'rss10.xml', 'opml.xml', 'foafroll.xml', 'health.json' }) do
      local text = assert(fs.read(out .. '/' .. name))
      for attr, v in text:gmatch('([%w:]+)="([^"]*)"') do
        local a = attr:lower()
        if a == 'href' or a == 'url' or a == 'xmlurl' or a == 'htmlurl' or a == 'rdf:resource' or a == 'rdf:about' or a == 'src' then
          safe(v, name .. ' ' .. attr)
        end
      end
      for tag, v in text:gmatch('<(%a[%w:]*)[^>]*>([^<]*)</%1>') do
        if tag == 'link' or tag == 'id' or tag == 'guid' or tag == 'comments' or tag == 'foaf:homepage' then safe(v, name .. ' <' .. tag .. '>') end
      end
      for k, v in text:gmatch('"(%a*url)": "([^"]*)"') do safe(v, name .. ' ' .. k) end
      for v in text:gmatch('"link": "([^"]*)"') do safe(v, name .. ' link') end
    end
  end)
end)
