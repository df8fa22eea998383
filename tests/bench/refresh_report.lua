-- The figures and ratios of tests/bench/refresh.sh, from the harness's records.
--   orrery lua tests/bench/refresh_report.lua RESULTS.jsonl OURS.jsonl N BIGDIR N_BIG THREADS
local json = require('orrery.json')
local cfs = require('orrery._fs')

local results_path, ours_path, n, big, n_big, threads = table.unpack(arg)
n, n_big = tonumber(n), tonumber(n_big)

local function lines(path)
  local out = {}
  for line in (cfs.read(path) or ''):gmatch('[^\n]+') do out[#out + 1] = json.decode(line) end
  return out
end

local rows = lines(results_path)
local function row(peer, work)
  for _, r in ipairs(rows) do
    if r.peer:find(peer, 1, true) and r.work:find(work, 1, true) then return r end
  end
  return nil
end

local runs = { { 'cold', 'refresh cold' }, { '2nd', 'refresh 2nd run' }, { 'warm', 'refresh 3rd run' },
  { 'after bump', 'refresh after bump' } }
local ours = lines(ours_path)
local floor = row('curl --parallel', 'fetch')

print(string.format('refresh, %d feeds (every one on its own host), %s transfers at once', n, threads))
print(string.format('%-34s %8s %8s %9s %8s %s', 'who, run', 'wall s', 'cpu s', 'peak MB', 'entries', 'HTTP'))
local function show(label, r)
  if not r then print(string.format('%-34s (missing)', label)) return end
  local status = r.server and r.server.status and json.encode(r.server.status) or ''
  print(string.format('%-34s %8.2f %8.2f %9.1f %8s %s', label, r.wall_s, r.cpu_s, r.rss_mb or 0,
    tostring(r.entries or '-'), status))
end
show('curl --parallel (transport floor)', floor)
for _, peer in ipairs({ { 'newsboat', 'newsboat -x reload' }, { 'orrery', 'ours (refresh)' } }) do
  for _, run in ipairs(runs) do show(peer[1] .. ' ' .. run[1], row(peer[2], run[2])) end
end

local nb_cold, nb_warm = row('newsboat -x reload', 'refresh cold'), row('newsboat -x reload', 'refresh 3rd run')
local o_cold, o_warm = row('ours (refresh)', 'refresh cold'), row('ours (refresh)', 'refresh 3rd run')
local o_bump = row('ours (refresh)', 'refresh after bump')
print()
print('ratios (targets of issue #4)')
local function ratio(label, a, b, target)
  if not (a and b) then print(string.format('  %-52s (missing)', label)) return end
  local v = a / b
  local limit = tonumber(target:match('[%d.]+') or '')
  print(string.format('  %-52s %6.2f   %s', label, v,
    limit and ('target ' .. target .. (v <= limit and ' met' or ' NOT met')) or ''))
end
if o_cold and nb_cold then
  ratio('orrery cold wall / Newsboat cold wall', o_cold.wall_s, nb_cold.wall_s, '<= 0.5')
  ratio('orrery cold CPU / Newsboat cold CPU', o_cold.cpu_s, nb_cold.cpu_s, '<= 0.25')
end
if o_cold and floor then ratio('orrery cold wall / curl floor (same concurrency)', o_cold.wall_s, floor.wall_s, '<= 1.15') end
if o_warm and o_cold then ratio('orrery warm CPU / orrery cold CPU', o_warm.cpu_s, o_cold.cpu_s, '<= 0.1') end
if o_warm and nb_warm then ratio('orrery warm wall / Newsboat warm wall', o_warm.wall_s, nb_warm.wall_s, '') end
if o_cold then
  print(string.format('  %-52s %6.1f   target < 64 MB %s', 'orrery cold peak memory, MB', o_cold.rss_mb,
    o_cold.rss_mb < 64 and 'met' or 'NOT met'))
end

-- orrery's own account of each run (its --json summary)
if #ours >= 3 then
  print()
  print("orrery's own account (--json): where the CPU went, what was written")
  for i, s in ipairs(ours) do
    local c = s.cpu or {}
    print(string.format('  %-11s fetched %4d, skipped %3d, failed %3d, new %5d, changed %4d, unchanged docs %3d;'
      .. ' main thread %.2f s (store %.2f, index+commit %.2f), other threads %.2f s',
      (runs[i] or { '?' })[1], s.total, #(s.skipped or {}), s.failed, s.new, s.changed,
      (function() local k = 0 for _, f in ipairs(s.feeds) do if f.unchanged then k = k + 1 end end return k end)(),
      c.main or 0, c.store or 0, c.commit or 0, (c.total or 0) - (c.main or 0)))
  end
  local warm = ours[3]
  print(string.format('  the warm run wrote %d new and %d changed entries (entries, documents: nothing else;'
    .. ' feed rows get their fetch times)', warm.new, warm.changed))
end
if o_bump then print(string.format('  after the bump: %d entries stored in all', o_bump.entries or -1)) end

-- 10,000 feeds: memory
local times = cfs.read((big or '') .. '/times.txt')
if n_big and n_big > 0 and times and o_cold then
  print()
  for line in times:gmatch('[^\n]+') do
    local run, wall, user, sys, rss = line:match('^(%S+) (%S+) (%S+) (%S+) (%S+)')
    print(string.format('orrery %d feeds, %-5s wall %7.2f s, cpu %7.2f s, peak %6.1f MB (%.2f x the %d-feed peak for %d x the feeds)',
      n_big, run, tonumber(wall), tonumber(user) + tonumber(sys), tonumber(rss) / 1024,
      tonumber(rss) / 1024 / o_cold.rss_mb, n, n_big // n))
  end
end
