-- The command line as cron and people meet it: every --help says exactly what its parser
-- takes; exit statuses as documented (README and `orrery help exit`), driven from a cron-like
-- environment (no terminal, no stdin); -q prints exactly the failing feeds; the man page and
-- the completion come from the same tables.
local helper = require('helper')
local fs = require('orrery._fs')
local cli = require('orrery.cli')
local common = require('orrery.cmd.common')

-- run orrery as cron does: stdin from /dev/null, stdout and stderr to files (no terminal)
local function cron(args)
  local quoted = {}
  for i, a in ipairs(args) do quoted[i] = helper.sh_quote(a) end
  return helper.sh(helper.sh_quote(helper.bin) .. ' ' .. table.concat(quoted, ' ') .. ' </dev/null')
end

describe('orrery help and --help', function()
  it("lists in every command's --help exactly the options its parser takes", function()
    for _, name in ipairs(cli.names) do
      local cmd = cli.command(name)
      local code, out = helper.orrery({ name, '--help' })
      assert.equals(0, code, name)
      local said = {}
      for flag in out:gmatch('%f[%w-](%-%-?[%a][%w-]*)') do
        if out:find('\n%s+' .. flag:gsub('%-', '%%-') .. '[ ,]') or out:find(', ' .. flag:gsub('%-', '%%-') .. '[ \n]') then
          said[flag] = true
        end
      end
      local spec = { ['-h'] = true, ['--help'] = true }
      for _, o in ipairs(cmd.options or {}) do
        if o.short then spec[o.short] = true end
        spec[o.long] = true
        -- and the parser takes it: a value where it wants one
        local args = { o.long }
        if o.arg then args[2] = 'x' end
        local opts = cli.parse_args(cmd, args)
        assert.is_table(opts, name .. ' ' .. o.long)
        assert.is_not_nil(opts[o.key], name .. ' ' .. o.long)
      end
      assert.same(spec, said, name)
      -- and nothing else gets past it
      local opts, err = cli.parse_args(cmd, { '--no-such-option' })
      assert.is_nil(opts)
      assert.matches('unknown option', err)
    end
  end)

  it('answers help COMMAND, help exit, and writes the man page and completion from the same tables', function()
    local code, out = helper.orrery({ 'help', 'status' })
    assert.equals(0, code)
    assert.equals(select(2, helper.orrery({ 'status', '--help' })), out)
    code, out = helper.orrery({ 'help', 'exit' })
    assert.equals(0, code)
    for _, e in ipairs(common.exit) do assert.matches(tostring(e.code) .. '  ' .. e.name, out, 1, true) end
    local _, man = helper.orrery({ 'help', '--man' })
    assert.matches('^%.TH ORRERY 1', man)
    local _, completion = helper.orrery({ 'help', '--completion' })
    for _, name in ipairs(cli.names) do
      assert.matches('.SS ' .. name:gsub('%-', '\\-'), man, 1, true)
      assert.matches(name, completion, 1, true)
      for _, o in ipairs(cli.command(name).options or {}) do
        assert.matches((o.long:gsub('%-', '\\-')), man, 1, true)
        assert.matches(o.long, completion, 1, true)
      end
    end
    assert.equals(2, (helper.orrery({ 'help', 'no-such-topic' })))
  end)

  it("prints status's columns, every one of them named in its --help", function()
    local dir = helper.tmpdir()
    local path = helper.write_planet(dir, { name = 'P', output_dir = 'out', database = 'planet.db', feeds = {} })
    local _, out = helper.orrery({ 'status', '-c', path })
    local _, help = helper.orrery({ 'status', '--help' })
    local header = out:match('^[^\n]+')
    for col in header:gsub('LAST ERROR', 'LAST_ERROR'):gmatch('%S+') do
      assert.matches(col:gsub('_', ' '), help, 1, true)
    end
  end)

  it('has the exit statuses in README.md exactly as orrery help exit gives them', function()
    local readme = assert(fs.read(helper.root .. '/README.md'))
    for _, e in ipairs(common.exit) do
      assert.matches('| `' .. e.code .. '` | ' .. e.help .. ' |', readme, 1, true)
    end
  end)
end)

describe('exit statuses and -q, as cron runs orrery (end to end)', function()
  local srv, dir, path
  setup(function()
    srv = helper.server(helper.root .. '/tests/fixtures/http')
    dir = helper.tmpdir()
    path = helper.write_planet(dir, {
      name = 'Cron', output_dir = 'out', database = 'planet.db', timeout = 5,
      feeds = {
        { url = srv.url('alpha.rss'), name = 'Alpha' },
        { url = srv.url('status/500'), name = 'Broken' },
        { url = srv.url('status/404'), name = 'Missing' },
        { url = srv.url('status/410'), name = 'Gone' },
      },
    })
  end)
  teardown(function() srv.stop() end)

  it('exits 3 with -q printing exactly the failing feeds, one line each (name, URL, cause, since when)', function()
    local code, out, err = cron({ 'run', '-q', '-c', path })
    assert.equals(common.FEEDS, code)
    assert.equals('', out)
    local lines = {}
    for l in err:gmatch('[^\n]+') do lines[#lines + 1] = l end
    assert.equals(3, #lines, err)
    table.sort(lines)
    assert.matches('^Broken <http://127%.0%.0%.1:%d+/status/500>: HTTP 500 %(failing since %d%d%d%d%-%d%d%-%d%d %d%d:%d%d UTC', lines[1])
    assert.matches('^Gone <.->: HTTP 410 Gone: the feed was removed %(failing since .-; not fetched again', lines[2])
    assert.matches('^Missing <.->: HTTP 404 %(failing since ', lines[3])
  end)

  it('still exits 3 and lists them while they back off, and status agrees', function()
    -- the second failure in a row: backed off for half an hour
    cron({ 'run', '-q', '-c', path })
    local code, out, err = cron({ 'run', '-q', '-c', path })
    assert.equals(common.FEEDS, code)
    assert.equals('', out)
    assert.matches('Broken <.->: HTTP 500 %(failing since .-; next attempt ', err)
    assert.matches('Gone <', err)
    assert.equals(3, select(2, err:gsub('\n', '')))
    local scode, sout = cron({ 'status', '-c', path })
    assert.equals(common.FEEDS, scode)
    assert.matches('FAIL +Broken', sout)
    local jcode, jout = cron({ 'status', '--json', '-c', path })
    assert.equals(common.FEEDS, jcode)
    local states = {}
    for _, f in ipairs(require('orrery.json').decode(jout)) do states[f.name] = f.state end
    assert.same({ Alpha = 'ok', Broken = 'FAIL', Missing = 'FAIL', Gone = 'gone' }, states)
  end)

  it('exits 0 and -q says nothing when every feed is fine', function()
    local d = helper.tmpdir()
    local p = helper.write_planet(d, { name = 'Fine', output_dir = 'out', database = 'planet.db',
      feeds = { { url = srv.url('alpha.rss'), name = 'Alpha' } } })
    local code, out, err = cron({ 'run', '-q', '-c', p })
    assert.equals(common.OK, code)
    assert.equals('', out .. err)
    assert.equals(common.OK, (cron({ 'status', '-c', p })))
  end)

  it('exits 4 for a configuration error and 2 for a wrong command line, fetching nothing', function()
    local d = helper.tmpdir()
    assert(fs.write(d .. '/planet.lua', 'return { feeds = { { url = "ftp://x.example/f" } } }'))
    srv.reset()
    local code, _, err = cron({ 'run', '-q', '-c', d .. '/planet.lua' })
    assert.equals(common.CONFIG, code)
    assert.matches('config: feeds%[1%]%.url', err)
    assert.equals(1, select(2, err:gsub('\n', '')))
    assert.equals(common.CONFIG, (cron({ 'run', '-c', d .. '/missing.lua' })))
    assert.equals(common.USAGE, (cron({ 'run', '--no-such-flag' })))
    assert.equals(common.USAGE, (cron({ 'parse' })))
    assert.equals(0, #srv.stats())
  end)

  it('exits 5 when nothing can be written', function()
    local d = helper.tmpdir()
    assert(fs.write(d .. '/blocker', 'a file where the output directory should be'))
    local p = helper.write_planet(d, { name = 'W', output_dir = 'blocker/out', database = 'planet.db',
      feeds = { { url = srv.url('alpha.rss'), name = 'Alpha' } } })
    local code, _, err = cron({ 'run', '-q', '-c', p })
    assert.equals(common.WRITE, code)
    assert.matches('output directory', err)
    p = helper.write_planet(d, { name = 'W', output_dir = 'out', database = 'blocker/planet.db',
      feeds = { { url = srv.url('alpha.rss'), name = 'Alpha' } } })
    code, _, err = cron({ 'refresh', '-q', '-c', p })
    assert.equals(common.WRITE, code)
    assert.matches('database', err)
  end)

  it('prints plain lines on a pipe without -q: the summary, no progress line', function()
    local code, out, err = cron({ 'run', '--force', '-c', path })
    assert.equals(common.FEEDS, code)
    assert.equals('', out)
    assert.is_nil(err:find('\r', 1, true))
    assert.is_nil(err:find('\27[', 1, true))
    assert.matches('3 of 4 feeds failing:', err, 1, true)
    assert.matches('refreshed 4 feeds', err, 1, true)
    assert.matches('rendered %d+ files into %S*out: %d+ written, %d+ unchanged', err)
  end)
end)
