--- orrery test: run recipe tests against their recordings, offline.
local common = require('orrery.cmd.common')
local log = require('orrery.log')

local M = {
  name = 'test',
  summary = 'run recipe tests (NAME_test.lua) against their recordings, without the network',
  args = '[PATH...]',
  nargs = { 0 },
  description = [[Run every NAME_test.lua under the PATHs (files or directories; default: the planet's
recipes_dir, else ./recipes).  Each gives a recipe, the directory `orrery record` saved
for it, and checks; the recipe runs as a refresh would run it — the same sandbox, parser
and article extraction — on the recorded documents, so a recipe can be written and kept
working without the site.  Prints each check and "N passed, M failed"; exit 1 when any
failed.]],
}
local o = common.opt
M.options = { o.config, o.json }

function M.run(opts, operands)
  local cfg, err = common.optional_config(opts)
  if not cfg then log.error('%s', err) return common.CONFIG end
  local paths = #operands > 0 and operands or { cfg.recipes_dir }
  local replay = require('orrery.replay')
  local files = replay.find_tests(paths)
  if #files == 0 then
    log.error('no recipe tests (NAME_test.lua) in %s', table.concat(paths, ', '))
    return common.FAIL
  end
  local passed, failed, report = 0, 0, {}
  for _, f in ipairs(files) do
    local res, ferr = replay.run_file(f, cfg)
    if not res then
      failed = failed + 1
      report[#report + 1] = { file = f, name = '(loading it)', ok = false, failures = { ferr } }
    else
      for _, r in ipairs(res.results) do
        r.file = f
        report[#report + 1] = r
        if r.ok then passed = passed + 1 else failed = failed + 1 end
      end
    end
  end
  if opts.json then
    local json = require('orrery.json')
    for _, r in ipairs(report) do r.failures = json.array(r.failures) end
    print(json.encode({ passed = passed, failed = failed, results = json.array(report) }))
  else
    for _, r in ipairs(report) do
      print(string.format('%-4s %s: %s', r.ok and 'ok' or 'FAIL', common.show_path(r.file), r.name))
      for _, msg in ipairs(r.failures) do print('       ' .. msg) end
    end
    print(string.format('%d passed, %d failed', passed, failed))
  end
  return failed == 0 and common.OK or common.FAIL
end

return M
