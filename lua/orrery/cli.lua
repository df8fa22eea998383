--- orrery.cli: the command line.  main(arg) returns the exit status:
---   0  done, every feed fine
---   1  the run failed (bad config, database or layout error, internal error)
---   2  usage error
---   3  done, but some feeds failed (listed on stderr; see `orrery status`)
local cutil = require('orrery._util')
local log = require('orrery.log')

local M = {}

local EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_FEEDS = 0, 1, 2, 3

local usage = {
  main = [[
usage: orrery [-h] [--version] COMMAND [options]

commands:
  run       refresh every feed, then render the pages (the cron job)
  refresh   fetch, parse, apply recipes and store; render nothing
  render    render the pages from what is stored
  status    show each feed's health
  parse     parse one feed document (file or URL) and print it
  discover  find the feed(s) of a site from its address, as lines for planet.lua
  try       run a recipe on a feed or page (file or URL) and show what it gives
  import-venus  convert a Planet Venus / Planet 2.0 config.ini into a planet.lua
  opml      import an OPML subscription list as a planet.lua, or export the planet's
  repl      explore the stored entries and drive orrery from Lua
  lua       run a Lua script with orrery's modules loaded

Run 'orrery COMMAND --help' for a command's options.
Exit status: 0 ok, 1 failed, 2 usage error, 3 done but some feeds failed.]],
  run = [[
usage: orrery run [-c planet.lua] [-o DIR] [--db FILE] [-q] [--json] [--mirror FILE] [--timeout S]

Refresh every feed, then render the layout.  Exit 3 when some feeds failed.
  -c, --config FILE   the planet (default: ./planet.lua)
  -o, --output DIR    output directory (overrides output_dir)
      --db FILE       database file (overrides database)
      --mirror FILE   fetch URL prefixes from elsewhere: "URL-PREFIX REPLACEMENT" a line
                      (added to the planet's mirror; a local stand-in of the web for tests)
      --timeout S     give up a transfer after S seconds (overrides timeout)
  -q, --quiet         print nothing but errors
      --json          print the run summary as JSON on stdout]],
  refresh = [[
usage: orrery refresh [-c planet.lua] [--urls FILE] [--db FILE] [-j N] [-q] [--json] [--force]
                      [--mirror FILE] [--timeout S]

Fetch every feed (conditional GET), parse, apply recipes, store.  Exit 3 when some
feeds failed.  Options as for 'orrery run'.]],
  render = [[
usage: orrery render [-c planet.lua] [-o DIR] [--db FILE]

Render the layout's templates from the stored entries into the output directory.
Files whose content did not change are left alone.]],
  status = [[
usage: orrery status [-c planet.lua] [--db FILE] [--json]

One line per feed: state, entries, last success, last error.]],
  parse = [[
usage: orrery parse [--json] [--no-sanitize] FILE|URL

Parse one feed document and print its normalized form.  --json prints the schema of
the conformance corpus (feedparser's field names); the default is a readable summary.]],
  try = [[
usage: orrery try [-c planet.lua] [--recipe NAME] [--json] FILE|URL
       orrery try --article [-c planet.lua] [--recipe NAME] FILE|URL

Fetch (or read) one feed or page, parse it, run the recipe, and print the entries it
gives and what the recipe changed, dropped or added.  Nothing is stored: the way to
write a recipe and see it work at once.  Recipes are looked up in the planet's
recipes_dir (with -c, or ./planet.lua if there is one), then orrery's.
With --article, the page is an article page: print the article orrery finds in it (the
recipe's article hook, else readability scoring), as a feed with full_article would show it.]],
  discover = [[
usage: orrery discover URL|FILE

Find the feeds behind an address: a feed itself, or the feeds a page announces with
<link rel="alternate"> (each fetched to check it is one).  Prints one planet.lua line per
feed, with its title as the name, ready to paste into feeds = { ... }.  Exit 1 when there
is none.]],
  opml = [[
usage: orrery opml import FILE [-o planet.lua]
       orrery opml export [-c planet.lua]

import: the feeds of an OPML subscription list (every outline with an xmlUrl, folders
flattened) as a planet.lua, on stdout or into the -o file (which must not exist).
export: the planet's feeds as OPML 2.0 on stdout (feeds read from local files left out).]],
  ['import-venus'] = [[
usage: orrery import-venus CONFIG.ini [-o planet.lua]

Convert a Planet Venus or Planet 2.0 config.ini into a planet.lua (on stdout, or into
the -o file, which must not exist yet).  Every feed section arrives; the settings that have
no equivalent in orrery are listed on stderr.]],
  repl = [[
usage: orrery repl [-c planet.lua] [--db FILE] [-e CODE]

A Lua REPL with the planet's store and orrery's API (help() lists it).  On a terminal:
line editing, history, tab completion.  From a pipe (orrery repl < script.lua) it runs
the input chunk by chunk and prints results; -e runs CODE and exits.]],
  lua = [[
usage: orrery lua SCRIPT [ARGS...]

Run a Lua script with orrery's modules on package.path and its C modules preloaded.
Inside, `arg` is set as by the standalone lua.  Also usable as `busted --lua=orrery`.]],
}

-- Parse options: spec = { ['-c'] = 'config', ['-q'] = '!quiet' }: a name takes a value,
-- a name after '!' is a flag.
local function getopt(args, spec)
  local opts, rest = {}, {}
  local i = 1
  while i <= #args do
    local a = args[i]
    local key, val = a:match('^(%-%-[%w-]+)=(.*)$')
    key = key or a
    local s = spec[key]
    if a == '-h' or a == '--help' then
      opts.help = true
    elseif s and s:sub(1, 1) == '!' then
      opts[s:sub(2)] = true
    elseif s then
      if not val then
        i = i + 1
        val = args[i]
        if not val then return nil, 'option ' .. key .. ' needs a value' end
      end
      opts[s] = val
    elseif a:sub(1, 1) == '-' and a ~= '-' then
      return nil, 'unknown option ' .. a
    else
      rest[#rest + 1] = a
    end
    i = i + 1
  end
  return opts, rest
end

local planet_opts = {
  ['-c'] = 'config', ['--config'] = 'config', ['-o'] = 'output', ['--output'] = 'output',
  ['--db'] = 'db', ['-q'] = '!quiet', ['--quiet'] = '!quiet', ['--json'] = '!json', ['--force'] = '!force',
  ['--urls'] = 'urls', ['-j'] = 'jobs', ['--jobs'] = 'jobs', ['--mirror'] = 'mirror', ['--timeout'] = 'timeout',
}

-- A mirror file: "URL-PREFIX REPLACEMENT" a line, '#' comments (see docs/fetching.md).
-- Relative replacement paths are relative to the file.
local function read_mirror(path, into)
  local text, err = require('orrery._fs').read(path)
  if not text then return nil, err end
  local dir = path:match('^(.*)/[^/]*$') or '.'
  local n = 0
  for line in text:gmatch('[^\r\n]+') do
    local from, to = line:gsub('#.*', ''):match('^%s*(%S+)%s+(%S+)%s*$')
    if from then
      if not to:match('^%a[%w+.-]*:') then to = 'file://' .. require('orrery.util').join(dir, to) end
      into[from] = to
      n = n + 1
    elseif line:match('%S') and not line:match('^%s*#') then
      return nil, path .. ': not "URL-PREFIX REPLACEMENT": ' .. line
    end
  end
  return n
end

-- Feeds from a file of URLs, one a line ('#' starts a comment): a planet without a config
-- file (and what benchmarks and quick checks use).
local function read_urls(path)
  local text, err = require('orrery._fs').read(path)
  if not text then return nil, err end
  local feeds = {}
  for line in text:gmatch('[^\r\n]+') do
    local url = line:gsub('#.*', ''):match('^%s*(%S+)')
    if url then feeds[#feeds + 1] = { url = url } end
  end
  return feeds
end

local function load_config(opts)
  local config = require('orrery.config')
  local path = opts.config or 'planet.lua'
  local cfg, err
  if opts.urls then
    local feeds
    feeds, err = read_urls(opts.urls)
    if not feeds then return nil, err end
    if opts.config or require('orrery._fs').stat(path) then
      cfg, err = config.load(path, { feeds = feeds })
    else
      cfg, err = config.from_table({ feeds = feeds }, '.')
    end
  else
    cfg, err = config.load(path)
  end
  if not cfg then return nil, err end
  if opts.output then cfg.output_dir = opts.output end
  if opts.db then cfg.database = opts.db end
  if opts.mirror then
    local n, merr = read_mirror(opts.mirror, cfg.mirror)
    if not n then return nil, merr end
  end
  if opts.timeout then
    local t = math.tointeger(tonumber(opts.timeout))
    if not t or t < 1 then return nil, '--timeout needs a positive number of seconds' end
    cfg.timeout = t
    cfg.connect_timeout = math.min(cfg.connect_timeout, t)
    cfg.low_speed_time = math.min(cfg.low_speed_time, t)
  end
  if opts.jobs then
    local n = math.tointeger(tonumber(opts.jobs))
    if not n or n < 1 then return nil, '--jobs needs a positive integer' end
    cfg.concurrency = n
  end
  return cfg
end

local function human_bytes(n)
  if n >= 1e6 then return string.format('%.1f MB', n / 1e6) end
  return string.format('%d kB', n // 1000)
end

-- The live progress line, on a terminal only (cron gets the summary alone), redrawn at
-- most ten times a second.
local function progress_fn(opts)
  if opts.quiet or opts.json or not cutil.isatty(2) then return nil end
  local started, drawn = cutil.clock(), 0
  return function(done, total, _, summary)
    local now = cutil.clock()
    if done < total and now - drawn < 0.1 then return end
    drawn = now
    io.stderr:write(string.format('\r\27[K%d/%d feeds, %d failed, %s, %.0f s', done, total,
      summary.failed, human_bytes(summary.bytes), now - started))
    if done == total then io.stderr:write('\n') end
  end
end

local function report(summary, opts)
  local json = require('orrery.json')
  if opts.json then
    local feeds = json.array()
    for _, s in ipairs(summary.feeds) do
      feeds[#feeds + 1] = { name = s.name, url = s.url, status = s.status, error = s.err,
        new = s.new, changed = s.changed, moved_to = s.moved_to, not_modified = s.not_modified,
        unchanged = s.unchanged, next_attempt = s.next_attempt, seconds = s.seconds, wait = s.wait }
    end
    local skipped = json.array()
    for _, k in ipairs(summary.skipped) do skipped[#skipped + 1] = k end
    io.write(json.encode({ feeds = feeds, skipped = skipped, failed = summary.failed, new = summary.new,
      changed = summary.changed, total = summary.total, seconds = summary.seconds, bytes = summary.bytes,
      cpu = summary.cpu, peak_rss = summary.peak_rss, articles = summary.articles and {
        fetched = summary.articles.fetched, stored = summary.articles.stored, failed = summary.articles.failed,
      } }), '\n')   -- one line: cron logs, JSON Lines
  end
  for _, s in ipairs(summary.feeds) do
    if s.moved_to then log.info('moved: %s -> %s (permanent redirect; now fetched there)', s.url, s.moved_to) end
  end
  if summary.failed > 0 then
    log.warn('%d of %d feeds failed:', summary.failed, summary.total)
    for _, s in ipairs(summary.feeds) do
      if s.err then log.warn('  %s <%s>: %s', s.name, s.url, s.err) end
    end
  end
  if #summary.skipped > 0 then
    log.info('skipped %d feeds (gone, backing off after failures, or fetched recently; --force fetches them):',
      #summary.skipped)
    for _, k in ipairs(summary.skipped) do log.info('  %s: %s', k.name, k.reason) end
  end
  local a = summary.articles
  if a and a.fetched > 0 then
    log.info('full articles: %d fetched, %d stored, %d without an article (tried again next run)',
      a.fetched, a.stored, a.failed)
    for _, e in ipairs(a.errors) do log.info('  %s <%s>: %s', e.feed or '?', e.url or '?', e.err) end
  end
  log.info('refreshed %d feeds in %.1f s (%s): %d new entries, %d changed, %d failed',
    summary.total, summary.seconds, human_bytes(summary.bytes), summary.new, summary.changed, summary.failed)
end

local commands = {}

function commands.refresh(args, name)
  local opts, rest = getopt(args, planet_opts)
  if not opts then log.error('%s', rest) return EXIT_USAGE end
  if opts.help then print(usage[name or 'refresh']) return EXIT_OK end
  if #rest > 0 then log.error('unexpected argument %s', rest[1]) return EXIT_USAGE end
  if opts.quiet or opts.json then log.set_level('quiet') end
  local cfg, err = load_config(opts)
  if not cfg then log.error('%s', err) return EXIT_FAIL end
  local planet = require('orrery.planet')
  local summary = planet.refresh(cfg, { progress = progress_fn(opts), force = opts.force })
  report(summary, opts)
  if name == 'run' then
    local files = planet.render(cfg)
    log.info('rendered %d files into %s (%d unchanged)', #files.written, cfg.output_dir, #files.unchanged)
  end
  return summary.failed > 0 and EXIT_FEEDS or EXIT_OK
end

function commands.run(args) return commands.refresh(args, 'run') end

function commands.render(args)
  local opts, rest = getopt(args, planet_opts)
  if not opts then log.error('%s', rest) return EXIT_USAGE end
  if opts.help then print(usage.render) return EXIT_OK end
  if opts.quiet then log.set_level('quiet') end
  local cfg, err = load_config(opts)
  if not cfg then log.error('%s', err) return EXIT_FAIL end
  local files = require('orrery.planet').render(cfg)
  if not opts.quiet then
    log.info('rendered %d files into %s (%d unchanged)', #files.written, cfg.output_dir, #files.unchanged)
  end
  return EXIT_OK
end

local function span(d)
  if d < 120 then return d .. 's' end
  if d < 7200 then return d // 60 .. 'm' end
  if d < 172800 then return d // 3600 .. 'h' end
  return d // 86400 .. 'd'
end

-- s cut or padded to n characters (UTF-8 aware, so that columns line up)
local function fit(s, n)
  local len = utf8.len(s)
  if not len then return (s .. string.rep(' ', n)):sub(1, n) end
  if len > n then s = s:sub(1, (utf8.offset(s, n + 1) or #s + 1) - 1) len = n end
  return s .. string.rep(' ', n - len)
end

local function ago(t, now)
  if not t then return 'never' end
  return span(now - t) .. ' ago'
end

function commands.status(args)
  local opts, rest = getopt(args, planet_opts)
  if not opts then log.error('%s', rest) return EXIT_USAGE end
  if opts.help then print(usage.status) return EXIT_OK end
  local cfg, err = load_config(opts)
  if not cfg then log.error('%s', err) return EXIT_FAIL end
  local st = require('orrery.planet').open_store(cfg)
  local counts = st:counts()
  local rows = st:feeds()
  st:close()
  local now = os.time()
  if opts.json then
    local json = require('orrery.json')
    local out = json.array()
    for _, r in ipairs(rows) do
      r.entries = counts[r.id] and counts[r.id].n or 0
      r.newest = counts[r.id] and counts[r.id].newest
      out[#out + 1] = r
    end
    io.write(json.encode(out, ' '), '\n')
    return EXIT_OK
  end
  local function day(t) return t and os.date('!%Y-%m-%d', t) or '-' end
  local function next_try(r)
    if r.gone == 1 then return 'never' end
    if r.next_attempt and r.next_attempt > now then return 'in ' .. span(r.next_attempt - now) end
    return 'next run'
  end
  print(string.format('%-6s %-26s %7s %-10s %-9s %4s %-10s %s', 'STATE', 'FEED', 'ENTRIES', 'NEWEST',
    'SUCCESS', 'HTTP', 'NEXT', 'LAST ERROR'))
  for _, r in ipairs(rows) do
    local state = r.gone == 1 and 'gone' or (r.last_error and (r.errors or 0) > 0) and 'FAIL'
      or r.last_success and 'ok' or 'new'
    local name = fit((r.name ~= r.url and r.name) or r.title or r.url, 26)
    local c = counts[r.id]
    print(string.format('%-6s %s %7d %-10s %-9s %4s %-10s %s', state, name, c and c.n or 0,
      day(c and c.newest), ago(r.last_success, now), r.last_status and tostring(r.last_status) or '-',
      next_try(r), r.last_error or ''))
    if r.fetch_url and r.fetch_url ~= r.url then print('       moved to ' .. r.fetch_url) end
  end
  return EXIT_OK
end

local function summary_text(feed)
  local out = {}
  local function add(...) out[#out + 1] = string.format(...) end
  add('format:  %s%s', feed.format, feed.bozo and ('  (ill-formed: ' .. (feed.bozo_message or '') .. ')') or '')
  add('title:   %s', feed.title or '-')
  add('link:    %s', feed.link or '-')
  add('entries: %d', #feed.entries)
  for i, e in ipairs(feed.entries) do
    local d = e.published or e.updated
    add('%3d. %s  %s', i, d and os.date('!%Y-%m-%d %H:%M', d) or '????-??-?? ??:??', e.title or '(untitled)')
    add('     %s', e.link or e.guid)
  end
  return table.concat(out, '\n')
end

function commands.parse(args)
  local opts, rest = getopt(args, { ['--json'] = '!json', ['--no-sanitize'] = '!no_sanitize' })
  if not opts then log.error('%s', rest) return EXIT_USAGE end
  if opts.help then print(usage.parse) return EXIT_OK end
  if #rest ~= 1 then log.error('parse needs one FILE or URL') return EXIT_USAGE end
  local src = rest[1]
  local body, err, url, ctype
  if src:match('^https?://') then
    local res = require('orrery.fetch').one(src)
    if res.err then log.error('%s: %s', src, res.err) return EXIT_FAIL end
    if res.status ~= 200 then log.error('%s: HTTP %d', src, res.status) return EXIT_FAIL end
    body, url, ctype = res.body, res.final_url, res.content_type
  else
    body, err = require('orrery._fs').read(src)
    if not body then log.error('%s', err) return EXIT_FAIL end
  end
  local parse = require('orrery.parse')
  local feed, links
  feed, err, links = parse.feed(body, { url = url, content_type = ctype, sanitize = not opts.no_sanitize,
    title_html = opts.json, keep_duplicates = opts.json })
  -- (the conformance JSON is printed for what is not a feed too: feedparser's corpus has such cases)
  if opts.json then io.write(require('orrery.json').encode(parse.conformance(feed, err), ' '), '\n') end
  if not feed then
    if err:find('HTML page', 1, true) and not (links and #links > 0) then
      err = err .. ' that links to no feed: a recipe with a scrape hook can turn it into entries'
        .. ' (docs/recipes.md, "Sites without a feed"; try one with: orrery try --recipe NAME ' .. src .. ')'
    end
    log.error('%s: %s', src, err)
    return EXIT_FAIL
  end
  if not opts.json then print(summary_text(feed)) end
  return EXIT_OK
end

function commands.discover(args)
  local opts, rest = getopt(args, {})
  if not opts then log.error('%s', rest) return EXIT_USAGE end
  if opts.help then print(usage.discover) return EXIT_OK end
  if #rest ~= 1 then log.error('discover needs one URL or FILE') return EXIT_USAGE end
  local fetch, parse = require('orrery.fetch'), require('orrery.parse')
  local cfg = require('orrery.config').defaults
  local function get(src)
    if src:match('^https?://') then
      local res = fetch.one(src, cfg)
      if res.err then return nil, res.err end
      if res.status ~= 200 then return nil, 'HTTP ' .. res.status end
      return res.body, res.final_url or src, res.content_type
    end
    local cfs = require('orrery._fs')
    local body, err = cfs.read(src)
    if not body then return nil, err end
    return body, 'file://' .. (cfs.realpath(src) or src)
  end
  local function line(url, feed)
    local name = feed.title and feed.title:find('%S') and feed.title or url
    return string.format('{ url = %q, name = %q },  -- %s, %d entries', url, name, feed.format, #feed.entries)
  end
  local src = rest[1]
  local body, url, ctype = get(src)
  if not body then log.error('%s: %s', src, url) return EXIT_FAIL end
  local feed, err, links = parse.feed(body, { url = url, content_type = ctype })
  if feed then print(line(url, feed)) return EXIT_OK end
  if not links or #links == 0 then log.error('%s: %s', src, err) return EXIT_FAIL end
  local found = 0
  for _, l in ipairs(links) do
    local b, u, ct = get(l.href)
    local f, ferr
    if b then f, ferr = parse.feed(b, { url = u, content_type = ct }) else ferr = u end
    if f then
      print(line(l.href, f))
      found = found + 1
    else
      log.warn('%s (announced by the page): %s', l.href, ferr)
    end
  end
  return found > 0 and EXIT_OK or EXIT_FAIL
end

function commands.try(args)
  local opts, rest = getopt(args, { ['-c'] = 'config', ['--config'] = 'config', ['--recipe'] = 'recipe',
    ['--json'] = '!json', ['--article'] = '!article' })
  if not opts then log.error('%s', rest) return EXIT_USAGE end
  if opts.help then print(usage.try) return EXIT_OK end
  if #rest ~= 1 then log.error('try needs one FILE or URL') return EXIT_USAGE end
  local cfg, err
  if opts.config or require('orrery._fs').stat('planet.lua') then
    cfg, err = load_config(opts)
  else
    cfg, err = require('orrery.config').from_table({}, '.')
  end
  if not cfg then log.error('%s', err) return EXIT_FAIL end
  local src = rest[1]
  local res = { url = src }
  if src:match('^https?://') then
    res = require('orrery.fetch').one(src, cfg)
    if res.err then log.error('%s: %s', src, res.err) return EXIT_FAIL end
    if res.status ~= 200 then log.error('%s: HTTP %d', src, res.status) return EXIT_FAIL end
  else
    res.body, err = require('orrery._fs').read(src)
    if not res.body then log.error('%s', err) return EXIT_FAIL end
    res.url = 'file://' .. (require('orrery._fs').realpath(src) or src)
  end
  if opts.article then
    local r
    if opts.recipe then
      local rec = require('orrery.recipe')
      r, err = rec.load(opts.recipe, rec.dirs(cfg))
      if not r then log.error('%s', err) return EXIT_FAIL end
    end
    local html, aerr = require('orrery.article').extract(res.body, res.final_url or res.url, r, {}, cfg)
    if not html then log.error('%s: %s', src, aerr) return EXIT_FAIL end
    local text = require('orrery._html').text(html):gsub('%s+', ' ')
    print(html)
    local by = r and r.article and ('the recipe ' .. r.name .. ' (or readability when it gave nothing)')
      or 'readability scoring'
    print(string.format('-- %d characters of text, found by %s', utf8.len(text) or #text, by))
    return EXIT_OK
  end
  local planet = require('orrery.planet')
  local fc = { url = src, name = src, options = {} }
  for _, f in ipairs(cfg.feeds) do
    if f.url == src or f.url == res.url then fc = f end
  end
  local with = require('orrery.util').copy(fc)
  with.recipe = opts.recipe or fc.recipe
  local plain = require('orrery.util').copy(fc)
  plain.recipe = nil
  local a, aerr = planet.build(plain, res.body, res, cfg)
  local b, berr = planet.build(with, res.body, res, cfg)
  if not b then log.error('%s: %s', src, berr) return EXIT_FAIL end
  if opts.json then
    io.write(require('orrery.json').encode({ feed = b, recipe = with.recipe }), '\n')
    return EXIT_OK
  end
  print(summary_text(b))
  if with.recipe then
    print()
    if not a then print('without the recipe: ' .. tostring(aerr)) end
    print(tostring(require('orrery.repl').diff(a or { entries = {} }, b, with.recipe)))
  end
  return EXIT_OK
end

-- Write planet.lua text to the -o file (never over an existing one) or stdout.
local function emit_planet(text, output)
  local cfs = require('orrery._fs')
  local chunk = assert(load(text, '=planet.lua', 't', {}))
  local vok, verr = pcall(require('orrery.config').validate, chunk(), '.')
  if not vok then return nil, 'the converted planet is not valid: ' .. tostring(verr) end
  if not output then io.write(text) return true end
  if cfs.stat(output) then return nil, output .. ' exists: not overwritten' end
  return cfs.write(output, text)
end

function commands.opml(args)
  local sub = table.remove(args, 1)
  local opts, rest = getopt(args, { ['-o'] = 'output', ['--output'] = 'output', ['-c'] = 'config',
    ['--config'] = 'config' })
  if not opts then log.error('%s', rest) return EXIT_USAGE end
  if opts.help or sub == '-h' or sub == '--help' then print(usage.opml) return EXIT_OK end
  if sub == 'import' then
    if #rest ~= 1 then log.error('opml import needs one FILE') return EXIT_USAGE end
    local text, err = require('orrery._fs').read(rest[1])
    if not text then log.error('%s', err) return EXIT_FAIL end
    local planet_text, n, skipped = require('orrery.opml').to_planet(text, rest[1])
    for _, k in ipairs(skipped) do log.warn('%s: outline %q left out: %s', rest[1], k.url, k.why) end
    if n == 0 then
      log.error('%s: no outline with an xmlUrl: not an OPML subscription list?', rest[1])
      return EXIT_FAIL
    end
    local ok, werr = emit_planet(planet_text, opts.output)
    if not ok then log.error('%s', werr) return EXIT_FAIL end
    log.info('imported %d feeds from %s', n, rest[1])
    return EXIT_OK
  elseif sub == 'export' then
    local cfg, err = load_config(opts)
    if not cfg then log.error('%s', err) return EXIT_FAIL end
    -- what the store knows: where feeds moved to, which sites are scraped (no feed)
    if require('orrery._fs').stat(cfg.database) then
      local st = require('orrery.planet').open_store(cfg)
      local rows = {}
      for _, row in ipairs(st:feeds()) do rows[row.url] = row end
      st:close()
      for _, fc in ipairs(cfg.feeds) do
        local row = rows[fc.url]
        if row and row.fetch_url and row.fetch_url ~= row.url then fc.moved_to = row.fetch_url end
        fc.scraped = row and row.format == 'scraped'
      end
    end
    io.write(require('orrery.opml').write(cfg))
    return EXIT_OK
  end
  log.error('opml needs import or export (see orrery opml --help)')
  return EXIT_USAGE
end

commands['import-venus'] = function(args)
  local opts, rest = getopt(args, { ['-o'] = 'output', ['--output'] = 'output' })
  if not opts then log.error('%s', rest) return EXIT_USAGE end
  if opts.help then print(usage['import-venus']) return EXIT_OK end
  if #rest ~= 1 then log.error('import-venus needs one config.ini') return EXIT_USAGE end
  local cfs = require('orrery._fs')
  local text, err = cfs.read(rest[1])
  if not text then log.error('%s', err) return EXIT_FAIL end
  local ok, lua_text, notes, nfeeds = pcall(require('orrery.venus').convert, text, rest[1])
  if not ok then log.error('%s: %s', rest[1], lua_text) return EXIT_FAIL end
  local wok, werr = emit_planet(lua_text, opts.output)      -- checked: a planet orrery accepts
  if not wok then log.error('%s: %s', rest[1], werr) return EXIT_FAIL end
  log.info('converted %s: %d feeds%s', rest[1], nfeeds,
    #notes > 0 and ('; ' .. #notes .. ' settings had no equivalent:') or '')
  for _, line in ipairs(notes) do log.info('  %s', line) end
  return EXIT_OK
end

function commands.repl(args)
  local opts, rest = getopt(args, { ['-c'] = 'config', ['--config'] = 'config', ['--db'] = 'db', ['-e'] = 'eval' })
  if not opts then log.error('%s', rest) return EXIT_USAGE end
  if opts.help then print(usage.repl) return EXIT_OK end
  local cfg, st
  local path = opts.config or 'planet.lua'
  if opts.config or require('orrery._fs').stat(path) then
    local err
    cfg, err = load_config(opts)
    if not cfg then log.error('%s', err) return EXIT_FAIL end
    st = require('orrery.planet').open_store(cfg)
  end
  local code = require('orrery.repl').run({
    cfg = cfg, store = st, eval = opts.eval, interactive = cutil.isatty(0) and not opts.eval,
  })
  if st then st:close() end
  return code
end

-- Run a script file as the standalone lua would: arg[0] = script, arg[1..] = its args.
local function run_script(script, args)
  local a = { [0] = script }
  for i, v in ipairs(args) do a[i] = v end
  _G.arg = a
  local chunk, err = loadfile(script)
  if not chunk then log.error('%s', err) return EXIT_FAIL end
  local ok, res = xpcall(chunk, debug.traceback, table.unpack(args))
  if not ok then
    log.error('%s', res)
    return EXIT_FAIL
  end
  return math.type(res) == 'integer' and res or EXIT_OK
end

function commands.lua(args)
  if args[1] == '-h' or args[1] == '--help' or not args[1] then
    print(usage.lua)
    return args[1] and EXIT_OK or EXIT_USAGE
  end
  local script = table.remove(args, 1)
  return run_script(script, args)
end

--- Entry point called by main.c with the C argv (arg[0] = program).
---@param arg table
---@return integer exit status
function M.main(arg)
  local args = {}
  for i = 1, #arg do args[i] = arg[i] end
  local cmd = table.remove(args, 1)
  if cmd == nil or cmd == '-h' or cmd == '--help' or cmd == 'help' then
    if cmd == 'help' and args[1] and usage[args[1]] then print(usage[args[1]]) return EXIT_OK end
    print(usage.main)
    return cmd and EXIT_OK or EXIT_USAGE
  end
  if cmd == '--version' or cmd == 'version' then
    print('orrery ' .. cutil.version() .. ' (' .. _VERSION .. ')')
    return EXIT_OK
  end
  -- `orrery SCRIPT ...`: what `busted --lua=orrery` runs
  if not commands[cmd] and (cmd:match('/') or cmd:match('%.lua$')) then return run_script(cmd, args) end
  if commands[cmd] then
    local ok, res = xpcall(commands[cmd], function(e)
      if require('orrery.util').is_failure(e) then return e end
      return debug.traceback(tostring(e), 2)
    end, args)
    if ok then return res end
    if require('orrery.util').is_failure(res) then
      log.error('%s', res.msg)
    else
      log.error('internal error: %s', res)
    end
    return EXIT_FAIL
  end
  log.error("unknown command '%s' (see orrery --help)", cmd)
  return EXIT_USAGE
end

return M
