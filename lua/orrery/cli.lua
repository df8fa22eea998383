local M = {}
function M.main(arg) print("hello", arg[1]) return 0 end
return M
