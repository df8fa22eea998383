-- The deployment examples work as shipped: the systemd units pass systemd-analyze verify
-- (with the binary and man page this checkout builds), and the cron line's options exist.
local helper = require('helper')
local fs = require('orrery._fs')

describe('deployment (docs/deploying.md, examples/systemd)', function()
  it('has systemd units that systemd-analyze verify accepts', function()
    if helper.sh('command -v systemd-analyze') ~= 0 then
      pending('systemd-analyze is not installed here')
      return
    end
    local dir = helper.tmpdir()
    assert(fs.mkdirs(dir .. '/man/man1'))
    local _, man = helper.orrery({ 'help', '--man' })
    assert(fs.write(dir .. '/man/man1/orrery.1', man))
    local unit = assert(fs.read(helper.root .. '/examples/systemd/orrery.service'))
    -- the binary this checkout built stands in for the installed one
    assert(fs.write(dir .. '/orrery.service', (unit:gsub('/usr/local/bin/orrery', fs.realpath(helper.bin)))))
    assert(fs.write(dir .. '/orrery.timer', assert(fs.read(helper.root .. '/examples/systemd/orrery.timer'))))
    local code, out, err = helper.sh(string.format('MANPATH=%s/man systemd-analyze verify %s/orrery.service %s/orrery.timer',
      dir, dir, dir))
    assert.equals(0, code, out .. err)
    assert.equals('', out .. err)
  end)

  it('uses only options orrery has, in the service and the cron line', function()
    local unit = assert(fs.read(helper.root .. '/examples/systemd/orrery.service'))
    local doc = assert(fs.read(helper.root .. '/docs/deploying.md'))
    local cli = require('orrery.cli')
    for _, line in ipairs({ unit:match('ExecStart=%S+ (.-)\n'), doc:match('%*/30 %* %* %* %*%s+orrery (.-)\n') }) do
      local args = {}
      for w in line:gmatch('%S+') do args[#args + 1] = w end
      local cmd = cli.command(table.remove(args, 1))
      assert.is_table(cmd, line)
      assert.is_table((cli.parse_args(cmd, args)), line)
    end
    assert.matches('SuccessExitStatus=3', unit, 1, true)
  end)
end)
