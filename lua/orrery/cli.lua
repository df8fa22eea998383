--- orrery.cli: the command line.  main(arg) returns the exit status (orrery.cmd.common.exit).
---
--- The subcommands are tables, one module each (orrery.cmd.<name>, see orrery.cmd.common):
--- this module parses a command line against a command's option specs, and writes from the
--- same tables every `--help`, `orrery help`, the man page (`orrery help --man`, installed
--- as orrery.1) and the bash completion (`orrery help --completion`), so none of them can
--- say other than what the parser does.
local common = require('orrery.cmd.common')
local cutil = require('orrery._util')
local log = require('orrery.log')

local M = {}

--- The subcommands, in the order `orrery help` lists them.
M.names = { 'run', 'refresh', 'render', 'status', 'why', 'reprocess', 'expunge', 'parse', 'discover', 'try',
  'record', 'test', 'opml', 'import-venus', 'repl', 'backup', 'lua' }

local help_option = { short = '-h', long = '--help', key = 'help', help = 'show this help and exit' }

--- The command table of name (nil for an unknown name).
function M.command(name)
  for _, n in ipairs(M.names) do
    if n == name then return require('orrery.cmd.' .. name:gsub('-', '_')) end
  end
  return nil
end

-- Every option of a command, --help included.
local function options_of(cmd)
  local out = {}
  for _, o in ipairs(cmd.options or {}) do out[#out + 1] = o end
  out[#out + 1] = help_option
  return out
end

--- Parse args against a command's options.  Returns opts, operands; or nil, message.
function M.parse_args(cmd, args)
  local by = {}
  for _, o in ipairs(options_of(cmd)) do
    if o.short then by[o.short] = o end
    by[o.long] = o
  end
  local opts, rest = {}, {}
  local i = 1
  while i <= #args do
    local a = args[i]
    local flag, val = a:match('^(%-%-[%w-]+)=(.*)$')
    flag = flag or a
    local o = by[flag]
    if a == '--' then
      for j = i + 1, #args do rest[#rest + 1] = args[j] end
      break
    elseif o and not o.arg then
      if val then return nil, 'option ' .. flag .. ' takes no value' end
      opts[o.key] = true
    elseif o then
      if not val then
        i = i + 1
        val = args[i]
        if not val then return nil, 'option ' .. flag .. ' needs a value (' .. o.arg .. ')' end
      end
      opts[o.key] = val
    elseif a:sub(1, 1) == '-' and a ~= '-' then
      return nil, 'unknown option ' .. a .. ' (see orrery ' .. cmd.name .. ' --help)'
    elseif cmd.operands_end_options then     -- (a script's own arguments follow it)
      for j = i, #args do rest[#rest + 1] = args[j] end
      break
    else
      rest[#rest + 1] = a
    end
    i = i + 1
  end
  return opts, rest
end

-- "-c, --config FILE" / "    --json"
local function flag_text(o)
  local s = (o.short and (o.short .. ', ') or '    ') .. o.long
  return o.arg and (s .. ' ' .. o.arg) or s
end

local function synopsis(cmd)
  local s = 'orrery ' .. cmd.name
  if #(cmd.options or {}) > 0 then s = s .. ' [options]' end
  if cmd.args and cmd.args ~= '' then s = s .. ' ' .. cmd.args end
  return s
end

--- A command's --help text.
function M.help_text(cmd)
  local out = { 'usage: ' .. synopsis(cmd), '', cmd.description, '', 'options:' }
  local width = 0
  for _, o in ipairs(options_of(cmd)) do width = math.max(width, #flag_text(o)) end
  for _, o in ipairs(options_of(cmd)) do
    out[#out + 1] = string.format('  %-' .. width .. 's  %s', flag_text(o), o.help)
  end
  return table.concat(out, '\n')
end

--- The exit statuses as a table of text.
function M.exit_text()
  local out = { 'Exit status:' }
  for _, e in ipairs(common.exit) do out[#out + 1] = string.format('  %d  %-7s %s', e.code, e.name, e.help) end
  return table.concat(out, '\n')
end

--- `orrery help`: every command with its summary, and the topics.
function M.main_text()
  local out = { 'usage: orrery COMMAND [options]      orrery help [COMMAND | exit]      orrery --version', '',
    'commands:' }
  for _, n in ipairs(M.names) do out[#out + 1] = string.format('  %-13s %s', n, M.command(n).summary) end
  out[#out + 1] = ''
  out[#out + 1] = "'orrery COMMAND --help' (or 'orrery help COMMAND') shows a command's options."
  out[#out + 1] = "'orrery help exit' lists the exit statuses; 'man orrery' has it all."
  return table.concat(out, '\n')
end

-- roff text: backslashes escaped, no line starting with a control character
local function roff(s)
  s = s:gsub('\\', '\\e'):gsub('%-', '\\-')
  return (s:gsub('\n([.\'])', '\n\\&%1'):gsub('^([.\'])', '\\&%1'))
end

--- The man page, orrery(1), in roff.
function M.man_page()
  local out = {
    string.format('.TH ORRERY 1 "%s" "orrery %s" "User Commands"', os.date('!%Y-%m'), cutil.version()),
    '.SH NAME', 'orrery \\- a Planet\\-style feed aggregator: fetch feeds, store their entries, render a planet',
    '.SH SYNOPSIS', '.B orrery', '.I COMMAND', '[options] [operands]',
    '.SH DESCRIPTION',
    roff('orrery gathers the feeds a planet.lua names (RSS, Atom, JSON Feed, or pages scraped by Lua recipes), '
      .. 'stores their entries in SQLite and renders the planet\'s pages and feeds from Lua templates. '
      .. 'It runs from cron (orrery run), lets recipes be written and tried at once (orrery try), '
      .. 'and has a REPL over the stored entries (orrery repl).'),
    '.SH COMMANDS',
  }
  for _, n in ipairs(M.names) do
    local cmd = M.command(n)
    out[#out + 1] = '.SS ' .. roff(n)
    out[#out + 1] = '.B ' .. roff(synopsis(cmd))
    out[#out + 1] = '.PP'
    out[#out + 1] = roff(cmd.description)
    for _, o in ipairs(options_of(cmd)) do
      out[#out + 1] = '.TP'
      local f = (o.short and ('\\fB' .. roff(o.short) .. '\\fR, ') or '') .. '\\fB' .. roff(o.long) .. '\\fR'
      out[#out + 1] = o.arg and (f .. ' \\fI' .. roff(o.arg) .. '\\fR') or f
      out[#out + 1] = roff(o.help)
    end
  end
  out[#out + 1] = '.SH EXIT STATUS'
  for _, e in ipairs(common.exit) do
    out[#out + 1] = '.TP'
    out[#out + 1] = '.B ' .. e.code
    out[#out + 1] = roff(e.help)
  end
  out[#out + 1] = '.SH FILES'
  out[#out + 1] = '.TP'
  out[#out + 1] = '.I planet.lua'
  out[#out + 1] = roff('the planet: its feeds, recipes, layout and limits (README.md lists every key)')
  out[#out + 1] = '.SH SEE ALSO'
  out[#out + 1] = roff('README.md and docs/ in orrery\'s source: recipes, layouts, fetching, security.')
  return table.concat(out, '\n') .. '\n'
end

--- The bash completion script: commands, then each command's options, then files.
function M.completion()
  local cases = {}
  for _, n in ipairs(M.names) do
    local flags = {}
    for _, o in ipairs(options_of(M.command(n))) do
      if o.short then flags[#flags + 1] = o.short end
      flags[#flags + 1] = o.long
    end
    cases[#cases + 1] = string.format('    %s) opts=%q ;;', n, table.concat(flags, ' '))
  end
  return table.concat({
    '# bash completion for orrery (generated: orrery help --completion)',
    '_orrery() {',
    '  local cur=${COMP_WORDS[COMP_CWORD]} opts',
    '  if [ "$COMP_CWORD" -eq 1 ]; then',
    string.format('    COMPREPLY=($(compgen -W %q -- "$cur"))', table.concat(M.names, ' ') .. ' help'),
    '    return',
    '  fi',
    '  case ${COMP_WORDS[1]} in',
    table.concat(cases, '\n'),
    string.format('    help) opts=%q ;;', table.concat(M.names, ' ') .. ' exit'),
    '    *) opts= ;;',
    '  esac',
    '  case $cur in',
    '    -*|"") [ -n "$opts" ] && COMPREPLY=($(compgen -W "$opts" -- "$cur")) ;;',
    '  esac',
    '  [ ${#COMPREPLY[@]} -eq 0 ] && COMPREPLY=($(compgen -f -- "$cur"))',
    '}',
    'complete -o filenames -F _orrery orrery',
  }, '\n') .. '\n'
end

local function help(args)
  local topic = args[1]
  if topic == nil then print(M.main_text()) return common.OK end
  if topic == 'exit' then print(M.exit_text()) return common.OK end
  if topic == '--man' then io.write(M.man_page()) return common.OK end
  if topic == '--completion' then io.write(M.completion()) return common.OK end
  local cmd = M.command(topic)
  if not cmd then
    log.error("no help for '%s': a command (orrery help lists them) or 'exit'", topic)
    return common.USAGE
  end
  print(M.help_text(cmd))
  return common.OK
end

-- Run a script file as the standalone lua would: arg[0] = script, arg[1..] = its args.
function M.run_script(script, args)
  local a = { [0] = script }
  for i, v in ipairs(args) do a[i] = v end
  _G.arg = a
  local chunk, err = loadfile(script)
  if not chunk then log.error('%s', err) return common.FAIL end
  local ok, res = xpcall(chunk, debug.traceback, table.unpack(args))
  if not ok then
    log.error('%s', res)
    return common.FAIL
  end
  return math.type(res) == 'integer' and res or common.OK
end

--- Run one command with its arguments; returns the exit status.
function M.run(cmd, args)
  local opts, operands = M.parse_args(cmd, args)
  if not opts then log.error('%s', operands) return common.USAGE end
  if opts.help then print(M.help_text(cmd)) return common.OK end
  local min, max = (cmd.nargs or {})[1] or 0, (cmd.nargs or {})[2]
  if #operands < min or (max and #operands > max) then
    log.error('usage: %s (see orrery %s --help)', synopsis(cmd), cmd.name)
    return common.USAGE
  end
  local util = require('orrery.util')
  local ok, res = xpcall(cmd.run, function(e)
    if util.is_failure(e) then return e end
    return debug.traceback(tostring(e), 2)
  end, opts, operands)
  if ok then return res end
  if util.is_failure(res) then
    log.error('%s', res.msg)
    return common.status_of_failure[res.kind] or common.FAIL
  end
  log.error('internal error: %s', res)
  return common.FAIL
end

--- Entry point called by main.c with the C argv (arg[0] = program).
---@param arg table
---@return integer exit status
function M.main(arg)
  local args = {}
  for i = 1, #arg do args[i] = arg[i] end
  local name = table.remove(args, 1)
  if name == nil or name == '-h' or name == '--help' then
    print(M.main_text())
    return name and common.OK or common.USAGE
  end
  if name == 'help' then return help(args) end
  if name == '--version' or name == 'version' then
    print('orrery ' .. cutil.version() .. ' (' .. _VERSION .. ')')
    return common.OK
  end
  local cmd = M.command(name)
  if cmd then return M.run(cmd, args) end
  -- `orrery SCRIPT ...`: what `busted --lua=orrery` runs
  if name:match('/') or name:match('%.lua$') then return M.run_script(name, args) end
  log.error("unknown command '%s' (orrery help lists them)", name)
  return common.USAGE
end

return M
