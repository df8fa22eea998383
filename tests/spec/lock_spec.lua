-- One run at a time, end to end: a second run of a planet while one is going exits at once
-- with its own status (6), naming the holder, and fetches nothing; --wait waits for the
-- holder; a run killed with -9 leaves no lock behind; status and the REPL read while a run
-- writes.
local helper = require('helper')
local fs = require('orrery._fs')
local cutil = require('orrery._util')

describe('one run at a time (end to end)', function()
  local srv, dir, path
  setup(function()
    srv = helper.server(helper.root .. '/tests/fixtures/http')
    dir = helper.tmpdir()
    path = helper.write_planet(dir, { name = 'Lock', output_dir = 'out', database = 'planet.db', timeout = 30,
      feeds = { { url = srv.url('slow/8000/alpha.rss'), name = 'Slow' }, { url = srv.url('beta.atom'), name = 'Beta' } } })
  end)
  teardown(function() srv.stop() end)

  -- start `orrery run` in the background; returns its pid once it holds the lock
  local function start_run()
    local p = io.popen(string.format('%s run -q --force -c %s >%s/bg.log 2>&1 & echo $!', helper.sh_quote(helper.bin),
      helper.sh_quote(path), dir))
    local pid = tonumber(p:read('l'))
    p:close()
    for _ = 1, 200 do
      local note = fs.read(dir .. '/planet.db.lock')
      if note and note:find('pid ' .. pid, 1, true) then return pid end
      cutil.sleep(0.05)
    end
    error('the run did not take the lock: ' .. (fs.read(dir .. '/bg.log') or ''))
  end
  local function alive(pid) return helper.sh('kill -0 ' .. pid .. ' 2>/dev/null') == 0 end

  it('turns a second run away at once with status 6 and the holder, fetching nothing', function()
    local pid = start_run()
    -- the first run's own requests arrive first (on a loaded machine, after it took the lock)
    for _ = 1, 400 do
      if #srv.arrivals() >= 2 then break end
      cutil.sleep(0.05)
    end
    srv.reset()
    local code, out, err = helper.orrery({ 'run', '-q', '-c', path })
    local still = alive(pid)
    assert.equals(6, code, out .. err)
    assert.matches('busy: another run holds it %(orrery %(pid ' .. pid .. '%) since ', err)
    assert.equals(1, select(2, err:gsub('\n', '')))
    assert.equals(0, #srv.arrivals())                 -- it fetched nothing
    assert.is_true(still, 'the first run ended before the second was turned away')
    -- status and the REPL read while the run writes
    local scode, sout, serr = helper.orrery({ 'status', '-c', path })
    assert.is_true(scode == 0 or scode == 3, sout .. serr)
    assert.is_nil(serr:find('locked', 1, true))
    local rcode, rout = helper.orrery({ 'repl', '-c', path, '-e', '#feeds()' })
    assert.equals(0, rcode)
    assert.matches('^%d', rout)
    -- --wait waits for it
    code, out, err = helper.orrery({ 'render', '--wait', '60', '-c', path })
    assert.equals(0, code, out .. err)
    assert.is_nil((fs.read(dir .. '/bg.log') or ''):find('busy', 1, true))
  end)

  it('backs up the database consistently while a run writes it', function()
    start_run()
    local code, out, err = helper.orrery({ 'backup', '-c', path, dir .. '/copy.db' })
    assert.equals(0, code, out .. err)
    local db = assert(require('orrery._db').open(dir .. '/copy.db'))
    assert.equals('ok', db:one('PRAGMA integrity_check').integrity_check)
    assert.is_true(db:one('SELECT count(*) AS n FROM feeds').n >= 2)
    assert.equals(require('orrery.store').SCHEMA, db:one('PRAGMA user_version').user_version)
    db:close()
    assert.equals(1, (helper.orrery({ 'backup', '-c', path, dir .. '/copy.db' })))   -- never over a file
    helper.orrery({ 'render', '--wait', '60', '-c', path })
  end)

  it('is not held by a run killed with -9: the next one proceeds', function()
    local pid = start_run()
    assert.equals(0, (helper.sh('kill -9 ' .. pid)))
    for _ = 1, 100 do if not alive(pid) then break end cutil.sleep(0.05) end
    local code, out, err = helper.orrery({ 'run', '-q', '-c', path })
    assert.is_true(code == 0 or code == 3, out .. err)
    assert.is_nil(err:find('busy', 1, true))
    local db = assert(require('orrery._db').open(dir .. '/planet.db'))
    assert.equals('ok', db:one('PRAGMA integrity_check').integrity_check)
    db:close()
  end)
end)
