--- orrery.replay: record a site once, then develop and keep a recipe working without it.
---
--- `orrery record FEED DIR` saves what a refresh of one feed reads: its document (a feed,
--- or the index page a scrape recipe reads) and the article pages its full_article entries
--- link to, with DIR/manifest.lua mapping each URL to its file.  `orrery test` runs recipe
--- test files (NAME_test.lua) against such recordings: the same pipeline as a refresh
--- (orrery.planet.build, the recipe in its sandbox, orrery.article), with the network
--- replaced by the recorded files.  A test file returns
---
---   { recipe = 'name', fixtures = 'fixtures/name', options = {...}, full_article = true,
---     tests = { ['what it checks'] = function(feed, t) t.equal(#feed.entries, 20) end, ... } }
---
--- t has ok(v, msg), equal(got, want, msg), match(s, pattern, msg), no_match(s, pattern, msg)
--- and complete(feed) (every entry has a title and an http(s) link).
local article = require('orrery.article')
local cfs = require('orrery._fs')
local fetch = require('orrery.fetch')
local planet = require('orrery.planet')
local recipe = require('orrery.recipe')
local util = require('orrery.util')

local M = {}

-- A file name for a URL: its host and path made safe, short, and unique by a hash.
local function file_name(url, n)
  local base = url:gsub('^%a+://', ''):gsub('[?#].*$', ''):gsub('[^%w.-]+', '-'):gsub('^-+', ''):gsub('-+$', '')
  base = base:sub(-60):gsub('^[.-]+', '')
  return string.format('%02d-%s-%s', n, base ~= '' and base or 'page', require('orrery._util').hash(url):sub(1, 8))
end

local lua_string = util.lua_literal

-- The manifest: return { feed = URL, recorded = date, documents = { [URL] = { file, content_type } } }.
local function write_manifest(dir, m)
  local out = { '-- recorded by `orrery record`: what each URL answered (the files beside this one)',
    'return {', '  feed = ' .. lua_string(m.feed) .. ',', '  recorded = ' .. lua_string(m.recorded) .. ',',
    '  documents = {' }
  local urls = {}
  for u in pairs(m.documents) do urls[#urls + 1] = u end
  table.sort(urls)
  for _, u in ipairs(urls) do
    local d = m.documents[u]
    out[#out + 1] = string.format('    [%s] = { file = %s%s%s },', lua_string(u), lua_string(d.file),
      d.content_type and (', content_type = ' .. lua_string(d.content_type)) or '',
      d.final_url and (', final_url = ' .. lua_string(d.final_url)) or '')
  end
  out[#out + 1] = '  },'
  out[#out + 1] = '}'
  local ok, err = cfs.write(dir .. '/manifest.lua', table.concat(out, '\n') .. '\n')
  if not ok then util.fail('cannot write ' .. err, 'write') end
end

--- Read DIR/manifest.lua.  Returns the manifest or nil, err.
function M.manifest(dir)
  local chunk, err = loadfile(dir .. '/manifest.lua', 't', {})
  if not chunk then return nil, err end
  local ok, m = pcall(chunk)
  if not ok or type(m) ~= 'table' or type(m.documents) ~= 'table' or type(m.feed) ~= 'string' then
    return nil, dir .. '/manifest.lua: not a recording (orrery record writes one)'
  end
  return m
end

-- The article pages a feed's entries would have fetched: { entry, url }, at most cfg.article_limit.
local function article_links(cfg, fc, r, feed)
  local mode = article.mode(fc, r)
  local out = {}
  if not mode then return out end
  for _, e in ipairs(feed.entries) do
    if #out >= cfg.article_limit then break end
    if e.link and (mode == 'always' or article.is_teaser(e)) and article.may_fetch(cfg, e.link, fc, nil) then
      out[#out + 1] = { entry = e, url = e.link }
    end
  end
  return out
end

--- Record feed fc into dir: its document and the article pages its entries link to.
--- Returns { documents = n, articles = n, failed = { {url, err} }, feed = built feed } or
--- nil, err.
function M.record(cfg, fc, dir)
  local mk, merr = cfs.mkdirs(dir)
  if not mk then return nil, merr end
  local req = planet.http(fc, nil, { url = fc.url })
  local res = fetch.each({ req }, cfg)()
  if res.err then return nil, fc.url .. ': ' .. res.err end
  if res.status < 200 or res.status > 299 then return nil, fc.url .. ': HTTP ' .. res.status end
  local m = { feed = fc.url, recorded = os.date('!%Y-%m-%dT%H:%M:%SZ'), documents = {} }
  local n = 0
  local function save(url, r)
    n = n + 1
    local name = file_name(url, n)
    local ok, err = cfs.write(dir .. '/' .. name, r.body)
    if not ok then util.fail('cannot write ' .. err, 'write') end
    m.documents[url] = { file = name, content_type = r.content_type,
      final_url = r.final_url ~= url and r.final_url or nil }
  end
  save(fc.url, res)
  local out = { documents = 1, articles = 0, failed = {} }
  local r
  if fc.recipe then
    local err
    r, err = recipe.load(fc.recipe, recipe.dirs(cfg))
    if not r then return nil, err end
  end
  local feed, berr = planet.build(fc, res.body, res, cfg)
  if not feed then
    write_manifest(dir, m)
    return nil, 'recorded the document, but it gives no feed: ' .. berr
  end
  out.feed = feed
  local reqs = {}
  for _, a in ipairs(article_links(cfg, fc, r, feed)) do
    reqs[#reqs + 1] = planet.http(fc, nil, { url = a.url })
    reqs[#reqs].guard = article.guard(fc, nil)
  end
  for ares in fetch.each(reqs, cfg) do
    local url = ares.req.url
    if ares.err or ares.status < 200 or ares.status > 299 then
      out.failed[#out.failed + 1] = { url = url, err = ares.err or ('HTTP ' .. ares.status) }
    else
      save(url, ares)
      out.articles = out.articles + 1
    end
  end
  write_manifest(dir, m)
  return out
end

--- Build feed fc from the recording in dir, as a refresh would: the recipe on the recorded
--- document, then the articles of its entries from the recorded pages.  Returns the feed
--- (feed.missing: article URLs the recording lacks) or nil, err.
function M.build(cfg, fc, dir)
  local m, err = M.manifest(dir)
  if not m then return nil, err end
  local function body_of(url)
    local d = m.documents[url]
    if not d then return nil end
    local body = cfs.read(dir .. '/' .. d.file)
    return body, d
  end
  local body, d = body_of(m.feed)
  if not body then return nil, dir .. ': the recording has no document for its feed ' .. m.feed end
  fc = util.copy(fc)
  fc.url = fc.url or m.feed
  local res = { url = m.feed, final_url = d.final_url or m.feed, content_type = d.content_type, status = 200 }
  local feed, berr = planet.build(fc, body, res, cfg)
  if not feed then return nil, berr end
  local r
  if fc.recipe then r = assert(recipe.load(fc.recipe, recipe.dirs(cfg))) end
  feed.missing = {}
  for _, a in ipairs(article_links(cfg, fc, r, feed)) do
    local page, pd = body_of(a.url)
    if page then
      local final = pd.final_url or a.url
      local ctx = { url = final, name = fc.name, options = fc.options or {}, html = require('orrery.sandbox').html }
      local html = article.extract(page, final, r, a.entry, cfg, ctx, pd.content_type)
      if html then article.merge(a.entry, html) end
    else
      feed.missing[#feed.missing + 1] = a.url
    end
  end
  return feed
end

--------------------------------------------------------------------------------------
-- recipe tests

local function checker(failures)
  local t = {}
  local function fail(msg, default)
    failures[#failures + 1] = msg and (msg .. ': ' .. default) or default
  end
  function t.ok(v, msg) if not v then fail(msg, 'expected a true value, got ' .. tostring(v)) end return v end
  function t.equal(got, want, msg)
    if got ~= want then fail(msg, string.format('expected %s, got %s', tostring(want), tostring(got))) end
  end
  function t.match(s, pat, msg)
    if type(s) ~= 'string' or not s:find(pat) then
      fail(msg, string.format('%q does not match %q', tostring(s):sub(1, 200), pat))
    end
  end
  function t.no_match(s, pat, msg)
    if type(s) == 'string' and s:find(pat) then
      fail(msg, string.format('%q matches %q', s:sub(1, 200), pat))
    end
  end
  -- every entry of feed has a title and an http(s) link: what a page needs of an entry
  function t.complete(feed)
    for i, e in ipairs(feed.entries) do
      t.ok(e.title and e.title ~= '', 'entry ' .. i .. ': a title')
      t.match(e.link, '^https?://', 'entry ' .. i .. ': a link')
    end
  end
  return t
end

--- Run one test file.  Returns { file, results = { {name, ok, failures} } } or nil, err.
---@param path string a NAME_test.lua file
---@param cfg table planet config (budgets, limits); recipes are looked up beside the file
function M.run_file(path, cfg)
  local chunk, err = loadfile(path, 't', setmetatable({}, { __index = _G }))
  if not chunk then return nil, err end
  local ok, spec = pcall(chunk)
  if not ok then return nil, path .. ': ' .. tostring(spec) end
  if type(spec) ~= 'table' or type(spec.recipe) ~= 'string' or type(spec.fixtures) ~= 'string'
      or type(spec.tests) ~= 'table' then
    return nil, path .. ': a recipe test returns { recipe = NAME, fixtures = DIR, tests = { [name] = fn } }'
  end
  local dir = util.dirname(path)
  local c = util.copy(cfg)
  c.recipes_dir = dir                         -- the recipe beside its test (then orrery's own)
  local fc = { name = spec.name or spec.recipe, recipe = spec.recipe, options = spec.options or {},
    full_article = spec.full_article, link = spec.link }
  local fok, feed, ferr = pcall(M.build, c, fc, util.join(dir, spec.fixtures))
  local out = { file = path, results = {} }
  local names = {}
  for name in pairs(spec.tests) do names[#names + 1] = name end
  table.sort(names)
  if not fok or not feed then
    local why = tostring(fok and ferr or feed)
    for _, name in ipairs(names) do out.results[#out.results + 1] = { name = name, ok = false, failures = { why } } end
    if #names == 0 then out.results[1] = { name = '(the recipe on its recording)', ok = false, failures = { why } } end
    return out
  end
  for _, name in ipairs(names) do
    local failures = {}
    local tok, terr = pcall(spec.tests[name], feed, checker(failures))
    if not tok then failures[#failures + 1] = tostring(terr) end
    out.results[#out.results + 1] = { name = name, ok = #failures == 0, failures = failures }
  end
  return out
end

--- The test files under paths (files named *_test.lua, or directories searched for them).
function M.find_tests(paths)
  local out = {}
  local function walk(p)
    local st = cfs.stat(p)
    if st and st.type == 'directory' then
      local names = cfs.list(p) or {}
      table.sort(names)
      for _, n in ipairs(names) do
        if not n:match('^%.') then walk(p .. '/' .. n) end
      end
    elseif st and p:match('_test%.lua$') then
      out[#out + 1] = p
    end
  end
  for _, p in ipairs(paths) do walk(p) end
  return out
end

-- A title as part of a test's name: no quotes or brackets, cut at a word near 40 characters.
local function short_name(title)
  local s = title:gsub('[%c\'\\%]%[]', '')
  if #s <= 40 then return s end
  return (s:sub(1, 40):match('^(.*%S)%s') or s:sub(1, 40)) .. '...'
end

--- A first test file for a recipe and its recording, from what the recipe gives now: the
--- recipe's author edits it to say what must stay true.
function M.starter(name, fixtures_rel, fc, feed)
  local lines = {
    '-- The recipe ' .. name .. ' on its recording (orrery record); orrery test runs it.',
    '-- Written from what the recipe gave when it was recorded: edit it to say what must stay true.',
    'return {',
    '  recipe = ' .. lua_string(name) .. ',',
    '  fixtures = ' .. lua_string(fixtures_rel) .. ',',
  }
  if fc.full_article ~= nil then lines[#lines + 1] = '  full_article = ' .. lua_string(fc.full_article) .. ',' end
  if fc.options and next(fc.options) then lines[#lines + 1] = '  options = ' .. lua_string(fc.options) .. ',' end
  lines[#lines + 1] = '  tests = {'
  lines[#lines + 1] = string.format("    ['gives %d entries'] = function(feed, t) t.equal(#feed.entries, %d) end,",
    #feed.entries, #feed.entries)
  lines[#lines + 1] = "    ['every entry has a title and a link'] = function(feed, t) t.complete(feed) end,"
  if feed.entries[1] and feed.entries[1].title then
    lines[#lines + 1] = string.format("    ['the newest is %s'] = function(feed, t)\n"
      .. '      t.equal(feed.entries[1].title, %s)\n    end,',
      short_name(feed.entries[1].title), lua_string(feed.entries[1].title))
  end
  lines[#lines + 1] = '  },'
  lines[#lines + 1] = '}'
  return table.concat(lines, '\n') .. '\n'
end

return M
