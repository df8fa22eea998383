local cfetch = require('orrery._fetch')
local helper = require('helper')

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

  it("keeps to the per-host limit, and a waiting transfer's clock does not run", function()
    local reqs = {}
    for i = 1, 4 do reqs[i] = { url = srv.url('slow/400/alpha.rss?' .. i) } end
    local t0 = require('orrery._util').clock()
    local out = fetch_all(reqs, { parallel = 8, per_host = 1, timeout = 1 })
    local took = require('orrery._util').clock() - t0
    for i = 1, 4 do assert.equals(200, out[i].status, out[i].err) end
    assert.is_true(took >= 1.6, 'one at a time: ' .. took)
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
