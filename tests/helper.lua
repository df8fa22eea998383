--- Test helpers: fixtures, temporary directories, the loopback fixture server, and
--- running the real orrery binary.  Loaded by busted (see .busted) and by specs.
local cfs = require('orrery._fs')

local M = {}

M.root = (os.getenv('ORRERY_ROOT') or '.')
M.bin = M.root .. '/orrery'

--- The bytes of tests/fixtures/<path>.
function M.fixture(path)
  return assert(cfs.read(M.root .. '/tests/fixtures/' .. path))
end

--- A new empty directory under tests/tmp (removed by `make clean`).
function M.tmpdir()
  local base = M.root .. '/tests/tmp'
  assert(cfs.mkdirs(base))
  for _ = 1, 100 do
    local dir = string.format('%s/%d-%d', base, os.time(), math.random(1, 1e9))
    if not cfs.stat(dir) then
      assert(cfs.mkdirs(dir))
      return dir
    end
  end
  error('cannot make a temporary directory')
end

local function sh_quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end
M.sh_quote = sh_quote

--- Run a shell command; returns exit code, stdout, stderr.
function M.sh(cmd)
  local dir = M.tmpdir()
  local ok, _, code = os.execute(string.format('(%s) >%s/out 2>%s/err', cmd, dir, dir))
  local out = cfs.read(dir .. '/out') or ''
  local err = cfs.read(dir .. '/err') or ''
  return ok and 0 or code, out, err
end

--- Run the orrery binary with args (a list); returns exit code, stdout, stderr.
function M.orrery(args)
  local parts = { sh_quote(M.bin) }
  for _, a in ipairs(args) do parts[#parts + 1] = sh_quote(a) end
  return M.sh(table.concat(parts, ' '))
end

local function sleep(s) os.execute('sleep ' .. s) end
M.sleep = sleep

--- Start the fixture server over `root`; returns { port =, url = fn(path), stop = fn,
--- stats = fn() -> list of {path, status, inm, ims, ua}, arrivals = fn() -> list of paths }.
function M.server(root)
  local dir = M.tmpdir()
  local port_file = dir .. '/port'
  local p = io.popen(string.format('python3 %s --root %s --port-file %s --max-seconds 300 >%s/log 2>&1 & echo $!',
    sh_quote(M.root .. '/tests/server.py'), sh_quote(root), sh_quote(port_file), dir))
  local pid = p:read('l')
  p:close()
  local port
  for _ = 1, 200 do
    port = cfs.read(port_file)
    if port then break end
    sleep(0.05)
  end
  assert(port, 'fixture server did not start: ' .. (cfs.read(dir .. '/log') or ''))
  local s = { port = tonumber(port), pid = pid }
  function s.url(path) return string.format('http://127.0.0.1:%d/%s', s.port, path:gsub('^/', '')) end
  function s.stop() os.execute('kill ' .. pid .. ' 2>/dev/null') end
  function s.stats()
    local res = require('orrery.fetch').one(s.url('__stats'))
    return assert(require('orrery.json').decode(assert(res.body, res.err)))
  end
  function s.arrivals()      -- every request's path as it arrived (one still stalled too)
    local res = require('orrery.fetch').one(s.url('__arrivals'))
    return assert(require('orrery.json').decode(assert(res.body, res.err)))
  end
  function s.posts()         -- every POST: { path, body, content_type }
    local res = require('orrery.fetch').one(s.url('__posts'))
    return assert(require('orrery.json').decode(assert(res.body, res.err)))
  end
  function s.reset() require('orrery.fetch').one(s.url('__reset')) end
  return s
end

--- Headless Chromium on a local page (a path, or a URL of a loopback server): `what` is 'dom' (returns exit code, the DOM after the
--- browser's parse and 3 s of virtual time) or a screenshot path (returns exit code).
function M.chromium(page, what, dir)
  local browser
  for _, name in ipairs({ 'chromium', 'chromium-browser', 'google-chrome' }) do
    if M.sh('command -v ' .. name) == 0 then browser = name break end
  end
  if not browser then return nil, 'no chromium: make deps installs it' end
  local flags = '--headless=new --no-sandbox --disable-gpu --no-first-run --disable-extensions '
    .. '--user-data-dir=' .. sh_quote(dir .. '/chromium') .. ' --virtual-time-budget=3000 '
    .. '--window-size=1280,4000 '
  local url = page:match('^https?://') and page or 'file://' .. cfs.realpath(page)
  if what == 'dom' then
    local rc, dom, err = M.sh(string.format('timeout 120 %s %s --dump-dom %s 2>/dev/null', browser, flags,
      sh_quote(url)))
    return rc, dom, err
  end
  return (M.sh(string.format('timeout 120 %s %s --screenshot=%s %s 2>/dev/null', browser, flags,
    sh_quote(what), sh_quote(url))))
end

--- A copy of the example planet (examples/planet) that writes into a new temporary
--- directory, rendered once with `orrery run`.  Returns that directory.
function M.demo_planet()
  local dir = M.tmpdir()
  local src = M.root .. '/examples/planet'
  local planet = assert(cfs.read(src .. '/planet.lua'))
    :gsub("output_dir = '[^']*'", "output_dir = '" .. dir .. "/out'")
    :gsub("database = '[^']*'", "database = '" .. dir .. "/planet.db'")
    :gsub("url = 'feeds/", "url = '" .. src .. "/feeds/")
    :gsub("= 'sites/", "= '" .. src .. "/sites/")
  planet = planet:gsub('recipes_dir', 'x'):gsub('return {', "return {\n  recipes_dir = '" .. src .. "/recipes',", 1)
  assert(cfs.write(dir .. '/planet.lua', planet))
  local code, out, err = M.orrery({ 'run', '-q', '-c', dir .. '/planet.lua' })
  assert(code == 0, 'exit ' .. tostring(code) .. ': ' .. out .. err)
  return dir
end

--- Write a planet.lua into dir from a Lua table (serialized), return its path.
function M.write_planet(dir, cfg)
  local function ser(v, ind)
    if type(v) == 'table' then
      local out = { '{\n' }
      for k, x in pairs(v) do
        local key = type(k) == 'number' and '' or ('[' .. string.format('%q', k) .. '] = ')
        out[#out + 1] = ind .. '  ' .. key .. ser(x, ind .. '  ') .. ',\n'
      end
      out[#out + 1] = ind .. '}'
      return table.concat(out)
    end
    return string.format('%q', v)
  end
  -- arrays must keep their order: serialize them with ipairs
  local function ser_ordered(v, ind)
    if type(v) ~= 'table' then return ser(v, ind) end
    local out = { '{\n' }
    for _, x in ipairs(v) do out[#out + 1] = ind .. '  ' .. ser_ordered(x, ind .. '  ') .. ',\n' end
    for k, x in pairs(v) do
      if math.type(k) ~= 'integer' then
        out[#out + 1] = ind .. '  [' .. string.format('%q', k) .. '] = ' .. ser_ordered(x, ind .. '  ') .. ',\n'
      end
    end
    out[#out + 1] = ind .. '}'
    return table.concat(out)
  end
  local path = dir .. '/planet.lua'
  assert(cfs.write(path, 'return ' .. ser_ordered(cfg, '') .. '\n'))
  return path
end

return M
