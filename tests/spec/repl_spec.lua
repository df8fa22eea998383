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
      'why(entries{feed="Quill", limit=1}[1])',
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
    assert.matches('SHOWN  [^\n]+\n  stored from Quill Journal', out)
  end)

  it("reports a person's mistakes in one line naming the argument, and reads dates as people write them", function()
    local function eval(code)
      return helper.orrery({ 'repl', '-c', dir .. '/planet.lua', '-e', code })
    end
    for _, c in ipairs({
      { "entries{since='last tuesday'}", 'error: entries: since: cannot read "last tuesday" as a date' },
      { 'entries{sinse=1}', 'error: entries: unknown filter sinse' },
      { "entries{order='random'}", 'error: entries: unknown order random' },
      { "feed('no such feed')", 'error: no feed matches "no such feed"' },
      { 'search("")', 'error: search: give some words' },
    }) do
      local code, out = eval(c[1])
      assert.equals(1, code, c[1])
      assert.matches(c[2], out, 1, true)
      assert.equals(1, select(2, out:gsub('\n', '')), c[1] .. ': ' .. out)   -- one line, no traceback
    end
    for _, since in ipairs({ 'yesterday', 'today', 'last week', '3 days ago', '12h', '2w', '2026-11-01' }) do
      local code, out = eval(string.format('#entries{since=%q, limit=1000}', since))
      assert.equals(0, code, since .. ': ' .. out)
      assert.matches('^%d+\n$', out)
    end
    -- dates of a feed as ISO 8601, UTC and local
    local _, out = eval("feed('Teapot')")
    assert.matches('last_success +%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d:%d%dZ %(', out)
    -- help(fn) for every function of the REPL
    for _, fn in ipairs({ 'feeds', 'feed', 'entries', 'search', 'show', 'stats.by_feed', 'stats.by_day', 'document',
        'fetch_log', 'refresh', 'try', 'render', 'help' }) do
      local code, text = eval('help(' .. fn .. ')')
      assert.equals(0, code)
      assert.matches('^' .. fn:gsub('%.', '%%.') .. '[({]', text)
    end
  end)

  it('completes names without metamethods', function()
    local repl = require('orrery.repl')
    local env = repl.env(nil, nil)
    local got = repl.complete(env, 'orrery.db.')
    assert.is_true(#got > 0)
    for _, c in ipairs(repl.complete(setmetatable({ x = setmetatable({}, { __index = { __gc = 1, ok = 2 } }) },
        { __index = _G }), 'x:')) do
      assert.is_nil(c:find('__', 1, true), c)
    end
    assert.same({ 'string.byte' }, repl.complete(env, 'string.byt'))
    -- after ':' only methods
    local obj = setmetatable({ field = 1 }, { __index = { method = function() end } })
    assert.same({ 'o:method' }, repl.complete(setmetatable({ o = obj }, { __index = _G }), 'o:'))
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
      -- the history is written as the REPL exits: wait for what it says, not for the file
      -- (it exists, still empty, for a moment; under ASan a CI run read it then)
      local hist
      for _ = 1, 100 do
        hist = fs.read(dir .. '/hist')
        if hist and hist:find('for i = 1, 3 do', 1, true) then break end
        helper.sleep(0.1)
      end
      assert.matches('for i = 1, 3 do', hist or '')
    end)
    tmux('kill-session -t ' .. session)
    assert(ok, err)
  end)
end)
