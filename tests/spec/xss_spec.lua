-- XSS, end to end: a feed full of classic vectors, in content and in titles, is rendered by
-- the real binary; the page is checked with a parser (no script, no handler, no unsafe URL)
-- and loaded in headless Chromium, which must run no script from the feed and keep the
-- page's structure (one article per entry, the sidebar after them: nothing swallowed).
-- A vector that runs sets the document's title, which Chromium's DOM dump shows.
local helper = require('helper')
local fs = require('orrery._fs')
local chtml = require('orrery._html')

local PAY = "document.title='XSS-RAN'"
local vectors = {
  '<script>' .. PAY .. '</script>',
  '<img src="x" onerror="' .. PAY .. '">',
  '<img src=x onerror=' .. PAY:gsub("'", '`') .. '//',
  '<svg onload="' .. PAY .. '"><circle r="1"/></svg>',
  '<svg><script>' .. PAY .. '</script></svg>',
  '<iframe src="javascript:' .. PAY .. '"></iframe>',
  '<iframe srcdoc="<script>parent.' .. PAY .. '</script>"></iframe>',
  '<object data="javascript:' .. PAY .. '"></object><embed src="javascript:' .. PAY .. '">',
  '<a href="javascript:' .. PAY .. '">plain</a> <a href="JaVaScRiPt:' .. PAY .. '">case</a>',
  '<a href="&#106;avascript:' .. PAY .. '">entity</a> <a href=" java\tscript:' .. PAY .. '">tab</a>',
  '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
  '<a href="vbscript:msgbox(1)">vb</a>',
  '<meta http-equiv="refresh" content="0;url=javascript:' .. PAY .. '">',
  '<base href="javascript:' .. PAY .. '//">',
  "<style>@import 'javascript:" .. PAY .. "'; body{display:none}</style>",
  '<div style="background:url(javascript:' .. PAY .. ')">bg</div><div style="width:expression(' .. PAY .. ')">ie</div>',
  '<form action="javascript:' .. PAY .. '"><input autofocus onfocus="' .. PAY .. '"><button>go</button></form>',
  '<details open ontoggle="' .. PAY .. '"><summary>s</summary></details>',
  '<body onload="' .. PAY .. '">body</body>',
  '<video><source onerror="' .. PAY .. '"></video><audio src="x" onerror="' .. PAY .. '"></audio>',
  '<marquee onstart="' .. PAY .. '">m</marquee>',
  '<math><mtext><table><mglyph><style><img src=x onerror="' .. PAY .. '"></style></mglyph></table></mtext></math>',
  '<noscript><p title="</noscript><img src=x onerror=\'' .. PAY:gsub("'", '`') .. '\'>"></noscript>',
  '<textarea>swallow <title>the <xmp>page <plaintext>unclosed',
  '<div><table><tr><td>unclosed cells <select><option>',
  '<!-- an unclosed comment <img src=x onerror="' .. PAY .. '">',
  '<a href="#" onclick="' .. PAY .. '" onmouseover="' .. PAY .. '">handlers</a>',
  '<img src="x`<script>' .. PAY .. '</script>"`>',
  '<link rel="stylesheet" href="javascript:' .. PAY .. '"><input type="image" src="x" onerror="' .. PAY .. '">',
  '<svg><a xlink:href="javascript:' .. PAY .. '"><text y="20">svg link</text></a><animate onbegin="' .. PAY .. '"/></svg>',
}
local titles = {
  '&lt;script&gt;' .. PAY .. '&lt;/script&gt;',
  '&lt;img src=x onerror="' .. PAY .. '"&gt;',
  '<![CDATA[<b onmouseover="' .. PAY .. '">bold</b></title><script>' .. PAY .. '</script>]]>',
}

local function feed_xml()
  local out = { '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Hostile</title>',
    '<link>https://hostile.example/</link>' }
  for i, v in ipairs(vectors) do
    out[#out + 1] = string.format('<item><title>Vector %d</title><link>https://hostile.example/%d</link>'
      .. '<guid>v%d</guid><pubDate>%s</pubDate><description><![CDATA[<p>before %d</p>%s<p>after %d</p>]]></description></item>',
      i, i, i, os.date('!%a, %d %b %Y %H:%M:%S GMT', 1700000000 - i * 60), i, v, i)
  end
  for i, t in ipairs(titles) do
    out[#out + 1] = string.format('<item><title>%s</title><link>https://hostile.example/t%d</link><guid>t%d</guid>'
      .. '<pubDate>%s</pubDate><description>title vector %d</description></item>',
      t, i, i, os.date('!%a, %d %b %Y %H:%M:%S GMT', 1690000000 - i * 60), i)
  end
  out[#out + 1] = '</channel></rss>\n'
  return table.concat(out)
end

describe('XSS (end to end)', function()
  local dir, html
  setup(function()
    dir = helper.tmpdir()
    assert(fs.mkdirs(dir .. '/feeds'))
    assert(fs.write(dir .. '/feeds/hostile.rss', feed_xml()))
    local path = helper.write_planet(dir, {
      name = 'XSS test planet', link = 'https://planet.test/', output_dir = 'out', database = 'planet.db',
      items_per_page = 100, feeds = { { url = 'feeds/hostile.rss', name = 'Hostile <b>feed</b>' } },
    })
    local code, out, err = helper.orrery({ 'run', '-c', path, '-q' })
    assert.equals(0, code, out .. err)
    html = assert(fs.read(dir .. '/out/index.html'))
  end)

  it('writes a page with no script, no event handler and no unsafe URL from the feed', function()
    local doc = chtml.parse(html, 'https://planet.test/')
    assert.equals(0, #doc:select('//script | //iframe | //object | //embed | //form | //base'
      .. ' | //meta[@http-equiv and @http-equiv!="Content-Security-Policy"]'
      .. ' | //style | //link[not(@rel="stylesheet" and @href="style.css") and not(@rel="alternate")]'))
    -- the page's own policy forbids script altogether, should any ever slip through
    local csp = doc:select('//head/meta[@http-equiv="Content-Security-Policy"]')
    assert.equals(1, #csp)
    assert.matches("script-src 'none'", csp[1]:attr('content'), 1, true)
    for _, a in ipairs(doc:select('//@*')) do
      local name = a:name():lower()
      assert.is_nil(name:match('^on'), 'handler attribute ' .. name)
      local v = a:text():lower():gsub('%s', '')
      assert.is_nil(v:find('javascript:', 1, true), name .. '=' .. v)
      assert.is_nil(v:find('vbscript:', 1, true), name .. '=' .. v)
      assert.is_nil(v:match('^data:'), name .. '=' .. v)
      assert.is_nil(v:find('expression(', 1, true), name .. '=' .. v)
    end
    -- titles are text: markup in them is stripped (a title left empty shows as untitled)
    assert.matches('<a href="https://hostile.example/t1">(untitled)</a>', html, 1, true)
    assert.matches('<a href="https://hostile.example/t3">bold</a>', html, 1, true)
    assert.equals(#vectors + #titles, #doc:select('//article[@class="entry"]'))
  end)

  it('runs no script in a browser and keeps the layout', function()
    local shot = dir .. '/out/screenshot.png'
    local url = 'file://' .. fs.realpath(dir .. '/out/index.html')
    local rc, dom, err = helper.chromium(dir .. '/out/index.html', 'dom', dir)
    assert.equals(0, rc, err)
    -- a vector that ran would have changed the title (the payload's text may be on the page)
    assert.matches('<title>XSS test planet</title>', dom, 1, true)
    -- structure after the browser's own parse: every entry an article, the sidebar after them
    local doc = chtml.parse(dom, url)
    assert.equals(#vectors + #titles, #doc:select('//main[@id="content"]//article[@class="entry"]'))
    assert.equals(1, #doc:select('//main[@id="content"]/following-sibling::aside[@id="sidebar"]'))
    assert.equals(1, #doc:select('//aside[@id="sidebar"]//ul[@class="subscriptions"]/li'))
    assert.equals(0, helper.chromium(dir .. '/out/index.html', shot, dir))
    local st = fs.stat(shot)
    assert.is_true(st ~= nil and st.size > 10000, 'no screenshot')
  end)
end)
