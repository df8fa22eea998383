local cfetch = require('orrery._fetch')
local helper = require('helper')

local function alpha()   -- the fixture server's alpha.rss, as it is on disk
  local f = assert(io.open(helper.root .. '/tests/fixtures/http/alpha.rss', 'rb'))
  local s = f:read('a')
  f:close()
  return s
end

describe('orrery._fetch against a loopback server', function()
  local srv
  setup(function() srv = helper.server(helper.root .. '/tests/fixtures/http') end)
  teardown(function() srv.stop() end)

  local function fetch_all(reqs, opts)
    local batch = cfetch.start(reqs, opts or { parallel = 4, timeout = 10 })
    local out = {}
    for res in function() return batch:next() end do out[res.index] = res end
    batch:close()
    return out
  end

  it('fetches many URLs at once and hands each result back once', function()
    local reqs = {}
    for i = 1, 12 do reqs[i] = { url = srv.url(i % 2 == 0 and 'alpha.rss' or 'beta.atom') } end
    local out = fetch_all(reqs)
    for i = 1, 12 do
      assert.equals(200, out[i].status)
      assert.matches(i % 2 == 0 and '<rss' or '<feed', out[i].body)
      assert.is_string(out[i].etag)
    end
  end)

  it('makes conditional requests with stored validators and gets 304', function()
    local first = fetch_all({ { url = srv.url('alpha.rss') } })[1]
    local again = fetch_all({ { url = srv.url('alpha.rss'), etag = first.etag } })[1]
    assert.equals(304, again.status)
    local lm = fetch_all({ { url = srv.url('alpha.rss'), last_modified = first.last_modified } })[1]
    assert.equals(304, lm.status)
  end)

  it('follows redirects and reports only permanent ones as moves', function()
    local out = fetch_all({ { url = srv.url('moved/alpha.rss') }, { url = srv.url('found/alpha.rss') } })
    assert.equals(200, out[1].status)
    assert.equals(srv.url('alpha.rss'), out[1].moved_to)
    assert.equals(200, out[2].status)
    assert.is_nil(out[2].moved_to)
  end)

  it("sends a request's own credentials to its host only: a redirect to another host gets none", function()
    srv.reset()
    local elsewhere = string.format('http://localhost:%d/alpha.rss', srv.port)   -- (another host name)
    local out = fetch_all({ { url = srv.url('auth/jo/pw/redirect?to=' .. elsewhere), userpwd = 'jo:pw',
      cookie = 'session=abc', headers = { ['X-Trace'] = 't-1' }, user_agent = 'Mine/2' } })
    assert.equals(200, out[1].status)
    local first, second
    for _, r in ipairs(srv.stats()) do
      if r.path:find('^/auth/') then first = r elseif r.path == '/alpha.rss' then second = r end
    end
    assert.matches('^Basic ', first.headers.authorization)
    assert.equals('session=abc', first.headers.cookie)
    assert.equals('Mine/2', first.headers['user-agent'])
    assert.equals('localhost:' .. srv.port, second.headers.host)
    assert.is_nil(second.headers.authorization)
    assert.is_nil(second.headers.cookie)
    -- (other headers follow a redirect, as libcurl sends them: docs/fetching.md says so)
    assert.equals('t-1', second.headers['x-trace'])
  end)

  it('ends each fault with a clear error and leaves the other transfers alone', function()
    local out = fetch_all({
      { url = srv.url('loop') },
      { url = srv.url('big/2000000') },
      { url = srv.url('bomb') },
      { url = srv.url('slow/3000/alpha.rss') },
      { url = 'http://127.0.0.1:1/refused' },
      { url = srv.url('status/404') },
      { url = srv.url('alpha.rss') },
    }, { parallel = 8, timeout = 1.5, max_bytes = 1000000 })
    assert.matches('redirect', out[1].err)
    assert.matches('limit', out[2].err)
    assert.matches('limit', out[3].err)
    assert.matches('timed out', out[4].err)
    assert.is_string(out[5].err)
    assert.equals(404, out[6].status)
    assert.equals(200, out[7].status)
  end)

  it('decodes gzip and deflate bodies itself, and keeps the gzip bytes only when they are the body', function()
    local plain = alpha()
    local cutil = require('orrery._util')
    local out = fetch_all({
      { url = srv.url('encoded/gzip/alpha.rss') },
      { url = srv.url('encoded/deflate/alpha.rss') },
      { url = srv.url('encoded/rawdeflate/alpha.rss') },
      { url = srv.url('encoded/gzipjunk/alpha.rss') },
      { url = srv.url('encoded/cutgzip/alpha.rss') },
      { url = srv.url('encoded/br/alpha.rss') },
      { url = srv.url('alpha.rss') },
      { url = srv.url('encoded/utf-8/alpha.rss') },
    })
    for i = 1, 4 do assert.equals(plain, out[i].body) end
    -- the server's gzip of the body, as sent: what a kept document stores
    assert.is_true(#out[1].body_gzip < #plain)
    assert.equals(plain, cutil.inflate(out[1].body_gzip, #plain))
    assert.equals(plain, cutil.inflate(out[7].body_gzip, #plain))   -- (the file server gzips when asked)
    assert.is_nil(out[2].body_gzip)                       -- deflate: not gzip
    assert.is_nil(out[4].body_gzip)                       -- bytes after the stream: not the body's copy
    -- cut short: what decoded is the body (as for a plain body cut short), and nothing is kept
    assert.equals(200, out[5].status)
    assert.equals(plain:sub(1, #out[5].body), out[5].body)
    assert.is_nil(out[5].body_gzip)
    assert.equals('unsupported Content-Encoding: br', out[6].err)
    assert.equals(plain, out[8].body)                    -- a header naming no compression: as is
  end)

  it('decodes a compressed body of many reads as one (decoded when it has all come)', function()
    local cutil = require('orrery._util')
    local dir = helper.tmpdir()
    local words, items = { 'planet', 'orbit', 'feed', 'entry', 'Ceres', 'Vesta', 'comet', 'ring' }, {}
    math.randomseed(3)
    for i = 1, 3000 do
      local w = {}
      for j = 1, 12 do w[j] = words[math.random(#words)] .. math.random(1000) end
      items[i] = '<item><title>' .. i .. '</title><description>' .. table.concat(w, ' ') .. '</description></item>'
    end
    local raw = '<rss version="2.0"><channel><title>Big</title>' .. table.concat(items) .. '</channel></rss>'
    assert(require('orrery._fs').write(dir .. '/big.rss', raw))
    local big = helper.server(dir)
    local out = fetch_all({ { url = big.url('encoded/gzip/big.rss') }, { url = big.url('encoded/deflate/big.rss') },
      { url = big.url('encoded/gzipjunk/big.rss') }, { url = big.url('encoded/cutgzip/big.rss') } })
    local capped = fetch_all({ { url = big.url('encoded/gzip/big.rss') } },
      { parallel = 1, timeout = 10, max_bytes = #raw - 1 })[1]
    big.stop()
    assert.is_true(#out[1].body_gzip > 100000)            -- (many reads of libcurl's)
    for i = 1, 3 do assert.equals(raw, out[i].body, i) end
    assert.equals(raw, cutil.inflate(out[1].body_gzip, #raw))
    assert.is_nil(out[3].body_gzip)
    assert.is_true(#out[4].body > 100000 and #out[4].body < #raw)   -- cut short: what decoded
    assert.equals(raw:sub(1, #out[4].body), out[4].body)
    assert.matches('larger than the ' .. (#raw - 1) .. ' byte limit', capped.err)
  end)

  it('reads a body its server mislabels: said gzip but sent plain, compressed twice, or gzip without saying so', function()
    -- feedparser and browsers' users read such feeds; each was "does not decode" or "not a feed"
    local plain = alpha()
    local reqs = {}
    for i, how in ipairs({ 'liegzip', 'twice', 'gzfile', 'liegarbage' }) do
      reqs[i] = { url = srv.url('encoded/' .. how .. '/alpha.rss') }
    end
    local out = fetch_all(reqs)
    for i = 1, 3 do
      assert.equals(plain, out[i].body, i)
      assert.is_nil(out[i].body_gzip, i)                 -- not the body's own gzip
    end
    assert.equals('the gzip body does not decode: incorrect header check', out[4].err)
  end)

  it('caps a compressed body by what it decodes to, the limit itself included', function()
    local plain = alpha()
    local exact = fetch_all({ { url = srv.url('encoded/gzip/alpha.rss') } },
      { parallel = 1, timeout = 10, max_bytes = #plain })[1]
    assert.equals(plain, exact.body)
    local over = fetch_all({ { url = srv.url('encoded/gzip/alpha.rss') } },
      { parallel = 1, timeout = 10, max_bytes = #plain - 1 })[1]
    assert.matches('larger than the ' .. (#plain - 1) .. ' byte limit', over.err)
  end)

  it('reuses a connection for the feeds of one host, and keeps none for a host asked once', function()
    srv.reset()
    local out = fetch_all({ { url = srv.url('alpha.rss') }, { url = srv.url('beta.atom') }, { url = srv.url('alpha.rss') },
      { url = string.format('http://localhost:%d/beta.atom', srv.port) } }, { parallel = 1, timeout = 10 })
    for i = 1, 4 do assert.equals(200, out[i].status) end
    local ports = {}
    for _, r in ipairs(srv.stats()) do
      -- (a stalled request of an earlier test may still end meanwhile)
      if r.path == '/alpha.rss' or r.path == '/beta.atom' then ports[#ports + 1] = r.port end
    end
    assert.equals(4, #ports)
    assert.equals(ports[1], ports[2])                 -- one connection for the three of 127.0.0.1
    assert.equals(ports[1], ports[3])
    assert.not_equals(ports[1], ports[4])
  end)

  it("keeps to the per-host limit, and a waiting transfer's clock does not run", function()
    local reqs = {}
    for i = 1, 4 do reqs[i] = { url = srv.url('slow/400/alpha.rss?' .. i) } end
    local t0 = require('orrery._util').clock()
    local out = fetch_all(reqs, { parallel = 8, per_host = 1, timeout = 1 })
    local took = require('orrery._util').clock() - t0
    for i = 1, 4 do assert.equals(200, out[i].status, out[i].err) end
    assert.is_true(took >= 1.6, 'one at a time: ' .. took)
  end)

  it("has one queue: a feed behind two stalled ones on its host is fetched in its own time", function()
    -- per_host = 2: the quick feed waits in orrery's queue until a stalled one gives up at its
    -- 2 s timeout, then is handed to libcurl and fetched at once; nothing parks it in libcurl
    -- with its clock running (CURLMOPT_MAX_HOST_CONNECTIONS, CURLOPT_PIPEWAIT did)
    srv.reset()
    local out = fetch_all({ { url = srv.url('slow/6000/alpha.rss?a') }, { url = srv.url('slow/6000/alpha.rss?b') },
      { url = srv.url('beta.atom?quick') } }, { parallel = 8, per_host = 2, timeout = 2 })
    assert.matches('timed out', out[1].err)
    assert.matches('timed out', out[2].err)
    local q = out[3]
    assert.equals(200, q.status, q.err)
    assert.matches('<feed', q.body)
    assert.is_true(q.wait >= 1.5, 'waited ' .. q.wait .. ' s')           -- behind a 2 s timeout
    assert.is_true(q.seconds < q.wait, string.format('transfer %.3f s, wait %.3f s', q.seconds, q.wait))
  end)

  it('fetches every feed of a host past stalls, quick feeds and a server that hangs up', function()
    srv.reset()
    local paths = { 'slow/6000/alpha.rss?s1', 'alpha.rss?q1', 'beta.atom?q2', 'cut-headers', 'slow/6000/alpha.rss?s2',
      'alpha.rss?q3', 'beta.atom?q4', 'alpha.rss?q5', 'lie/alpha.rss', 'beta.atom?q6' }
    local reqs = {}
    for i, p in ipairs(paths) do reqs[i] = { url = srv.url(p) } end
    local out = fetch_all(reqs, { parallel = 8, per_host = 2, timeout = 2 })
    local seen = {}
    for _, path in ipairs(srv.arrivals()) do seen[path] = true end
    for i, p in ipairs(paths) do
      assert.is_true(seen['/' .. p], 'the server never saw ' .. p)
      if p:match('%?q') then
        assert.equals(200, out[i].status, p .. ': ' .. tostring(out[i].err))
        assert.is_nil(out[i].err)
      elseif p:match('^slow') then
        assert.matches('timed out', out[i].err)
      else                                      -- hung up: an error, or nothing in the body
        assert.is_true(out[i].err ~= nil or (out[i].body or '') == '', p)
      end
    end
  end)

  it('refuses private addresses for a guarded request, except on the hosts it names', function()
    local own = srv.url('alpha.rss')
    local other = own:gsub('127%.0%.0%.1', 'localhost')         -- a name that resolves to loopback
    srv.reset()
    local out = fetch_all({
      { url = own, guard = own },
      { url = other, guard = own },
      { url = srv.url('redirect?to=' .. other), guard = own },  -- its own host, redirected to another
      { url = srv.url('redirect?to=' .. srv.url('beta.atom')), guard = own },
      { url = other },                                           -- no guard: a feed the planet chose
      -- nothing listens there: refused before connecting, not "could not connect" (what a
      -- feed's redirects could learn of the planet's network from its health page)
      { url = srv.url('redirect?to=' .. own:gsub('127%.0%.0%.1', '127.0.0.2')), guard = own },
      { url = srv.url('redirect?to=' .. own:gsub('127%.0%.0%.1', '[::1]')), guard = own },
    })
    assert.equals(200, out[1].status)
    -- (localhost is 127.0.0.1 and ::1: whichever libcurl tried last is named)
    assert.matches('refused: localhost:%d+ is on a private address: only', out[2].err)
    -- not which one: the health page is public, and a name's address tells of the network
    assert.is_nil(out[2].err:find('127.0.0.1', 1, true) or out[2].err:find('::1', 1, true))
    assert.matches('refused: localhost', out[3].err)
    assert.is_nil(out[3].body)
    assert.equals(200, out[4].status)
    assert.equals(200, out[5].status)
    assert.matches('^refused: 127%.0%.0%.2:%d+ is on a private address: only', out[6].err)
    assert.matches('^refused: %[::1%]:%d+ is on a private address: only', out[7].err)
    local asked = 0
    for _, r in ipairs(srv.stats()) do if r.path == '/alpha.rss' then asked = asked + 1 end end
    assert.equals(2, asked)                     -- the refused ones never sent their request
  end)

  it('through a proxy, refuses the hosts that resolve to private addresses, not the proxy\'s own', function()
    -- the test server answers as a proxy too (on loopback, as a site's own proxy often is):
    -- what the proxy reaches is the host's address, so that is the one checked
    local proxy = srv.url('')
    local own = 'http://feeds.invalid/alpha.rss'
    local port = proxy:match(':(%d+)/')
    srv.reset()
    local out = fetch_all({
      { url = own, guard = own, proxy = proxy },
      { url = 'http://elsewhere.invalid/beta.atom', guard = own, proxy = proxy },    -- no address here: the proxy's
      { url = 'http://127.0.0.1:' .. port .. '/alpha.rss?ip', guard = own, proxy = proxy },
      { url = 'http://localhost:' .. port .. '/alpha.rss?name', guard = own, proxy = proxy },
      { url = 'http://[::1]:' .. port .. '/alpha.rss?v6', guard = own, proxy = proxy },
      { url = 'http://2130706433:' .. port .. '/alpha.rss?dec', guard = own, proxy = proxy },
      { url = 'http://10.1.2.3/alpha.rss?ten', guard = own, proxy = proxy },
      { url = 'http://feeds.invalid/redirect?to=http://169.254.169.254/latest/meta-data/', guard = own, proxy = proxy },
      { url = 'http://feeds.invalid/redirect?to=http://elsewhere.invalid/beta.atom', guard = own, proxy = proxy },
      { url = 'http://127.0.0.1:' .. port .. '/alpha.rss?unguarded', proxy = proxy },
    })
    assert.equals(200, out[1].status, out[1].err)
    assert.equals(200, out[2].status, out[2].err)
    for i = 3, 8 do
      assert.matches('^refused: .* is on a private address', out[i].err, 1, false, i)
      assert.is_nil(out[i].body, i)
    end
    assert.matches('refused: 169%.254%.169%.254:80 is on a private address: only', out[8].err)
    assert.equals(200, out[9].status, out[9].err)
    assert.equals(200, out[10].status, out[10].err)
    local asked = {}
    for _, r in ipairs(srv.stats()) do asked[#asked + 1] = r.path end
    asked = table.concat(asked, ' ')
    for _, q in ipairs({ '?ip', '?name', '?v6', '?dec', '?ten', ' /latest/' }) do
      assert.not_matches(q, asked, 1, true)                     -- never reached the proxy
    end
    assert.matches('unguarded', asked, 1, true)
  end)

  it('hands Lua nothing but UTF-8 of what a server sends in its headers', function()
    -- a 429's Retry-After of 0xFF bytes went into the held feeds' error, and from there into
    -- `refresh --json` (no longer JSON) and the database; an ETag or Content-Type alike
    srv.reset()
    local out = fetch_all({ { url = srv.url('badheaders/429') },
      { url = srv.url('badheaders/200'):gsub('127%.0%.0%.1', 'localhost') },       -- (another host: not held)
      { url = srv.url('alpha.rss') } }, { parallel = 1, per_host = 1, timeout = 10 })
    assert.equals(429, out[1].status)
    assert.equals(200, out[2].status)
    assert.equals('"??"', out[2].etag)
    assert.is_string(out[2].last_modified)
    assert.is_string(out[2].content_type)
    assert.is_true(out[3].held)
    for i = 1, 3 do
      for k, v in pairs(out[i]) do
        if type(v) == 'string' and k ~= 'body' then assert.is_not_nil(utf8.len(v), i .. ' ' .. k .. ': ' .. v) end
      end
    end
    assert.matches('Retry-After: ??? soon', out[3].err, 1, true)
  end)

  it('knows which addresses are private', function()
    local cutil = require('orrery._fetch')
    for _, ip in ipairs({ '127.0.0.1', '127.1.2.3', '10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.1.1',
        '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255', '::1', '::', 'fe80::1',
        'fc00::1', 'fd12:3456::1', '::ffff:127.0.0.1', '::ffff:10.1.2.3', '64:ff9b::a00:1', 'ff02::1', 'nonsense',
        '64:ff9b:1::7f00:1', '100::1' }) do
      assert.is_true(cutil.private(ip), ip)
    end
    for _, ip in ipairs({ '1.1.1.1', '8.8.8.8', '172.32.0.1', '100.128.0.1', '93.184.216.34', '2606:4700::1111',
        '::ffff:8.8.8.8', '64:ff9b::808:808', '100:0:0:1::1' }) do
      assert.is_false(cutil.private(ip), ip)
    end
  end)

  it('never speaks anything but http and https', function()
    local out = fetch_all({ { url = 'file:///etc/passwd' } })
    assert.is_string(out[1].err)
    assert.is_nil(out[1].body)
  end)

  it('caps local files like downloads', function()
    local dir = helper.tmpdir()
    assert(require('orrery._fs').write(dir .. '/big.xml', string.rep('x', 5000)))
    local fetch = require('orrery.fetch')
    local res = fetch.each({ { url = 'file://' .. dir .. '/big.xml' } }, { max_bytes = 1000 })()
    assert.matches('limit', res.err)
    res = fetch.each({ { url = 'file://' .. dir .. '/big.xml' } }, { max_bytes = 10000 })()
    assert.equals(5000, #res.body)
  end)

  it('raises on misuse', function()
    assert.has_error(function() cfetch.start({ { nourl = 1 } }) end)
    local b = cfetch.start({})
    b:close()
    assert.has_error(function() b:next() end, 'attempt to use a closed fetch batch')
  end)
end)

describe('orrery.fetch with a mirror map', function()
  local fetch = require('orrery.fetch')
  local config = require('orrery.config')
  local srv
  setup(function() srv = helper.server(helper.root .. '/tests/fixtures/http') end)
  teardown(function() srv.stop() end)

  it('fetches mapped URLs from the mirror and reports the real URLs', function()
    local dir = helper.root .. '/tests/fixtures'
    local cfg = assert(config.from_table({ feeds = {}, mirror = {
      ['https://feeds.example.org/'] = srv.url(''),
      ['https://feeds.example.org/moved/'] = srv.url('moved/'),   -- the longer prefix wins
      ['http://files.example.org/'] = 'http/',                     -- a local copy, beside the config
    } }, dir))
    local reqs = {
      { url = 'https://feeds.example.org/alpha.rss', n = 1 },
      { url = 'https://feeds.example.org/moved/beta.atom', n = 2 },
      { url = 'http://files.example.org/', n = 3 },                 -- a directory: its index.html
      { url = 'http://files.example.org/page.html', n = 4 },
      { url = srv.url('alpha.rss'), n = 5 },                        -- not mapped
    }
    local got = {}
    for res in fetch.each(reqs, cfg) do got[res.req.n] = res end
    assert.equals(200, got[1].status)
    assert.matches('<rss', got[1].body)
    assert.equals('https://feeds.example.org/alpha.rss', got[1].url)
    assert.equals('https://feeds.example.org/alpha.rss', got[1].final_url)
    assert.equals(reqs[1], got[1].req)                              -- the caller's own request
    assert.equals(200, got[2].status)
    assert.equals('https://feeds.example.org/beta.atom', got[2].final_url)   -- followed, mapped back
    assert.equals('https://feeds.example.org/beta.atom', got[2].moved_to)
    assert.matches('No such file', got[3].err)
    assert.equals(200, got[4].status)
    assert.equals('http://files.example.org/page.html', got[4].final_url)
    assert.equals(200, got[5].status)
    assert.equals('https://feeds.example.org/alpha.rss', reqs[1].url)        -- requests untouched
  end)

  it('refuses a mirror map that is not strings to strings', function()
    local cfg, err = config.from_table({ feeds = {}, mirror = { 'x' } }, '/')
    assert.is_nil(cfg)
    assert.matches('mirror maps URL prefixes', err)
  end)
end)
