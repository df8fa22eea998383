local store = require('orrery.store')
local query = require('orrery.query')
local helper = require('helper')

describe('orrery.query', function()
  local st
  setup(function()
    st = assert(store.open(helper.tmpdir() .. '/q.db'))
    local a = st:feed('https://a.example/feed', 'Alice Writes')
    local b = st:feed('https://b.example/feed', 'Bob on Python')
    local function e(guid, title, date, extra)
      local t = { guid = guid, title = title, published = date, tags = {}, enclosures = {} }
      for k, v in pairs(extra or {}) do t[k] = v end
      return t
    end
    st:save_entries(a.id, {
      e('a1', 'Free threading in 3.14', 1775030400, { author = 'Alice', tags = { 'Python', 'perf' },
        content = '<p>The <b>free-threaded</b> build removes the GIL.</p>' }),
      e('a2', 'Gardening notes', 1774944000, { author = 'Alice', summary = '<p>Tomatoes and threads of sunlight</p>' }),
    }, 1780000000, 86400)
    st:save_entries(b.id, {
      e('b1', 'Threading vs asyncio', 1774857600, { author = 'Bob', tags = { 'python' },
        content = '<p>When to use threads, when to use asyncio.</p>' }),
      e('b2', 'Café culture', 1774771200, { author = 'Bob', content = '<p>Déjà vu at the café</p>' }),
    }, 1780000000, 86400)
  end)
  teardown(function() st:close() end)

  it('gives templates at most days_per_page days, and excerpts of the text', function()
    local layout = require('orrery.layout')
    local by_id = {}
    for _, f in ipairs(st:feeds()) do by_id[f.id] = { id = f.id, name = f.name } end
    local cfg = require('orrery.config').validate({ days_per_page = 2, excerpt_length = 12 }, '/tmp')
    local rows = query.entries(st, { limit = 10 })
    local entries, days = layout.entries_by_day(cfg, rows, by_id, cfg.days_per_page)
    assert.equals(2, #days)
    assert.equals(2, #entries)
    assert.equals('The…', entries[1].excerpt)                 -- cut at a word, markup gone
    cfg.excerpt_length = 500
    local all = layout.entries_by_day(cfg, rows, by_id, 0)
    assert.equals(4, #all)
    assert.equals('The free-threaded build removes the GIL.', all[1].excerpt)
  end)

  it('shows dates and groups days in the planet\'s time zone', function()
    local layout = require('orrery.layout')
    local by_id = {}
    for _, f in ipairs(st:feeds()) do by_id[f.id] = { id = f.id, name = f.name } end
    local rows = query.entries(st, { limit = 1 })                  -- 2026-04-01 08:00 UTC
    local cfg = require('orrery.config').validate({ date_format = '%Y-%m-%d %H:%M %Z' }, '/tmp')
    local e = layout.entries_by_day(cfg, rows, by_id, 0)[1]
    assert.equals('2026-04-01 08:00 UTC', e.date_text)
    cfg = require('orrery.config').validate({ date_format = '%Y-%m-%d %H:%M %Z', time_zone = 'America/Los_Angeles' }, '/tmp')
    e = layout.entries_by_day(cfg, rows, by_id, 0)[1]
    assert.equals('2026-04-01 01:00 PDT', e.date_text)
    cfg = require('orrery.config').validate({ time_zone = 'Pacific/Pago_Pago', day_format = '%d %B' }, '/tmp')
    e = layout.entries_by_day(cfg, rows, by_id, 0)[1]
    assert.equals('2026-03-31', e.day)                             -- 21:00 the day before, at UTC-11
    assert.equals('31 March', e.day_text)
    cfg = require('orrery.config').validate({ time_zone = 'Asia/Tokyo' }, '/tmp')
    assert.equals('17:00 JST', require('orrery._util').strftime('%H:%M %Z', rows[1].date, cfg.time_zone))
    assert.is_nil(os.getenv('TZ'))                                -- put back after each call
    local ok, err = pcall(require('orrery.config').validate, { time_zone = 'Europe/Berln' }, '/tmp')
    assert.is_false(ok)
    assert.matches("time_zone \"Europe/Berln\" is not 'UTC', 'local' or a zone", err)
    ok, err = pcall(require('orrery.config').validate, { time_zone = '../../etc/passwd' }, '/tmp')
    assert.is_false(ok)
    assert.matches('time_zone', err)
  end)

  local function titles(list)
    local t = {}
    for i, e in ipairs(list) do t[i] = e.title end
    return t
  end

  it('finds a feed by id, URL, name or a unique part of it', function()
    assert.equals('Alice Writes', query.feed(st, 'https://a.example/feed').name)
    assert.equals('Bob on Python', query.feed(st, 'bob on python').name)
    assert.equals('Bob on Python', query.feed(st, 'Python').name)
    local id = query.feed(st, 'Alice').id
    assert.equals('Alice Writes', query.feed(st, id).name)
    local none, err = query.feed(st, 'Carol')
    assert.is_nil(none)
    assert.matches('no feed matches', err)
  end)

  it('lists feeds with counts', function()
    local feeds = query.feeds(st)
    assert.equals(2, #feeds)
    assert.equals(2, feeds[1].entries)
    assert.equals(1775030400, feeds[1].newest)
  end)

  it('filters entries by feed, date, author and tag, in the order asked', function()
    assert.same({ 'Free threading in 3.14', 'Gardening notes', 'Threading vs asyncio', 'Café culture' },
      titles(query.entries(st)))
    assert.same({ 'Threading vs asyncio', 'Café culture' }, titles(query.entries(st, { feed = 'Bob' })))
    assert.same({ 'Free threading in 3.14', 'Gardening notes' }, titles(query.entries(st, { since = '2026-03-31' })))
    assert.same({ 'Threading vs asyncio', 'Café culture' }, titles(query.entries(st, { ['until'] = '2026-03-31' })))
    assert.same({ 'Threading vs asyncio', 'Café culture' }, titles(query.entries(st, { author = 'bob' })))
    assert.same({ 'Free threading in 3.14', 'Threading vs asyncio' }, titles(query.entries(st, { tag = 'python' })))
    assert.same({ 'Café culture', 'Threading vs asyncio' }, titles(query.entries(st, { order = 'oldest', limit = 2 })))
    assert.has_error(function() query.entries(st, { colour = 'red' }) end)
    assert.has_error(function() query.entries(st, { since = 'last tuesday' }) end)
  end)

  it('searches full text with ranking, accents folded, markup ignored', function()
    local r = query.search(st, 'threading')
    assert.same({ 'Threading vs asyncio', 'Free threading in 3.14' }, titles(r))
    assert.matches('%[GIL%]', query.search(st, 'gil')[1].snippet)
    assert.same({ 'Café culture' }, titles(query.search(st, 'cafe')))
    assert.same({ 'Free threading in 3.14' }, titles(query.search(st, 'free threaded GIL')))
    assert.same({}, titles(query.search(st, 'href')))           -- tags are not words
    assert.same({ 'Gardening notes' }, titles(query.search(st, 'tomatoes', { feed = 'Alice' })))
    assert.same({}, titles(query.search(st, '"unbalanced (quote')))
  end)

  it('keeps the index in step when entries change', function()
    local feed = query.feed(st, 'Alice')
    st:save_entries(feed.id, { { guid = 'a2', title = 'Gardening notes', published = 1774944000,
      summary = '<p>Now about zucchini</p>', tags = {}, enclosures = {} } }, 1780000000, 86400)
    assert.same({}, titles(query.search(st, 'tomatoes')))
    assert.same({ 'Gardening notes' }, titles(query.search(st, 'zucchini')))
  end)

  it('counts by feed and by day', function()
    local by_feed = query.by_feed(st)
    assert.equals(2, by_feed[1].entries)
    local by_day = query.by_day(st)
    assert.equals('2026-04-01', by_day[1].day)
    assert.equals(1, by_day[1].entries)
  end)

  it('keeps the last document and a bounded fetch log per feed', function()
    local feed = query.feed(st, 'Alice')
    st:save_document(feed.id, 1000, { url = 'https://a.example/feed', status = 200, body = '<rss/>' })
    assert.equals('<rss/>', query.document(st, 'Alice').body)
    for i = 1, store.LOG_KEEP + 5 do st:log_fetch(feed.id, i, { status = 200, new = i }, 10, 0.1) end
    local log = query.fetch_log(st, 'Alice', 1000)
    assert.equals(store.LOG_KEEP, #log)
    assert.equals(store.LOG_KEEP + 5, log[1].new)
    local doc, err = query.document(st, 'Bob')
    assert.is_nil(doc)
    assert.matches('no document', err)
  end)
end)

describe('orrery.pretty', function()
  local pretty = require('orrery.pretty')
  it('fits entry rows to the width and cuts with a marker', function()
    local list = setmetatable({ { title = string.rep('long title ', 20), date = 0, feed_name = 'Feed' } },
      query.EntryList)
    local text = pretty.format(list, 60)
    assert.is_true(utf8.len(text) <= 60)
    assert.matches('…$', text)
  end)
  it('renders entry HTML as text', function()
    local t = pretty.html_to_text('<p>One <a href="https://x/">link</a></p><ul><li>a</li></ul><pre>  keep\n    this</pre>', 80)
    assert.matches('One link %[https://x/%]', t)
    assert.matches('• a', t)
    assert.matches('\n  keep\n    this', t)
  end)
end)
