-- make bench: full-text search over 100,000 stored entries (orrery repl's search()).
-- The peer, measured in the same run on the same database, is what a store without an
-- index would do: a LIKE scan over titles and content.  Prints medians and the ratio.
local store = require('orrery.store')
local query = require('orrery.query')
local cutil = require('orrery._util')
local cfs = require('orrery._fs')

local N = tonumber(arg[1]) or 100000
local dir = (os.getenv('TMPDIR') or '/tmp') .. '/orrery-bench-search'
cfs.mkdirs(dir)
local path = dir .. '/search-' .. N .. '.db'
os.remove(path) os.remove(path .. '-wal') os.remove(path .. '-shm')

-- a deterministic corpus: Zipf-like draws from a vocabulary of made-up and real words
math.randomseed(42)
local vocab = { 'python', 'threading', 'free', 'asyncio', 'django', 'packaging', 'typing', 'release',
  'performance', 'interpreter', 'garbage', 'collector', 'wheel', 'numpy', 'pandas', 'polars', 'rust',
  'extension', 'module', 'testing', 'pytest', 'fixture', 'decorator', 'generator', 'coroutine' }
for i = #vocab + 1, 3000 do
  local w = {}
  for j = 1, math.random(3, 9) do w[j] = string.char(96 + math.random(1, 26)) end
  vocab[i] = table.concat(w)
end
local function word()
  local r = math.random()
  return vocab[math.floor(#vocab * r ^ 3) + 1]
end
local function words(n)
  local t = {}
  for i = 1, n do t[i] = word() end
  return table.concat(t, ' ')
end

local st = assert(store.open(path))
local t0 = cutil.clock()
local feeds = {}
for i = 1, 200 do feeds[i] = st:feed('https://f' .. i .. '.example/feed', 'Feed ' .. i).id end
st:transaction(function()
  local batch = {}
  for i = 1, N do
    batch[#batch + 1] = {
      guid = 'e' .. i, title = words(6), author = 'Author ' .. (i % 500),
      content = '<p>' .. words(60) .. (i % 10000 == 7 and ' zyzzyva' or '') .. '</p><p>' .. words(60) .. '</p>',
      published = 1700000000 + i * 60, tags = {}, enclosures = {},
    }
    if #batch == 500 then
      st:save_entries(feeds[i % 200 + 1], batch, 1800000000, 86400)
      batch = {}
    end
  end
  if #batch > 0 then st:save_entries(feeds[1], batch, 1800000000, 86400) end
  return true
end)
local load_s = cutil.clock() - t0
local size = cfs.stat(path).size + (cfs.stat(path .. '-wal') or { size = 0 }).size

-- common words (in nearly every entry, like "python" on Planet Python), mid-frequency
-- words, a word in 10 entries, and one in none
local queries = { 'free threading', 'asyncio', 'python performance', 'decorator generator coroutine',
  vocab[500], vocab[2999], 'zyzzyva', 'nonexistentword' }

local function median(xs)
  table.sort(xs)
  return xs[(#xs + 1) // 2]
end

local function time_it(fn, reps)
  local ts = {}
  for r = 1, reps do
    local s = cutil.clock()
    fn()
    ts[r] = (cutil.clock() - s) * 1000
  end
  return median(ts)
end

print(string.format('search over %d entries (%d feeds); loading with the index: %.1f s, %.0f MB on disk',
  N, #feeds, load_s, size / 1e6))
print(string.format('%-32s %6s %10s %10s %12s', 'query', 'hits', 'fts5 ms', 'LIKE ms', 'LIKE / fts5'))
local worst = 0
for _, q in ipairs(queries) do
  local hits = #query.search(st, q, { limit = 20 })
  local fts = time_it(function() query.search(st, q, { limit = 20 }) end, 15)
  local like_sql = 'SELECT e.id FROM entries e WHERE 1'
  local args = {}
  for w in q:gmatch('%S+') do
    like_sql = like_sql .. " AND (e.title LIKE ? OR e.content LIKE ?)"
    args[#args + 1] = '%' .. w .. '%'
    args[#args + 1] = '%' .. w .. '%'
  end
  like_sql = like_sql .. ' ORDER BY e.date DESC LIMIT 20'
  local like = time_it(function() for _ in st.db:rows(like_sql, table.unpack(args)) do end end, 3)
  worst = math.max(worst, fts)
  print(string.format('%-32s %6d %10.2f %10.2f %12.2f', q, hits, fts, like, like / fts))
end
print(string.format('slowest search: %.2f ms (target: well under 100 ms)', worst))
st:close()
os.remove(path) os.remove(path .. '-wal') os.remove(path .. '-shm')
