--- orrery.cmd.common: what the subcommands share — the exit statuses, the options several
--- of them take, and loading the planet those options name.
---
--- Each subcommand is a table in its own module, orrery.cmd.<name> (see orrery.cli, which
--- parses the command line, prints --help and writes the man page and the completion from
--- those tables):
---   { name, summary (one line), args (the operands' synopsis, e.g. 'FILE|URL'),
---     nargs = { min, max } (max nil: any), options = { option specs }, description (text),
---     run = function(opts, operands) -> exit status }
--- An option spec: { short = '-c', long = '--config', arg = 'FILE' (absent: a flag),
---   key = 'config' (opts[key]), help = 'one line' }.
local M = {}

--- The exit statuses, documented once: `orrery help exit`, the man page and README.md's
--- table are this list (a test holds README to it).
M.exit = {
  { code = 0, name = 'OK', help = 'done, and every feed is fine' },
  { code = 1, name = 'FAIL',
    help = 'the command failed (a document that is not a feed, a file that cannot be read, an internal error)' },
  { code = 2, name = 'USAGE', help = 'the command line is wrong (unknown option, missing operand)' },
  { code = 3, name = 'FEEDS', help = 'done, but some feeds are failing, backing off after failures, or gone' },
  { code = 4, name = 'CONFIG', help = "the planet's configuration (or layout) is wrong: nothing was fetched" },
  { code = 5, name = 'WRITE', help = 'the database or the output directory cannot be written' },
  { code = 6, name = 'LOCKED', help = 'another run of this planet holds its lock' },
}
for _, e in ipairs(M.exit) do M[e.name] = e.code end

--- A failure of the command, reported as it is (no traceback) with its exit status:
--- raised with orrery.util.fail(msg, kind), kind one of 'config', 'write', 'locked'.
M.status_of_failure = { config = M.CONFIG, write = M.WRITE, locked = M.LOCKED }

local function opt(short, long, arg, key, help)
  return { short = short, long = long, arg = arg, key = key, help = help }
end

--- The options several commands take.
M.opt = {
  config = opt('-c', '--config', 'FILE', 'config', 'the planet (default: ./planet.lua)'),
  output = opt('-o', '--output', 'DIR', 'output', 'output directory (overrides output_dir)'),
  db = opt(nil, '--db', 'FILE', 'db', 'database file (overrides database)'),
  mirror = opt(nil, '--mirror', 'FILE', 'mirror', 'fetch URL prefixes from elsewhere: "URL-PREFIX REPLACEMENT" a line'),
  timeout = opt(nil, '--timeout', 'S', 'timeout', 'give up a transfer after S seconds (overrides timeout)'),
  quiet = opt('-q', '--quiet', nil, 'quiet', 'print only the failing feeds, one line each (for cron)'),
  json = opt(nil, '--json', nil, 'json', 'print the result as JSON on stdout'),
  force = opt(nil, '--force', nil, 'force', 'fetch every feed now, whole (no conditional GET): gone, backing off too'),
  urls = opt(nil, '--urls', 'FILE', 'urls', 'the feeds from FILE, one URL a line (no planet file needed)'),
  jobs = opt('-j', '--jobs', 'N', 'jobs', 'transfers at once (overrides concurrency)'),
  recipe = opt(nil, '--recipe', 'NAME', 'recipe', 'the recipe to run (default: the feed\'s own in the planet)'),
  wait = opt(nil, '--wait', 'S', 'wait', 'when another run holds the planet, wait up to S seconds (else exit 6)'),
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

--- The planet the options name (-c, or ./planet.lua; --urls; --db, -o, --mirror, --timeout,
--- -j applied).  Returns cfg, or nil, err (a configuration error).
function M.load_config(opts)
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

--- The planet for commands that work without one too (try, parse): the one the options name,
--- or ./planet.lua when there is one, else the defaults.
function M.optional_config(opts)
  if opts.config or require('orrery._fs').stat('planet.lua') then return M.load_config(opts) end
  return require('orrery.config').from_table({}, '.')
end

--- A document from a file or an http(s) URL: body, url (where it came from), content type.
--- Returns nil, err when it cannot be had.
function M.read_source(src, cfg)
  if src:match('^https?://') then
    local res = require('orrery.fetch').one(src, cfg)
    if res.err then return nil, src .. ': ' .. res.err end
    if res.status ~= 200 then return nil, src .. ': HTTP ' .. res.status end
    return res.body, res.final_url or src, res.content_type
  end
  local cfs = require('orrery._fs')
  local body, err = cfs.read(src)
  if not body then return nil, err end
  return body, 'file://' .. (cfs.realpath(src) or src)
end

--- Hold the planet for this process: one run, refresh or render at a time (an flock on
--- DATABASE.lock, which the kernel drops when the process ends however it ends).  When
--- another holds it: wait up to opts.wait seconds, else fail with 'locked', naming the
--- holder.  Returns the lock (release with :unlock(), or let it be collected at exit).
function M.lock(cfg, opts)
  local cfs, cutil, util = require('orrery._fs'), require('orrery._util'), require('orrery.util')
  local path = cfg.database .. '.lock'
  cfs.mkdirs(util.dirname(path))
  local note = string.format('orrery (pid %d) since %s', cutil.pid(), os.date('!%Y-%m-%d %H:%M:%S UTC'))
  local wait = opts.wait and tonumber(opts.wait)
  if opts.wait and (not wait or wait < 0) then util.fail('--wait needs a number of seconds', 'config') end
  local deadline = cutil.clock() + (wait or 0)
  while true do
    local lk, holder = cfs.lock(path, note)
    if lk then return lk end
    if holder and holder:match('^[^:]*: ') and not holder:match('^orrery') then   -- not a holder: an error
      util.fail('cannot lock the planet\'s database: ' .. holder, 'write')
    end
    if cutil.clock() >= deadline then
      util.fail(string.format('the planet %s is busy: another run holds it (%s)%s', M.show_path(cfg.database),
        holder ~= '' and holder or 'a process', wait and string.format('; waited %g s', wait) or
        '; --wait S waits for it'), 'locked')
    end
    cutil.sleep(math.min(0.2, math.max(0.01, deadline - cutil.clock())))
  end
end

--- A byte count for a log line.
function M.human_bytes(n)
  if n >= 1e6 then return string.format('%.1f MB', n / 1e6) end
  return string.format('%d kB', n // 1000)
end

--- A path as people read it: relative to the working directory when it is under it,
--- without "a/../" detours.
function M.show_path(path)
  local cfs = require('orrery._fs')
  local real = cfs.realpath(path) or path
  local cwd = cfs.realpath('.')
  if cwd and real:sub(1, #cwd + 1) == cwd .. '/' then return real:sub(#cwd + 2) end
  return real
end

return M
