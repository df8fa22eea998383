--- orrery why: is an entry on the planet, and if not, which rule keeps it off.
local common = require('orrery.cmd.common')
local json = require('orrery.json')
local log = require('orrery.log')

local M = {
  name = 'why',
  summary = 'say whether an entry is shown, and which rule hides it',
  args = 'LINK|ID|TITLE',
  nargs = { 1, 1 },
  description = [[Look an entry up by its link, its id or its exact title, and say for each copy
orrery has where it is shown (the front page, an archive page) or which rule keeps it off:
its feed not in planet.lua or disabled, the planet's or its feed's filter/exclude, a new
feed's back catalogue (new_feed_items), the same post in another feed (dedupe: which rule
matched and which copy is shown), retention (removed, and when), or its feed's recipe
(dropped it, and why).  Also notes a date orrery did not take as the feed gave it.  Exit 1
when nothing is known of it.]],
}
local o = common.opt
M.options = { o.config, o.db, o.json }

function M.run(opts, operands)
  local cfg, err = common.load_config(opts)
  if not cfg then log.error('%s', err) return common.CONFIG end
  local st = require('orrery.planet').open_store(cfg)
  local answers = require('orrery.shown').view(cfg, st):why(operands[1])
  st:close()
  if opts.json then
    for _, a in ipairs(answers) do a.lines = json.array(a.lines) end
    print(json.encode(json.array(answers)))
  elseif #answers == 0 then
    print(string.format('nothing is known of %q: no stored entry has it as link, id or title, no recipe dropped it '
      .. 'and retention did not remove it.  Is its feed in planet.lua (orrery status), and does the feed carry it '
      .. '(orrery try FEED)?', operands[1]))
  else
    for i, a in ipairs(answers) do
      if i > 1 then print('') end
      print(string.format('%s  %s', a.shown and 'SHOWN ' or 'HIDDEN', a.entry))
      for _, line in ipairs(a.lines) do print('  ' .. line) end
    end
  end
  return #answers > 0 and common.OK or common.FAIL
end

return M
