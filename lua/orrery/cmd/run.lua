--- orrery run: refresh every feed, then render the pages — the cron job.
local common = require('orrery.cmd.common')
local refresh = require('orrery.cmd.refresh')

local M = {
  name = 'run',
  summary = 'refresh every feed, then render the pages (the cron job)',
  args = '',
  nargs = { 0, 0 },
  description = [[Refresh every feed (as orrery refresh does), then render the layout into the
output directory; files whose content did not change are left alone.  Exit 3 when some
feeds are failing (backing off and gone ones included); -q then prints exactly those, one
line each, and nothing else: the line for cron.]],
}
local o = common.opt
M.options = { o.config, o.output, o.db, o.urls, o.jobs, o.mirror, o.timeout, o.force, o.wait, o.quiet, o.json }

function M.run(opts)
  return refresh.refresh(opts, true)
end

return M
