--- orrery.config: the planet's configuration — defaults, loading, validation.
---
--- A planet is described by a Lua file that returns a table (see README.md).  Paths in it
--- are relative to the file's directory.  Unknown keys are errors, reported with their
--- path, before anything is fetched.
local parse = require('orrery.parse')
local util = require('orrery.util')

local M = {}

--- The defaults; every key a config may set appears here (feeds aside).
M.defaults = {
  name = 'Planet',
  link = '',
  description = nil,
  owner = { name = nil, email = nil },
  output_dir = 'out',
  layout = 'default',          -- a built-in layout name, or a directory of templates
  database = 'planet.db',
  recipes_dir = 'recipes',     -- the planet's own recipes, searched before orrery's
  concurrency = 16,            -- transfers at once
  parse_threads = 1,           -- feeds parsed beside the main thread as they arrive
  per_host = 2,                -- connections per host
  timeout = 30,                -- seconds, whole transfer
  connect_timeout = 10,
  low_speed_time = 20,         -- a transfer slower than low_speed_limit bytes/s for this many
  low_speed_limit = 100,       --   seconds is given up (a server dripping bytes)
  max_bytes = 8 * 1024 * 1024, -- body cap, after decompression
  max_redirects = 5,
  user_agent = nil,            -- default: "orrery/<version> (+<link>)"
  items_per_page = 60,
  days_per_page = 0,           -- at most this many days on index.html (0: no limit)
  excerpt_length = 500,        -- characters of e.excerpt, the entry's text for summaries
  feed_items = 30,             -- entries in atom.xml
  future_tolerance = 86400,    -- dates further ahead than this are clamped to first-seen
  stale_days = 90,             -- a feed with no entry newer than this is listed as stale
  date_format = '%B %d, %Y %I:%M %p %Z',
  day_format = '%B %d, %Y',
  month_format = '%B %Y',      -- archive page titles
  archive_page_entries = 200,  -- entries per archive page: a busier month gets more pages
                               -- (0: the whole month on one page, however large)
  recipe_budget = 20000000,    -- VM instructions per recipe call
  recipe_memory = 64 * 1024 * 1024, -- bytes of Lua memory a recipe call may add
  min_interval = 0,            -- seconds: feeds fetched more recently than this are skipped
  backoff_base = 1800,         -- seconds: wait after the 2nd failure in a row, doubled after each
  backoff_max = 86400,         --   further one, up to this
  keep_documents = 'all',      -- raw documents kept (compressed) to derive entries again when a
                               -- recipe or orrery changes: 'all', 'problems' (failing, ill-formed
                               -- or recipe feeds) or 'none'
  documents_per_feed = 5,      -- the newest this many documents of each feed are kept
  documents_max_mb = 256,      -- and all of them together at most this many MB (oldest go first)
  commit_interval = 1,         -- seconds of refresh work per database commit
  article_limit = 50,          -- full articles fetched per run (feeds with full_article)
  article_retries = 3,         -- a page that gave no article is tried this many runs
  article_min_chars = 200,     -- less text than this is not an article (the teaser stays)
  article_hosts = 'any',       -- full articles from any host ('any': private addresses only on
                               -- the feed's own host) or only from the feed's own site ('same')
  mirror = {},                 -- { [url prefix] = where to fetch it from instead }: a local
                               -- copy of sites, or a test server (see docs/fetching.md)
  time_zone = 'UTC',           -- dates on the pages: 'UTC', 'local', or a zone name
                               -- such as 'Europe/Berlin' (the system's tz database)
  templates = {},              -- template files rendered instead of the layout's: htmltmpl
                               -- (.tmpl, Planet/Venus) or etlua; output named without it
  static = {},                 -- directories copied into output_dir (the site's styles, images)
  new_feed_items = 0,          -- of a newly added feed's back catalogue, show only this many
  activity_threshold = 0,      -- days without a new entry before a feed is marked inactive
  publish_emails = false,      -- show authors' email addresses (when a feed gives no name)
  -- which entries are shown (orrery.shown; per feed too: filter, exclude)
  filter = nil,                -- only entries whose title or text matches: a pattern, a list
                               -- of patterns (any may match) or a function(entry) -> keep
  exclude = nil,               -- entries whose title or text matches are hidden (same forms)
  dedupe = 'first',            -- the same post in two feeds is shown once: the copy seen
                               -- 'first', the one of the feed listed first ('order'), the
                               -- 'longest'; false: every copy
  -- retention (orrery.retention; per feed too)
  keep_entries = 0,            -- the newest this many entries of each feed (0: all)
  keep_days = 0,               -- entries dated in the last this many days (0: all)
  -- fetching, per host
  host_spacing = 0,            -- seconds between the starts of two requests to one host
  -- publishing
  hub = nil,                   -- a WebSub hub: linked from atom.xml/rss20.xml, pinged when
                               -- a run changed the planet
  locale = nil,                -- month and day names in dates: 'de', 'fr_FR', ... (see
                               -- orrery.locale; default English)
  feeds = {},
}

-- Keys whose default is nil (absent from the table above): their types.
local optional_keys = { description = 'string', user_agent = 'string', filter = 'string|table|function',
  exclude = 'string|table|function', hub = 'string', locale = 'string' }

local feed_keys = {
  url = 'string', name = 'string', recipe = 'string', options = 'table', link = 'string',
  face = 'string', enabled = 'boolean', title = 'string', full_article = 'boolean|string',
  language = 'string',         -- what its entries are written in, when the feed says nothing or wrong
  vars = 'table',              -- extra template variables of this feed (channel_<key>)
  filter = 'string|table|function', exclude = 'string|table|function',   -- as the planet's
  keep_entries = 'number', keep_days = 'number',                          -- as the planet's
  -- HTTP for this feed (docs/fetching.md)
  user_agent = 'string', timeout = 'number', interval = 'number', proxy = 'string',
  headers = 'table',           -- { ['Header-Name'] = 'value' }
  cookies = 'string|table',    -- 'a=1; b=2' or { a = '1', b = '2' }
  auth = 'table',              -- Basic auth { user =, password = } or { user =, password_env = }
  url_written = 'string',      -- (set by validate: the url as written)
}

--- Raise a config error unless zone is 'UTC', 'local' or a zone of the tz database.
--- (The C library would take a misspelt name silently, as UTC.)
function M.check_zone(zone)
  if zone == 'UTC' or zone == 'local' then return end
  local tzdir = os.getenv('TZDIR') or '/usr/share/zoneinfo'
  local st = not zone:find('%.%.') and zone:match('^[%w_+-][%w_/+-]*$')
    and require('orrery._fs').stat(tzdir .. '/' .. zone)
  if not st or st.type ~= 'file' then
    error(string.format("config: time_zone %q is not 'UTC', 'local' or a zone in %s (e.g. 'Europe/Berlin')",
      zone, tzdir), 0)
  end
end

-- A feed's URL from the config: an http(s) URL (user:password@ allowed: used for fetching,
-- never shown), or the path of a local file (returned as a file:// URL).  Anything else
-- (file://, ftp://, javascript:, "http//host") is a config error naming the feed.
local function feed_url(p, url, dir)
  local function bad(why) error(string.format('config: %s.url %q: %s', p, url, why), 0) end
  local scheme = url:match('^(%a[%w+.-]*):')
  if scheme then
    scheme = scheme:lower()
    if scheme == 'file' then bad('file: URLs are not fetched; give the path of the file instead') end
    if scheme ~= 'http' and scheme ~= 'https' then bad('only http and https URLs (or a local path) can be feeds') end
    if not url:match('^%a+://[^/?#]') then bad('not a URL (http://host/...)') end
    if url:find('%s') then bad('a URL has no spaces (write them as %20)') end
    return url
  end
  if url:match('^%a+//') or url:match('^www%.') then
    bad('not a URL: missing "http://"? (a local path would be ./' .. url .. ')')
  end
  return 'file://' .. util.join(dir, url)
end

-- A web address the config gives for a page (the planet's link, a feed's site link).
local function web_url(path, url, relative_ok)
  if url == '' then return url end
  local ok, why = require('orrery._feed').url(url, nil)
  if not ok or (not relative_ok and not url:match('^%a[%w+.-]*://')) then
    error(string.format('config: %s %q is not an http(s) URL%s', path, url, why and (': ' .. why) or ''), 0)
  end
  return url
end

local function check(path, value, expected, optional)
  if value == nil then
    if optional then return end
    error(string.format('config: %s is required', path), 0)
  end
  for t in expected:gmatch('[^|]+') do if type(value) == t then return end end
  error(string.format('config: %s must be a %s, not a %s', path, expected:gsub('|', ' or '), type(value)), 0)
end

-- A feed's HTTP settings checked: header names and values, cookies, auth (its password
-- from the config or from an environment variable: a missing variable is an error).
local function check_http(p, f)
  for k, v in pairs(f.headers or {}) do
    if type(k) ~= 'string' or not k:match('^[%w!#$%%&\'*+.^_`|~-]+$') or type(v) ~= 'string' or v:find('[\r\n]') then
      error(string.format('config: %s.headers: %s = %s is not a header (a name and a one-line value)', p,
        tostring(k), tostring(v)), 0)
    end
  end
  if type(f.cookies) == 'table' then
    local parts = {}
    for k, v in pairs(f.cookies) do
      if type(k) ~= 'string' or type(v) ~= 'string' or k:find('[%s;=]') or v:find('[;\r\n]') then
        error(string.format('config: %s.cookies: %s = %s is not a cookie', p, tostring(k), tostring(v)), 0)
      end
      parts[#parts + 1] = k .. '=' .. v
    end
    table.sort(parts)
    f.cookies = table.concat(parts, '; ')
  elseif f.cookies and f.cookies:find('[\r\n]') then
    error(string.format('config: %s.cookies must be one line', p), 0)
  end
  local a = f.auth
  if a then
    for k in pairs(a) do
      if k ~= 'user' and k ~= 'password' and k ~= 'password_env' then
        error(string.format('config: unknown key %s.auth.%s (user, password, password_env)', p, tostring(k)), 0)
      end
    end
    check(p .. '.auth.user', a.user, 'string')
    if (a.password == nil) == (a.password_env == nil) then
      error(string.format('config: %s.auth needs password or password_env (the name of an environment variable)', p), 0)
    end
    if a.password_env then
      check(p .. '.auth.password_env', a.password_env, 'string')
      local secret = os.getenv(a.password_env)
      if not secret then
        error(string.format('config: %s.auth.password_env: the environment variable %s is not set', p,
          a.password_env), 0)
      end
      f.auth = { user = a.user, password = secret, password_env = a.password_env }
    else
      check(p .. '.auth.password', a.password, 'string')
    end
    if a.user:find(':') then error(string.format('config: %s.auth.user cannot contain ":"', p), 0) end
  end
  for _, k in ipairs({ 'timeout', 'interval', 'keep_entries', 'keep_days' }) do
    if f[k] and f[k] < 0 then error(string.format('config: %s.%s cannot be negative', p, k), 0) end
  end
  if f.proxy and not f.proxy:match('^%a[%w+.-]*://[^/?#]') then
    error(string.format('config: %s.proxy %q is not a proxy URL (http://host:port, socks5://host:port)', p, f.proxy), 0)
  end
end

--- Validate a config table in place and fill in defaults.  Raises "config: ..." errors.
---@param cfg table
---@param dir string directory the config came from (for relative paths)
---@return table cfg
function M.validate(cfg, dir)
  check('config', cfg, 'table')
  for k, v in pairs(cfg) do
    if type(k) ~= 'string' or (M.defaults[k] == nil and not optional_keys[k]) then
      error(string.format('config: unknown key %s', tostring(k)), 0)
    end
    local d = M.defaults[k]
    if k == 'dedupe' then
      if v ~= false and v ~= 'first' and v ~= 'order' and v ~= 'longest' then
        error("config: dedupe must be 'first', 'order', 'longest' or false", 0)
      end
    elseif d ~= nil then check(k, v, type(d))
    else check(k, v, optional_keys[k]) end
  end
  for k, v in pairs(M.defaults) do
    if cfg[k] == nil then cfg[k] = type(v) == 'table' and util.copy(v) or v end
  end
  web_url('link', cfg.link)
  if cfg.hub then web_url('hub', cfg.hub) end
  if cfg.locale then require('orrery.locale').check(cfg.locale) end
  for k in pairs(cfg.owner) do
    if k ~= 'name' and k ~= 'email' then error('config: unknown key owner.' .. tostring(k), 0) end
  end
  if cfg.concurrency < 1 then error('config: concurrency must be at least 1', 0) end
  if math.type(cfg.archive_page_entries) ~= 'integer' or cfg.archive_page_entries < 0 then
    error('config: archive_page_entries must be a whole number, 0 or more', 0)
  end
  if cfg.article_hosts ~= 'any' and cfg.article_hosts ~= 'same' then
    error("config: article_hosts must be 'any' or 'same'", 0)
  end
  if cfg.keep_documents ~= 'all' and cfg.keep_documents ~= 'problems' and cfg.keep_documents ~= 'none' then
    error("config: keep_documents must be 'all', 'problems' or 'none'", 0)
  end
  local seen = {}
  for i, f in ipairs(cfg.feeds) do
    local p = string.format('feeds[%d]', i)
    check(p, f, 'table')
    for k, v in pairs(f) do
      if not feed_keys[k] then error(string.format('config: unknown key %s.%s', p, tostring(k)), 0) end
      if k == 'full_article' then
        if v ~= true and v ~= false and v ~= 'always' then
          error(string.format("config: %s.full_article must be true, false or 'always'", p), 0)
        end
      else
        check(p .. '.' .. k, v, feed_keys[k])
      end
    end
    check(p .. '.url', f.url, 'string')
    check_http(p, f)
    if seen[f.url] then error(string.format('config: %s.url %s is listed twice', p, f.url), 0) end
    seen[f.url] = true
    f.url_written = f.url                   -- (as planet.lua has it: health.html names the line)
    f.url = feed_url(p, f.url, dir)
    if f.link then web_url(p .. '.link', f.link) end
    if f.face then web_url(p .. '.face', f.face, true) end   -- (relative: an image beside the pages)
    if f.language then                      -- (kept as HTML's lang="" takes it: "pt_BR" -> "pt-BR")
      local tag = parse.language(f.language)
      if not tag then
        error(string.format('config: %s.language %q is no language tag (such as "de" or "pt-BR")', p, f.language), 0)
      end
      f.language = tag
    end
    f.name = f.name or f.title or f.url
    f.options = f.options or {}
    if f.enabled == nil then f.enabled = true end
  end
  cfg.dir = dir
  for _, k in ipairs({ 'output_dir', 'database', 'recipes_dir' }) do
    cfg[k] = util.join(dir, cfg[k])
  end
  for _, k in ipairs({ 'templates', 'static' }) do
    for i, p in ipairs(cfg[k]) do
      check(string.format('%s[%d]', k, i), p, 'string')
      cfg[k][i] = util.join(dir, p)
    end
  end
  if cfg.layout:find('/') then cfg.layout = util.join(dir, cfg.layout) end
  for _, k in ipairs({ 'keep_entries', 'keep_days', 'host_spacing' }) do
    if cfg[k] < 0 then error(string.format('config: %s cannot be negative', k), 0) end
  end
  require('orrery.shown').check_filters(cfg)
  if cfg.locale then
    cfg.date_format, cfg.day_format, cfg.month_format = require('orrery.locale').formats(cfg, M.defaults)
  end
  M.check_zone(cfg.time_zone)
  for prefix, to in pairs(cfg.mirror) do
    if type(prefix) ~= 'string' or type(to) ~= 'string' then
      error('config: mirror maps URL prefixes (strings) to URLs or paths (strings)', 0)
    end
    -- a path: a local copy, relative to the config
    if not to:match('^%a[%w+.-]*:') then cfg.mirror[prefix] = 'file://' .. util.join(dir, to) end
  end
  return cfg
end

--- Validate a config table built in code; paths are relative to dir.  Returns cfg or nil, err.
function M.from_table(cfg, dir)
  dir = require('orrery._fs').realpath(dir) or dir
  local ok, res = pcall(M.validate, cfg, dir)
  if not ok then return nil, tostring(res) end
  return res
end

--- Load and validate a planet file.  Returns cfg or nil, err.
---@param path string
---@param override table|nil keys that replace the file's (e.g. feeds = {...})
---@return table|nil, string|nil
function M.load(path, override)
  local chunk, err = loadfile(path, 't')
  if not chunk then return nil, err end
  local ok, cfg = pcall(chunk)
  if not ok then return nil, path .. ': ' .. tostring(cfg) end
  if type(cfg) == 'table' then
    for k, v in pairs(override or {}) do cfg[k] = v end
  end
  local res
  res, err = M.from_table(cfg, util.dirname(path))
  if not res then return nil, path .. ': ' .. err end
  res.path = path
  return res
end

return M
