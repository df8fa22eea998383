-- The figures and ratios of tests/bench/refresh.sh, from the harness's records.
--   orrery lua tests/bench/refresh_report.lua RESULTS.jsonl OURS.jsonl N BIGDIR N_BIG THREADS SFEED WARMDIR
local json = require('orrery.json')
local cfs = require('orrery._fs')

local results_path, ours_path, n, big, n_big, threads, sfeed_path, warm_dir = table.unpack(arg)
n, n_big = tonumber(n), tonumber(n_big)

-- The median of a list of numbers (the list is left as it was).
local function median(list)
  local sorted = { table.unpack(list) }
  table.sort(sorted)
  return sorted[(#sorted + 1) // 2]
end

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
  local met = limit and (target:find('>=', 1, true) and v >= limit or not target:find('>=', 1, true) and v <= limit)
  print(string.format('  %-52s %6.2f   %s', label, v,
    limit and ('target ' .. target .. (met and ' met' or ' NOT met')) or ''))
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

-- 10,000 feeds: memory, and CPU per feed against the same server's first n feeds run just
-- before in the same round (like with like); the median of the rounds' ratios is judged
local times = cfs.read((big or '') .. '/times.txt')
if n_big and n_big > 0 and times and o_cold then
  print()
  local small, ratios = {}, {}
  for line in times:gmatch('[^\n]+') do
    local run, wall, user, sys, rss = line:match('^(%S+) (%S+) (%S+) (%S+) (%S+)')
    local cpu = tonumber(user) + tonumber(sys)
    local alone = run:match('^small%-(.*)$')
    if alone then
      small[alone] = { cpu = cpu, rss = tonumber(rss) / 1024 }
    else
      local s = small[run]
      print(string.format('orrery %d feeds, %-5s wall %7.2f s, cpu %7.2f s, peak %6.1f MB (%.2f x the %d-feed peak for %d x the feeds)',
        n_big, run, tonumber(wall), cpu, tonumber(rss) / 1024, tonumber(rss) / 1024 / (s and s.rss or o_cold.rss_mb),
        n, n_big // n))
      if s then
        local r = (cpu / n_big) / (s.cpu / n)
        ratios[run] = ratios[run] or {}
        table.insert(ratios[run], r)
        print(string.format('  CPU per feed: %.2f ms at %d feeds, %.2f ms at %d on the same server: %.2f x',
          cpu / n_big * 1000, n_big, s.cpu / n * 1000, n, r))
      end
    end
  end
  for _, run in ipairs({ 'cold', 'warm' }) do
    local rs = ratios[run]
    if rs and #rs > 0 then
      local m = median(rs)
      local each = {}
      for i, r in ipairs(rs) do each[i] = string.format('%.2f', r) end
      print(string.format('  %s, CPU per feed at %d / at %d, median of %d rounds (%s)   %.2f   target <= 1.0 %s', run,
        n_big, n, #rs, table.concat(each, ', '), m, m <= 1.0 and 'met' or 'NOT met'))
    end
  end
end

-- Where each CPU second of a refresh goes (its --json cpu), and the ratios of issue #22:
-- against the floor of the work itself (curl's fetch, libxml2's SAX parse, SQLite's bulk
-- insert of the same feeds, measured by the harness in this run) and against sfeed.
local function stages(c)
  local workers = (c.hash or 0) + (c.xml or 0) + (c.sanitize or 0)
  local main_known = (c.store or 0) + (c.commit or 0) + (c.parse or 0)
  return {
    { 'transfers (libcurl: HTTP, decompression)', c.network or 0 },
    { 'body hash (is it the stored document?)', c.hash or 0 },
    { 'XML parse (libxml2, the feed model)', c.xml or 0 },
    { 'HTML sanitize (parsing threads)', c.sanitize or 0 },
    { 'recipes (Lua, in the sandbox)', c.recipes or 0 },
    { 'storing entries and documents (SQLite, zlib)', c.store or 0 },
    { 'full-text index and commits (SQLite FTS5, WAL)', c.commit or 0 },
    { 'building feeds on the main thread, other Lua', math.max(0, (c.main or 0) - main_known) },
    { 'threads otherwise (queues, start, idle wakeups)', math.max(0, (c.total or 0) - (c.main or 0) - workers
      - (c.network or 0)) },
  }
end
if #ours >= 3 then
  print()
  print('where the CPU of a refresh goes (orrery\'s own counters: thread CPU clocks around each stage)')
  print(string.format('  %-50s %9s %9s', 'stage', 'cold s', 'warm s'))
  local cold, warm = stages(ours[1].cpu or {}), stages(ours[3].cpu or {})
  local sum_c, sum_w = 0, 0
  for i, st in ipairs(cold) do
    print(string.format('  %-50s %9.3f %9.3f', st[1], st[2], warm[i][2]))
    sum_c, sum_w = sum_c + st[2], sum_w + warm[i][2]
  end
  print(string.format('  %-50s %9.3f %9.3f', 'sum (= the process CPU orrery measured)', sum_c, sum_w))
  print(string.format('  %-50s %9.3f %9.3f', '(recipes are within the main thread\'s stages)', 0, 0))
  print('  rendering is not part of a refresh: orrery run renders after it (make bench: planetpython.sh times it)')

  local sax, ins = row('libxml2 SAX2', 'parse'), row('SQLite insert', 'entries')
  print()
  print('ratios (targets of issue #22)')
  -- (the limit program's own timings: its process also parses DOMs and HTML for other figures)
  local sax_s = sax and (sax.metrics and sax.metrics.parse_cpu_s or sax.cpu_s)
  local ins_s = ins and ins.metrics and ins.metrics.insert_s
  if floor and sax_s and ins_s and o_cold then
    local fsum = floor.cpu_s + sax_s + ins_s
    print(string.format('  floor sum: curl fetch %.2f + libxml2 SAX parse %.2f + SQLite insert %.2f = %.2f s CPU',
      floor.cpu_s, sax_s, ins_s, fsum))
    ratio('orrery cold CPU / floor sum', o_cold.cpu_s, fsum, '<= 1.5')
    ratio('orrery cold wall / curl floor wall', o_cold.wall_s, floor.wall_s, '<= 1.1')
  end
  -- the same ratio from alternating runs: curl's fetch and orrery's cold refresh, medians of 3
  local alt = { curl = {}, orrery = {} }
  for who, u, sy in (cfs.read((warm_dir or '') .. '/cold-times.txt') or ''):gmatch('(%a+) ([%d.]+) ([%d.]+)') do
    if alt[who] then table.insert(alt[who], tonumber(u) + tonumber(sy)) end
  end
  -- and the SAX parse and the insert run beside them in each round, when they were
  local alt_sax, alt_ins = {}, {}
  for _, r in ipairs(lines((warm_dir or '') .. '/sax-runs.jsonl')) do alt_sax[#alt_sax + 1] = r.parse_cpu_s end
  for _, r in ipairs(lines((warm_dir or '') .. '/store-runs.jsonl')) do alt_ins[#alt_ins + 1] = r.insert_s end
  local a_sax = #alt_sax > 0 and median(alt_sax) or sax_s
  local a_ins = #alt_ins > 0 and median(alt_ins) or ins_s
  local alt_curl = #alt.curl > 0 and median(alt.curl) or nil
  if alt_curl and #alt.orrery > 0 and a_sax and a_ins then
    local mo, fsum = median(alt.orrery), alt_curl + a_sax + a_ins
    print(string.format('  alternating cold runs, medians of %d: orrery %.2f s; floor sum %.2f s (curl fetch %.2f'
      .. ' + SAX %.2f + insert %.2f%s)', #alt.curl, mo, fsum, alt_curl, a_sax, a_ins,
      #alt_ins > 0 and '' or ', SAX and insert from the harness'))
    ratio('orrery cold CPU / floor sum (alternating runs)', mo, fsum, '<= 1.5')
  end
  -- what of the storing stage is SQLite's own: the same rows into the same schema, no per-row
  -- work but SQLite's (store_floor.sh), against orrery's storing and commits in the last of
  -- the alternating cold runs (the database it measured)
  local sfl = cfs.read((warm_dir or '') .. '/store-floor.txt')
  local sf_cpu, sf_read, sf_rows = (sfl or ''):match('store_floor ([%d.]+) ([%d.]+) (%d+)')
  local cold_runs = lines((warm_dir or '') .. '/cold-runs.jsonl')
  local last_cold = cold_runs[#cold_runs] and cold_runs[#cold_runs].cpu
  if sf_cpu and last_cold then
    local fl = math.max(0.001, tonumber(sf_cpu) - tonumber(sf_read))
    local st = (last_cold.store or 0) + (last_cold.commit or 0)
    print(string.format('  storing floor: SQLite writing the same %s entries and the documents into orrery\'s schema'
      .. ' (WAL, 10 commits) %.2f s CPU (%.2f s, less %.2f s reading them out); orrery storing + commits %.2f s',
      sf_rows, fl, tonumber(sf_cpu), tonumber(sf_read), st))
    ratio('orrery storing + commits / SQLite\'s own for the same rows', st, fl, '')
    local curl_cold = alt_curl or floor and floor.cpu_s
    if sax_s and curl_cold then
      local w = curl_cold + sax_s + fl
      print(string.format('  floor sum with orrery\'s schema for the insert (curl %.2f + SAX %.2f + that): %.2f s',
        curl_cold, sax_s, w))
      ratio('orrery cold CPU (that run) / floor sum with its schema', last_cold.total or 0, w, '')
    end
  elseif sfl then
    print('  storing floor: ' .. sfl:gsub('%s+$', ''))
  end
  if o_warm and o_cold then ratio('orrery warm CPU / orrery cold CPU', o_warm.cpu_s, o_cold.cpu_s, '<= 0.05') end
  -- the floor under that target: the warm refresh's HTTP exchanges alone, made by curl
  local wt = cfs.read((warm_dir or '') .. '/times.txt')
  if wt and o_cold then
    local best = {}
    for who, u, sy in wt:gmatch('(%a+) ([%d.]+) ([%d.]+)') do
      local t = tonumber(u) + tonumber(sy)
      if not best[who] or t < best[who] then best[who] = t end
    end
    if best.curl and best.orrery then
      print(string.format('  warm floor: curl making the same conditional requests %.2f s CPU (%s), best of 3;'
        .. ' orrery warm %.2f s beside it', best.curl, (cfs.read(warm_dir .. '/curl-status.txt') or ''):gsub('%s+$', ''),
        best.orrery))
      ratio('orrery warm CPU / curl warm floor', best.orrery, best.curl, '')
      ratio('curl warm floor / orrery cold CPU (the least warm/cold can be)', best.curl, o_cold.cpu_s, '')
    end
  end
  local c = ours[1].cpu or {}
  local sf = cfs.read(sfeed_path or '')
  if sf and sf:find('bytes') then
    local best
    for u, sy in sf:gmatch('([%d.]+) ([%d.]+)\n') do
      local t = tonumber(u) + tonumber(sy)
      if not best or t < best then best = t end
    end
    local bytes = tonumber(sf:match('(%d+) bytes'))
    local path = (c.xml or 0) + (c.sanitize or 0)
    if best and bytes and path > 0 then
      print(string.format('  sfeed over the farm: %.2f s CPU (%.0f MB/s); orrery XML + sanitize %.2f s (%.0f MB/s)',
        best, bytes / best / 1e6, path, bytes / path / 1e6))
      ratio('orrery parse-path speed / sfeed plain parse speed', best, path, '>= 1.0')
      if sax_s then ratio('orrery XML stage speed / libxml2 SAX speed', sax_s, c.xml, '>= 0.8') end
    end
    -- the same two from the alternating cold runs: each round's own account of its parse,
    -- and libxml2's SAX over the farm run right beside it; medians of the rounds
    local xml, paths, saxes = {}, {}, alt_sax
    for _, r in ipairs(lines((warm_dir or '') .. '/cold-runs.jsonl')) do
      if r.cpu and r.cpu.xml then
        xml[#xml + 1] = r.cpu.xml
        paths[#paths + 1] = r.cpu.xml + (r.cpu.sanitize or 0)
      end
    end
    if best and #xml > 0 and #saxes > 0 then
      print(string.format('  alternating cold runs, medians of %d: orrery XML stage %.2f s, XML + sanitize %.2f s;'
        .. ' libxml2 SAX beside them %.2f s', #xml, median(xml), median(paths), median(saxes)))
      ratio('orrery parse-path speed / sfeed (alternating runs)', best, median(paths), '>= 1.0')
      ratio('orrery XML stage speed / libxml2 SAX speed (alternating runs)', median(saxes), median(xml), '>= 0.8')
    end
  end
end
