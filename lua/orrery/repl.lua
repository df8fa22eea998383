--- orrery.repl: a Lua REPL over a planet — the third way orrery is used.
---
--- Like the standalone lua: a line is tried as `return <line>` first (so expressions print),
--- `=expr` works, and input whose syntax error ends at <eof> continues on the next line.
--- Errors print with a traceback and the REPL goes on.  On a terminal it uses readline
--- (history in $ORRERY_HISTORY or ~/.orrery_history, tab completion of globals, fields and
--- methods); from a pipe it reads chunks silently and prints results.
local json = require('orrery.json')
local pretty = require('orrery.pretty')
local query = require('orrery.query')
local util = require('orrery.util')

local M = {}

M.help_text = [==[
orrery repl — Lua 5.4 with the planet at hand.  Expressions print; =expr too.

  feeds()                         every feed, with entry counts
  feed(x)                         one feed row (id, URL, name or part of a name)
  entries{feed=, since=, until=, author=, tag=, limit=, order=}
                                  since='yesterday', '3 days ago', '2026-11-01'; order:
                                  'date' (newest first), 'oldest', 'title', 'feed'
  search('free threading' [, {limit=, feed=}])   full-text, best match first
  show(entry)                     one entry in full, HTML as text (show(list, i) too)
  help(fn)                        one function, with an example
  stats.by_feed()  stats.by_day([days])
  document(feed)                  the raw document of the feed's last refresh
  fetch_log([feed [, limit]])     the newest fetches
  refresh([feed])                 fetch, parse and store now (one feed, or all)
  try(feed [, recipe])            re-run a recipe on the stored document; shows what changes
                                  (:apply() stores it)
  why(link or id or title)        shown, or which rule hides it (dedupe, filter, ...)
  articles(feed)                  each entry's full article: who found it and its length, or why none
  render()                        write the pages
  orrery.*                        every module: parse, fetch, recipe, store, query, html, json...
  cfg, db                         the planet's config and its open store
Ctrl-D leaves.  See docs/repl.md.]==]

--- One text per REPL function: help(fn) prints it.
M.docs = {
  feeds = 'feeds()\n  every feed: name, URL, entries, newest entry.  Example: feeds()',
  feed = 'feed(x)\n  one feed row, by id, URL, name or a unique part of a name; its times as ISO 8601'
    .. ' (UTC and local).\n  Example: feed("python")',
  entries = 'entries{feed=, since=, until=, author=, tag=, limit=50, order="date"}\n  stored entries, newest first'
    .. ' (order: date, oldest, title, feed).\n  since/until: a date ("2026-11-01"), "today", "yesterday",'
    .. ' "3 days ago", "12h", or seconds.\n  Example: entries{feed="python", since="yesterday"}',
  search = 'search(words [, {limit=20, feed=}])\n  full-text search over titles, authors and text, best match'
    .. ' first.\n  Example: search("free threading", {limit = 5})',
  show = 'show(entry) or show(list, i)\n  one entry in full, its HTML as text.  Example: show(entries(), 1)',
  ['stats.by_feed'] = 'stats.by_feed()\n  entries per feed, with the newest and oldest.',
  ['stats.by_day'] = 'stats.by_day([days=30])\n  entries per day (UTC).',
  document = "document(feed)\n  the raw document of the feed's last refresh (kept for failing and recipe feeds,"
    .. ' or all with keep_documents).\n  Example: document("python").body:sub(1, 200)',
  fetch_log = 'fetch_log([feed [, limit=20]])\n  the newest fetches: status, bytes, wait in the queue, transfer'
    .. ' time, error.',
  refresh = 'refresh([feed])\n  fetch, parse and store now: one feed, or every feed.',
  try = 'try(feed [, recipe])\n  re-run the recipe (or another) on the stored document, storing nothing;'
    .. ' shows what it changes.\n  try(feed, recipe):apply() stores it (every kept document derived again).'
    .. '\n  Example: try("lwn", "strip-trailer"):apply()',
  render = "render()\n  write the planet's pages from what is stored.",
  articles = 'articles(feed)\n  the newest entries of a feed with full_article, and what became of each page: found by'
    .. ' the recipe or readability scoring (and its length), or why there is no article.'
    .. '\n  Example: articles("lin codes")',
  why = 'why(x)\n  whether the entry with link, id or title x is shown, and if not which rule keeps it off'
    .. ' (its feed, a filter, new_feed_items, dedupe, retention, a recipe).'
    .. '\n  Example: why("https://blog.example/post")',
  help = 'help() lists the API; help(fn) or help("name") explains one function.',
}

--- How a feed row prints in the REPL: every column, times as ISO 8601 in UTC and local time.
M.FeedRow = { __name = 'orrery.FeedRow' }
local time_columns = { last_attempt = true, last_success = true, next_attempt = true, failing_since = true }
M.FeedRow.__tostring = function(r)
  local keys = {}
  for k in pairs(r) do keys[#keys + 1] = k end
  table.sort(keys)
  local out = {}
  for _, k in ipairs(keys) do
    local v = r[k]
    if time_columns[k] and math.type(v) == 'integer' then
      v = os.date('!%Y-%m-%dT%H:%M:%SZ', v) .. os.date(' (%Y-%m-%d %H:%M %Z)', v)
    elseif k == 'etag' or k == 'doc_key' then
      v = tostring(v)
    end
    out[#out + 1] = string.format('  %-14s %s', k, tostring(v):gsub('\n', '\n' .. string.rep(' ', 17)))
  end
  return table.concat(out, '\n')
end

--- What changed between the entries of two builds of the same feed.
local Diff = { __name = 'orrery.Diff' }
Diff.__tostring = function(d)
  local out = {}
  local function add(...) out[#out + 1] = string.format(...) end
  add('recipe %s: %d entries without it, %d with it', d.recipe or '(none)', d.before, d.after)
  for _, e in ipairs(d.dropped) do add('  - dropped: %s', e.title or e.guid) end
  for _, e in ipairs(d.added) do add('  + added:   %s', e.title or e.guid) end
  for _, c in ipairs(d.changed) do
    add('  ~ %s', c.title or c.guid)
    for _, f in ipairs(c.fields) do
      -- show both from a little before where they start to differ
      local i = 1
      while i <= #f.before and f.before:byte(i) == f.after:byte(i) do i = i + 1 end
      local from = math.max(1, i - 20)
      while from > 1 and (f.before:byte(from) or 0) & 0xC0 == 0x80 do from = from - 1 end
      local lead = from > 1 and '…' or ''
      add('      %s: %s', f.name, pretty.cut(lead .. f.before:sub(from), 70))
      add('      %s  → %s', string.rep(' ', #f.name), pretty.cut(lead .. f.after:sub(from), 70))
    end
  end
  if #d.dropped + #d.added + #d.changed == 0 then add('  (no difference)') end
  return table.concat(out, '\n')
end

--- The entries two builds of one feed differ in (`orrery try` prints it too).
local function diff(a, b, recipe_name)
  local d = setmetatable({ recipe = recipe_name, before = #a.entries, after = #b.entries,
    dropped = {}, added = {}, changed = {} }, Diff)
  local by = {}
  for _, e in ipairs(b.entries) do by[e.guid] = e end
  local seen = {}
  for _, e in ipairs(a.entries) do
    local o = by[e.guid]
    seen[e.guid] = true
    if not o then
      d.dropped[#d.dropped + 1] = e
    else
      local fields = {}
      for _, k in ipairs({ 'title', 'link', 'author', 'summary', 'content', 'published', 'updated' }) do
        if e[k] ~= o[k] then
          fields[#fields + 1] = { name = k, before = tostring(e[k]), after = tostring(o[k]) }
        end
      end
      if #fields > 0 then d.changed[#d.changed + 1] = { guid = e.guid, title = e.title, fields = fields } end
    end
  end
  for _, e in ipairs(b.entries) do
    if not seen[e.guid] then d.added[#d.added + 1] = e end
  end
  return d
end

--- The REPL's global environment for a planet (cfg and st may be nil).
function M.env(cfg, st, out)
  out = out or function(s) io.write(s, '\n') end
  local planet = require('orrery.planet')
  local function need_store()
    if not st then util.fail('no planet loaded: start with orrery repl -c planet.lua') end
    return st
  end
  local function cfg_feed(row)
    for _, fc in ipairs(cfg.feeds) do
      if fc.url == row.url then return fc end
    end
    return { url = row.url, name = row.name, options = {} }
  end
  local env = {
    orrery = {
      parse = require('orrery.parse'), fetch = require('orrery.fetch'), recipe = require('orrery.recipe'),
      store = require('orrery.store'), query = query, planet = planet, layout = require('orrery.layout'),
      html = require('orrery._html'), json = json, util = require('orrery.util'),
      config = require('orrery.config'), pretty = pretty, db = require('orrery._db'),
    },
    cfg = cfg, db = st,
  }
  function env.feeds() return query.feeds(need_store()) end
  function env.feed(x)
    local row, err = query.feed(need_store(), x)
    if not row then util.fail(err) end
    return setmetatable(row, M.FeedRow)
  end
  function env.entries(filter) return query.entries(need_store(), filter) end
  function env.search(text, opts) return query.search(need_store(), text, opts) end
  env.stats = {
    by_feed = function() return query.by_feed(need_store()) end,
    by_day = function(days) return query.by_day(need_store(), days) end,
  }
  function env.document(feed)
    local doc, err = query.document(need_store(), feed)
    if not doc then util.fail(err) end
    return doc
  end
  function env.fetch_log(feed, limit) return query.fetch_log(need_store(), feed, limit) end
  function env.show(x, i)
    if getmetatable(x) == query.EntryList then x = x[i or 1] end
    if type(x) == 'table' and x.guid then
      out(pretty.entry_full(x, math.min(M.columns(), 100)))
    elseif type(x) == 'table' and x.body and x.fetched_at then
      out(x.body)
    else
      out(pretty.format(x, M.columns()))
    end
  end
  function env.refresh(feed)
    need_store()
    local only
    if feed ~= nil then only = { [env.feed(feed).url] = true } end
    local summary = planet.refresh(cfg, { only = only })
    local lines = {}
    for _, s in ipairs(summary.feeds) do
      lines[#lines + 1] = string.format('%s: %s', s.name, s.err or string.format('%s, %d new, %d changed',
        s.not_modified and 'not modified' or ('HTTP ' .. tostring(s.status)), s.new or 0, s.changed or 0))
    end
    return setmetatable(lines, { __tostring = function(l) return table.concat(l, '\n') end })
  end
  function env.try(feed, recipe_name)
    local row = env.feed(feed)
    local doc = query.document(need_store(), row.id)
    if not doc then
      -- only failing and recipe feeds keep their document (keep_documents): fetch it now
      local got = require('orrery.fetch').one(row.fetch_url or row.url, cfg)
      if got.err or got.status ~= 200 then util.fail('cannot fetch ' .. row.url .. ': ' .. (got.err or got.status)) end
      doc = { url = got.final_url or got.url, content_type = got.content_type, body = got.body }
    end
    local fc = cfg_feed(row)
    local res = { url = doc.url, final_url = doc.url, content_type = doc.content_type }
    local plain = require('orrery.util').copy(fc)
    plain.recipe = nil
    local with = require('orrery.util').copy(fc)
    with.recipe = recipe_name or fc.recipe
    local a, err = planet.build(plain, doc.body, res, cfg)
    if not a and not with.recipe then util.fail(err) end
    local b, err2 = planet.build(with, doc.body, res, cfg)
    if not b then util.fail(err2) end
    local d = diff(a or { entries = {} }, b, with.recipe)
    -- try(feed, recipe):apply() stores it: every kept document derived again with that recipe
    d.apply = function()
      local r = planet.reprocess(cfg, need_store(), with, row, os.time())
      return string.format('%s: %d documents derived again, %d new entries, %d changed%s', row.name or row.url,
        r.documents, r.new, #r.changes, #r.errors > 0 and ('; ' .. table.concat(r.errors, '; ')) or '')
    end
    return d
  end
  function env.articles(feed)
    local row = query.feed(need_store(), feed)
    if not row then util.fail('articles: no feed matches ' .. tostring(feed)) end
    local out_rows = query.rows({ 'date', 'title', 'article' })
    for _, a in ipairs(st:article_states(row.id, 50)) do
      out_rows[#out_rows + 1] = { date = os.date('!%Y-%m-%d', a.date), title = a.title or a.link,
        article = require('orrery.article').state_text(a) }
    end
    return out_rows
  end
  function env.why(x)
    if type(x) == 'table' then x = x.link or x.guid end
    if type(x) ~= 'string' then util.fail('why: give a link, an id or a title (or an entry)') end
    local answers = require('orrery.shown').view(cfg, need_store()):why(x)
    if #answers == 0 then return string.format('nothing is known of %q', x) end
    local lines = {}
    for _, a in ipairs(answers) do
      lines[#lines + 1] = string.format('%s  %s', a.shown and 'SHOWN ' or 'HIDDEN', a.entry)
      for _, l in ipairs(a.lines) do lines[#lines + 1] = '  ' .. l end
    end
    return table.concat(lines, '\n')
  end
  function env.render()
    local files = planet.render(cfg)
    return string.format('%d files written, %d unchanged, in %s', #files.written, #files.unchanged, cfg.output_dir)
  end
  -- help(): the API; help(fn) or help('name'): one function, with an example
  function env.help(x)
    if x == nil then out(M.help_text) return end
    for name, doc in pairs(M.docs) do
      if x == name or (type(x) == 'function' and (env[name] == x or (name:match('^stats%.')
          and env.stats[name:sub(7)] == x))) then
        out(doc)
        return
      end
    end
    if type(x) == 'function' then out('no help for this function: help() lists the REPL\'s, docs/repl.md has more')
    else out(string.format('no help for %q: help() lists what there is', tostring(x))) end
  end
  return setmetatable(env, { __index = _G })
end

M.columns = function()
  local ok, rl = pcall(require, 'orrery._readline')
  return ok and rl.columns() or 80
end

-- Completion ------------------------------------------------------------------------

local keywords = { 'and', 'break', 'do', 'else', 'elseif', 'end', 'false', 'for', 'function',
  'goto', 'if', 'in', 'local', 'nil', 'not', 'or', 'repeat', 'return', 'then', 'true', 'until', 'while' }

local function keys_of(v, methods_only, out)
  out = out or {}
  local t = type(v)
  if t == 'table' and not methods_only then
    for k in pairs(v) do if type(k) == 'string' then out[k] = true end end
  end
  local mt = (t == 'table' or t == 'userdata' or t == 'string') and getmetatable(v)
  if type(mt) == 'table' and type(mt.__index) == 'table' then
    keys_of(mt.__index, false, out)
  end
  return out
end

--- Candidates for the word under the cursor, e.g. "orrery.sto" -> { "orrery.store" }.
function M.complete(env, word)
  local found = {}
  local base, sep, partial = word:match('^(.*)([.:])([%w_]*)$')
  if base then
    local v = env
    for name in base:gmatch('[^.:]+') do
      if type(v) ~= 'table' and type(v) ~= 'userdata' and type(v) ~= 'string' then return {} end
      local ok, nv = pcall(function() return v[name] end)
      if not ok then return {} end
      v = nv
    end
    for k in pairs(keys_of(v, sep == ':' and type(v) ~= 'table')) do
      -- (no metamethods: __index, __gc are no one's business at the prompt; after ':' only
      -- methods)
      local ok, member = pcall(function() return v[k] end)
      if k:sub(1, #partial) == partial and k:match('^[%a_][%w_]*$') and not k:match('^__')
          and (sep ~= ':' or (ok and type(member) == 'function')) then
        found[#found + 1] = base .. sep .. k
      end
    end
  else
    local names = keys_of(env)
    for k in pairs(_G) do if type(k) == 'string' then names[k] = true end end
    for _, k in ipairs(keywords) do names[k] = true end
    for k in pairs(names) do
      if k:sub(1, #word) == word then found[#found + 1] = k end
    end
  end
  table.sort(found)
  return found
end

-- The loop ------------------------------------------------------------------------

--- Compile one chunk the way lua.c does: "return <chunk>" first, then the chunk itself.
--- Returns fn, or nil, 'incomplete', or nil, err.
function M.compile(src, env)
  if src:sub(1, 1) == '=' then src = 'return ' .. src:sub(2) end
  local fn = load('return ' .. src, '=stdin', 't', env)
  if fn then return fn end
  local err
  fn, err = load(src, '=stdin', 't', env)
  if fn then return fn end
  if err:match('<eof>$') then return nil, 'incomplete' end
  return nil, err
end

--- Run a compiled chunk and print its results; returns true or false.
function M.execute(fn, env, out)
  local res = table.pack(xpcall(fn, function(e)
    -- a mistake in how a function was called: one line that names it, no traceback
    if util.is_failure(e) then return 'error: ' .. e.msg end
    local tb = debug.traceback(tostring(e), 2)
    return (tb:gsub("\n%s*%[C%]: in function 'xpcall'.*$", ''))
  end))
  if not res[1] then
    out(res[2])
    return false
  end
  for i = 2, res.n do
    local v = res[i]
    if getmetatable(v) and getmetatable(v).__tostring and type(v) == 'table' then
      out(tostring(v))
    elseif type(v) == 'table' then
      out(pretty.format(v, M.columns()))
    else
      out(tostring(v))
    end
  end
  env._ = res[2]
  return true
end

--- The REPL.  opts: { cfg, store, eval = code string (-e), interactive = bool }.
--- Returns the exit status.
function M.run(opts)
  local out = function(s) io.write(s, '\n') io.flush() end
  local env = M.env(opts.cfg, opts.store, out)
  local failed = false
  if opts.eval then
    local fn, err = M.compile(opts.eval, env)
    if not fn then out(err == 'incomplete' and 'incomplete chunk' or err) return 1 end
    return M.execute(fn, env, out) and 0 or 1
  end
  local read
  local rl = opts.interactive and require('orrery._readline')
  local history = os.getenv('ORRERY_HISTORY') or ((os.getenv('HOME') or '.') .. '/.orrery_history')
  if rl then
    rl.read_history(history)
    rl.set_completer(function(word) return M.complete(env, word) end)
    read = function(prompt) return rl.readline(prompt) end
    out('orrery ' .. require('orrery._util').version() .. ' repl — help() for the API, Ctrl-D to leave')
  else
    read = function() return io.read('L') end
  end
  local buffer
  while true do
    local line = read(buffer and '>> ' or '> ')
    if not line then break end
    line = line:gsub('\n$', '')
    buffer = buffer and (buffer .. '\n' .. line) or line
    if buffer:match('^%s*$') then
      buffer = nil
    else
      local fn, err = M.compile(buffer, env)
      if fn or err ~= 'incomplete' then
        if rl then rl.add_history(buffer) end
        if fn then
          if not M.execute(fn, env, out) then failed = true end
        else
          out(err)
          failed = true
        end
        buffer = nil
      end
    end
  end
  if buffer then out('incomplete chunk at end of input') failed = true end
  if rl then
    io.write('\n')
    rl.write_history(history, 1000)
  end
  return (failed and not opts.interactive) and 1 or 0
end

M.diff = diff

return M
