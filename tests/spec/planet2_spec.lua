-- Planet 2.0's template variables (orrery.planet2) from a small store.
local helper = require('helper')
local store = require('orrery.store')
local config = require('orrery.config')
local layout = require('orrery.layout')
local planet2 = require('orrery.planet2')

local DAY = 86400
local NOW = 1795435200          -- 2026-11-23 12:00 UTC

describe('orrery.planet2', function()
  local st, cfg, vars
  setup(function()
    st = assert(store.open(helper.tmpdir() .. '/p2.db'))
    cfg = config.validate({
      name = 'Planet <Test>', link = 'https://planet.test/', owner = { name = 'Ops & Co' },
      date_format = '%Y-%m-%d %H:%M', day_format = '%d %B', items_per_page = 10, activity_threshold = 30,
      new_feed_items = 2,
      feeds = {
        { url = 'https://a.test/feed', name = 'Alice', vars = { facewidth = '64' } },
        { url = 'https://b.test/feed', name = 'Bob' },
        { url = 'https://c.test/feed', name = 'Carol (quiet)' },
        { url = 'https://d.test/feed', name = 'Dan (new, big backlog)' },
      },
    }, '/tmp')
    local a = st:feed('https://a.test/feed', 'Alice')
    local b = st:feed('https://b.test/feed', 'Bob')
    local c = st:feed('https://c.test/feed', 'Carol (quiet)')
    local d = st:feed('https://d.test/feed', 'Dan (new, big backlog)')
    for _, f in ipairs({ a, b, c, d }) do st:update_feed(f.id, { last_success = NOW, link = f.url:gsub('feed$', '') }) end
    local function e(guid, title, t, extra)
      local x = { guid = guid, link = 'https://x.test/' .. guid, title = title, published = t, tags = {}, enclosures = {},
        content = '<p>' .. guid .. '</p>' }
      for k, v in pairs(extra or {}) do x[k] = v end
      return x
    end
    -- Alice and Bob were added long ago; their entries arrived one run at a time
    st:save_entries(a.id, { e('a0', 'Alice old', NOW - 20 * DAY) }, NOW - 20 * DAY, DAY)
    st:save_entries(a.id, { e('a1', 'Alice <one>', NOW - 2 * 3600, { author = 'Alice & Co' }) }, NOW - 3600, DAY)
    st:save_entries(a.id, { e('a2', 'Alice two', NOW - 3 * 3600) }, NOW - 3600, DAY)
    st:save_entries(b.id, { e('b0', 'Bob old', NOW - 25 * DAY) }, NOW - 25 * DAY, DAY)
    st:save_entries(b.id, { e('b1', 'Bob one', NOW - 4 * 3600) }, NOW - 3600, DAY)
    st:save_entries(b.id, { e('b2', 'Bob yesterday', NOW - DAY - 3600) }, NOW - 3600, DAY)
    st:save_entries(c.id, { e('c0', 'Carol long ago', NOW - 60 * DAY) }, NOW - 60 * DAY, DAY)
    -- Dan joined in the last run with five entries at once
    local backlog = {}
    for i = 1, 5 do backlog[i] = e('d' .. i, 'Dan ' .. i, NOW - 5 * DAY - i * 3600) end
    st:save_entries(d.id, backlog, NOW - 3600, DAY)
    local ctx = layout.context(cfg, st)
    ctx.planet.updated = NOW
    vars = planet2.vars(cfg, ctx)
  end)
  teardown(function() st:close() end)

  local function titles()
    local t = {}
    for i, it in ipairs(vars.Items) do t[i] = it.title end
    return t
  end

  it('gives the top-level variables, escaped as HTML', function()
    assert.equals('Planet &lt;Test&gt;', vars.name)
    assert.equals('https://planet.test/', vars.link)
    assert.equals('Ops &amp; Co', vars.owner_name)
    assert.matches('^orrery ', vars.generator)
    -- dated by the newest arrival on the page (the last run, an hour ago), not the render
    assert.equals('2026-11-23 11:00', vars.date)
    assert.equals('Mon, 23 Nov 2026 11:00:00 +0000', vars.date_822)
  end)

  it('lists Items newest first, of a new feed only new_feed_items of its backlog', function()
    assert.same({ 'Alice &lt;one&gt;', 'Alice two', 'Bob one', 'Bob yesterday', 'Dan 1', 'Dan 2', 'Alice old',
      'Bob old', 'Carol long ago' }, titles())
  end)

  it('marks the first entry of each day (new_date) and each run of a channel (new_channel)', function()
    local it = vars.Items
    assert.equals('23 November', it[1].new_date)
    assert.is_nil(it[2].new_date)
    assert.is_nil(it[3].new_date)
    assert.equals('22 November', it[4].new_date)
    assert.equals('https://a.test/feed', it[1].new_channel)
    assert.is_nil(it[2].new_channel)                         -- Alice again, same day
    assert.equals('https://b.test/feed', it[3].new_channel)
    assert.equals('https://b.test/feed', it[4].new_channel)  -- same channel, but a new day
    assert.equals('Alice', it[1].channel_name)
    assert.equals('https://a.test/', it[1].channel_link)
    assert.equals('64', it[1].channel_facewidth)
    assert.equals('Alice &amp; Co', it[1].creator)
    assert.equals('<p>a1</p>', it[1].content)
    assert.equals('2026-11-23 10:00', it[1].date)
    assert.equals('2026-11-23T10:00:00Z', it[1].date_iso)
  end)

  it('lists Channels by name, with a message for a quiet one past activity_threshold', function()
    local names, msg = {}, {}
    for i, c in ipairs(vars.Channels) do names[i] = c.name msg[c.name] = c.message end
    assert.same({ 'Alice', 'Bob', 'Carol (quiet)', 'Dan (new, big backlog)' }, names)
    assert.equals('no activity in 30 days', msg['Carol (quiet)'])
    assert.is_nil(msg.Alice)
  end)

  it('renders an htmltmpl template with them', function()
    local render = assert(require('orrery.htmltmpl').load(
      '<TMPL_LOOP Items><TMPL_IF new_date>[<TMPL_VAR new_date>]</TMPL_IF><TMPL_VAR title>;</TMPL_LOOP>', 't'))
    assert.matches('^%[23 November%]Alice &lt;one&gt;;Alice two;Bob one;%[22 November%]Bob yesterday;', render(vars))
  end)
end)
