local config = require('orrery.config')
local json = require('orrery.json')
local template = require('orrery.template')
local cutil = require('orrery._util')

describe('orrery.util.utc_time', function()
  it('gives UTC midnight of a date, months running past December included', function()
    local util = require('orrery.util')
    assert.equals(0, util.utc_time(1970, 1, 1))
    assert.equals(951868800, util.utc_time(2000, 3, 1))
    assert.equals(util.utc_time(2027, 1, 1), util.utc_time(2026, 13, 1))
    assert.equals('2026-11-01T00:00:00Z', util.iso8601(util.utc_time(2026, 11, 1)))
  end)
end)

describe('orrery.json', function()
  it('round-trips values with stable key order', function()
    local v = { b = 1, a = { 'x', true, json.null }, c = 'é\n"q"' }
    local s = json.encode(v)
    assert.equals('{"a":["x",true,null],"b":1,"c":"é\\n\\"q\\""}', s)
    assert.same(v, json.decode(s))
    assert.equals('[]', json.encode(json.array()))
    assert.equals('\u{1F600}', json.decode('"\\ud83d\\ude00"'))
    -- what it writes is UTF-8 whatever it is given (stray bytes read as windows-1252)
    assert.equals('"\u{FF}?"', json.encode('\xff?'))
  end)
  it('encodes a list of strings as the general encoder does, escapes and all', function()
    for _, list in ipairs({ {}, { 'a' }, { 'Q&A', '日本語', 'x y' }, { 'a"b', 'c' }, { 'tab\there' }, { 'back\\' },
        { 'del\127' }, { 'a', 2 }, { '\xc3', '\xa9' }, { 'caf\xe9', 'ok' }, { '\xff' } }) do
      assert.equals(json.encode(json.array(list)), json.encode_strings(list))
      -- and reads it back as the general decoder does
      assert.same(json.decode(json.encode_strings(list)), json.decode_strings(json.encode_strings(list)))
    end
    for _, s in ipairs({ '["a", "b"]', '["a",1]', '["a","","b"]', '["\\u00e9"]', '[""]' }) do
      assert.same(json.decode(s), json.decode_strings(s), s)
    end
    assert.is_nil(json.decode_strings('["a","b"'))
  end)
  it('returns nil, err for bad JSON', function()
    local v, err = json.decode('{"a":')
    assert.is_nil(v)
    assert.matches('json:', err)
  end)
end)

describe('orrery.shown.link_key', function()
  local shown = require('orrery.shown')

  it('compares links as readers do', function()
    local k = shown.link_key
    assert.equals('blog.example/post', k('https://www.Blog.Example./post/#comments'))
    assert.equals('blog.example/post', k('HTTP://user:pw@blog.example:80/post/index.html'))
    assert.equals('blog.example:8080/a?b=2&c=1', k('http://blog.example:8080/a?c=1&utm_source=rss;b=2&fbclid=x'))
    assert.equals('blog.example', k('https://blog.example:443/index.htm?UTM_Medium=feed&Fbclid=1'))
    assert.is_nil(k('ftp://blog.example/post'))
    assert.is_nil(k('mailto:me@blog.example'))
    assert.is_nil(k('https:///path'))
    assert.is_nil(k(nil))
    assert.is_nil(k(42))
  end)

  it('gives the keys the rule gave in Lua (stored keys stay valid)', function()
    local helper = require('helper')
    local parse = require('orrery.parse')
    -- the rule as orrery wrote it in Lua before it moved to C: stored link keys were made by it
    local tracking = shown.TRACKING
    local function reference(link)
      if type(link) ~= 'string' then return nil end
      local scheme, rest = link:match('^(%a[%w+.-]*)://(.*)$')
      if not scheme then return nil end
      scheme = scheme:lower()
      if scheme ~= 'http' and scheme ~= 'https' then return nil end
      local cut = rest:find('#', 1, true)
      if cut then rest = rest:sub(1, cut - 1) end
      cut = rest:find('[/?]')
      local host, path = (cut and rest:sub(1, cut - 1) or rest):lower(), cut and rest:sub(cut) or ''
      host = host:gsub('^.*@', ''):gsub(':80$', ''):gsub(':443$', '')
      if host:sub(1, 4) == 'www.' then host = host:sub(5) end
      if host:sub(-1) == '.' then host = host:sub(1, -2) end
      if host == '' then return nil end
      local p, q = path, nil
      cut = path:find('?', 1, true)
      if cut then p, q = path:sub(1, cut - 1), path:sub(cut + 1) end
      p = p:gsub('/index%.html?$', '')
      local n = #p
      while n > 0 and p:byte(n) == 47 do n = n - 1 end
      p = p:sub(1, n)
      if not q or q == '' then return host .. p end
      local params = {}
      for kv in q:gmatch('[^&;]+') do
        local key = kv:match('^[^=]*'):lower()
        if not key:match('^utm_') and not tracking[key] then params[#params + 1] = kv end
      end
      table.sort(params)
      return host .. p .. (#params > 0 and ('?' .. table.concat(params, '&')) or '')
    end
    local links = {}
    local list = io.popen('find ' .. helper.root .. '/tests/fixtures/feeds ' .. helper.root
      .. '/../shared/conformance/feedparser/cases -type f 2>/dev/null | sort')
    for path in list:lines() do
      local f = parse.feed(assert(io.open(path, 'rb')):read('a'), { url = 'http://example.org/' })
      for _, e in ipairs(f and f.entries or {}) do links[#links + 1] = e.link end
    end
    list:close()
    local bits = { 'http', 'HTTPS', 'ftp', 'h+t.t-p', '1', '://', ':/', '/', '//', 'www.', 'WWW.', 'Host', '.', '@',
      'u:p@', ':80', ':443', ':8080', ':', '/index.html', '/index.htm', '/INDEX.HTML', '?', '#', '&', ';', '=',
      'utm_source=x', 'UTM_Medium', 'fbclid=1', 'Fbclid', 'a=1', 'b', 'Z=9', '\0', '\195\169', ' ', '%2F' }
    math.randomseed(5)
    for _ = 1, 20000 do
      local parts = { ({ 'http://', 'https://', 'HTTP://', '' })[math.random(4)] }
      for i = 2, math.random(1, 14) do parts[i] = bits[math.random(#bits)] end
      links[#links + 1] = table.concat(parts)
    end
    local keys = 0
    for _, link in ipairs(links) do
      local want = reference(link)
      assert.equals(want, shown.link_key(link), link)
      if want then keys = keys + 1 end
    end
    assert.truthy(#links > 20000 and keys > 5000, #links .. ' links, ' .. keys .. ' keys')
  end)
end)

describe('orrery.config', function()
  it('fills defaults and resolves paths against the config directory', function()
    local cfg = config.validate({ name = 'P', feeds = { { url = 'feeds/a.xml' }, { url = 'https://e.org/f' } } }, '/srv/planet')
    assert.equals(16, cfg.concurrency)
    assert.equals('/srv/planet/out', cfg.output_dir)
    assert.equals('file:///srv/planet/feeds/a.xml', cfg.feeds[1].url)
    assert.equals('https://e.org/f', cfg.feeds[2].name)
  end)
  it('rejects unknown keys and wrong types with their path', function()
    assert.has_error(function() config.validate({ nmae = 'x' }, '.') end, 'config: unknown key nmae')
    assert.has_error(function() config.validate({ feeds = { { url = 'x', recipee = 'y' } } }, '.') end,
      'config: unknown key feeds[1].recipee')
    assert.has_error(function() config.validate({ concurrency = 'many' }, '.') end,
      'config: concurrency must be a number, not a string')
    assert.has_error(function() config.validate({ feeds = { {} } }, '.') end, 'config: feeds[1].url is required')
    assert.has_error(function() config.validate({ feeds = { { url = 'a' }, { url = 'a' } } }, '.') end)
  end)
end)

describe('orrery.template', function()
  it('escapes <%= %>, keeps <%- %> raw and runs <% %> code', function()
    local render = assert(template.compile('<% for _, x in ipairs(xs) do %><%= x %>|<%- x %>\n<% end %>', 't'))
    assert.equals('&lt;b&gt;|<b>\n&amp;|&\n', render({ xs = { '<b>', '&' } }))
  end)
  it('reports an unclosed tag', function()
    local r, err = template.compile('<%= x', 'bad.etlua')
    assert.is_nil(r)
    assert.matches('bad.etlua: unclosed', err)
  end)
  it('names the template\'s own line in an error, when it compiles and when it runs', function()
    local r, err = template.compile('line 1\nline 2 <% if then %>\n', 'syntax.etlua')
    assert.is_nil(r)
    assert.matches('syntax.etlua:2:', err, 1, true)
    local run = assert(template.compile('a\n<% for i = 1, 2 do %>\nx<%= i %>\n<% end %>\nb\n<%= nope.y %>\n', 'run.etlua'))
    local ok, rerr = pcall(run, {})
    assert.is_false(ok)
    assert.matches('run.etlua:6:', rerr, 1, true)
  end)
  it('keeps what a render sets to itself: each render starts from the context', function()
    local render = assert(template.compile('<% n = (n or 0) + 1 %><%= n %> <%= name %>', 't'))
    assert.equals('1 A', render({ name = 'A' }))
    assert.equals('1 B', render({ name = 'B' }))
  end)
end)

describe('orrery._util', function()
  it('parses dates to UTC seconds and refuses what is not a date', function()
    assert.equals(1072986501, cutil.date('Thu, 01 Jan 2004 19:48:21 GMT'))
    assert.equals(1072986501, cutil.date('2004-01-01T20:48:21+01:00'))
    assert.is_falsy(cutil.date('not a date'))
  end)
  it('hashes stably', function()
    assert.equals(cutil.hash('abc'), cutil.hash('abc'))
    assert.not_equals(cutil.hash('abc'), cutil.hash('abd'))
    assert.matches('^%x+$', cutil.hash(''))
    -- entry ids are made with it: the value itself may never change (an FNV-1a whose offset
    -- basis is one digit short of the published one, kept as it is for that reason)
    assert.equals('e16801510db89efd', cutil.hash('abc'))
  end)
  it('digests pieces of text fast, telling any change apart, stably across runs', function()
    assert.equals('#79882d34bd388bc7', cutil.digest('abc'))       -- stored: may never change either
    assert.equals(cutil.digest(''), cutil.digest(nil))
    assert.not_equals(cutil.digest('abc'), cutil.digest('ab', 'c'))   -- pieces do not slide
    assert.not_equals(cutil.digest('a', ''), cutil.digest('', 'a'))
    assert.equals(cutil.digest('123'), cutil.digest(123))
    local base = string.rep('0123456789abcdef', 5) .. 'xyz'
    local seen = { [cutil.digest(base)] = true }
    for i = 1, #base do                                           -- every byte, in a word or the tail
      local d = cutil.digest(base:sub(1, i - 1) .. '!' .. base:sub(i + 1))
      assert.is_nil(seen[d])
      seen[d] = true
    end
    assert.matches('^#%x+$', cutil.digest(base))
    assert.equals(17, #cutil.digest(base))
  end)
end)
