-- The REPL driven as a person would: through a pipe, and in a terminal (tmux).
local helper = require('helper')
local fs = require('orrery._fs')

local demo_planet = helper.demo_planet

describe('orrery repl', function()
  local dir
  setup(function() dir = demo_planet() end)

  it('runs a script from a pipe: expressions print, chunks continue, errors do not stop it', function()
    local script = table.concat({
      '#entries{limit=100}',
      '=search("TaskGroup")[1].title',
      'for i = 1, 2 do',
      '  print("line " .. i)',
      'end',
      'nil + 1',
      'feed("Quill").name',
      'entries{feed="Teapot", limit=1}',
    }, '\n') .. '\n'
    assert(fs.write(dir .. '/script.lua', script))
    local code, out = helper.sh(string.format('ORRERY_HISTORY=%s/hist %s repl -c %s < %s',
      dir, helper.bin, dir .. '/planet.lua', dir .. '/script.lua'))
    assert.equals(1, code)  -- one chunk failed
    assert.matches('^26\n', out)
    assert.matches('Structured concurrency with TaskGroup, one year on\n', out, 1, true)
    assert.matches('line 1\nline 2\n', out)
    assert.matches('attempt to perform arithmetic on a nil value', out, 1, true)
    assert.matches('Quill Journal\n', out, 1, true)
    assert.matches('1  2026%-11%-20  Teapot Notes', out)
  end)

  it('evaluates -e and exits', function()
    local code, out = helper.orrery({ 'repl', '-c', dir .. '/planet.lua', '-e', '#feeds()' })
    assert.equals(0, code)
    assert.equals('12\n', out)
  end)

  it('edits, completes and continues lines in a terminal', function()
    local session = 'orrery-test-' .. math.random(1, 1e9)
    local function tmux(args) return helper.sh('tmux ' .. args) end
    local function screen() return select(2, tmux('capture-pane -p -t ' .. session)) end
    local function wait_for(pat)
      for _ = 1, 100 do
        local s = screen()
        if s:find(pat) then return s end
        helper.sleep(0.1)
      end
      error('timed out waiting for ' .. pat .. ' in:\n' .. screen())
    end
    local code = tmux(string.format("new-session -d -s %s -x 120 -y 40 'cd %s && ORRERY_HISTORY=%s/hist %s repl -c planet.lua; sleep 30'",
      session, dir, dir, helper.bin))
    assert.equals(0, code)
    local ok, err = pcall(function()
      -- text goes with -l (literal: "end" is also the name of a key), keys without
      local function type_text(text) tmux(string.format("send-keys -t %s -l '%s'", session, text)) end
      local function key(k) tmux(string.format('send-keys -t %s %s', session, k)) end
      wait_for('repl')
      type_text('orrery.sto') key('Tab')
      wait_for('orrery%.store')
      key('C-u')
      type_text('sear') key('Tab')
      wait_for('> search')
      key('C-u')
      type_text('for i = 1, 3 do') key('Enter')
      wait_for('\n>>')
      type_text('print(i * 111)') key('Enter')
      type_text('end') key('Enter')
      local s = wait_for('333')
      assert.matches('111\n222\n333', s)
      type_text('db:clos') key('Tab')
      wait_for('db:close')
      tmux('send-keys -t ' .. session .. ' C-u C-d')
      for _ = 1, 50 do
        if fs.stat(dir .. '/hist') then break end
        helper.sleep(0.1)
      end
      assert.matches('for i = 1, 3 do', assert(fs.read(dir .. '/hist')))
    end)
    tmux('kill-session -t ' .. session)
    assert(ok, err)
  end)
end)
