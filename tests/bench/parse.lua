-- Parse throughput over a file list, files already in memory, best of PASSES.
--   orrery lua tests/bench/parse.lua FILELIST [PASSES]
-- Prints one JSON line: the feed stage alone (XML to normalized entries, no HTML
-- cleaning) and the whole path (sanitizing and URL resolution on), in MB/s.
local cfeed = require('orrery._feed')
local cfs = require('orrery._fs')
local cutil = require('orrery._util')
local json = require('orrery.json')

local list, passes = arg[1], tonumber(arg[2]) or 3
local blobs, bytes = {}, 0
for path in assert(io.open(list)):lines() do
  if path ~= '' then
    local b = assert(cfs.read(path))
    blobs[#blobs + 1] = { body = b, url = 'http://bench.example/' .. path:match('[^/]*$') }
    bytes = bytes + #b
  end
end

local function run(sanitize)
  local best, entries, bozo = math.huge, 0, 0
  for _ = 1, passes do
    entries, bozo = 0, 0
    collectgarbage()
    local t0 = cutil.clock()
    for _, b in ipairs(blobs) do
      local f = cfeed.parse(b.body, { url = b.url, sanitize = sanitize })
      if f then
        entries = entries + #f.entries
        if f.bozo then bozo = bozo + 1 end
      end
    end
    best = math.min(best, cutil.clock() - t0)
  end
  return { seconds = best, mb_s = bytes / 1e6 / best, entries = entries, bozo = bozo }
end

local stage = run(false)
local whole = run(true)
print(json.encode({ files = #blobs, bytes = bytes, passes = passes,
  stage_s = stage.seconds, stage_mb_s = stage.mb_s, whole_s = whole.seconds,
  whole_mb_s = whole.mb_s, entries = whole.entries, bozo = whole.bozo }))
