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
        { 'del\127' }, { 'a', 2 } }) do
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
