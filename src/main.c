/*
** main.c — argv -> Lua state -> require('orrery.cli').main(args).  Everything else is Lua.
*/
#include <stdio.h>

#include <lauxlib.h>

#include "runtime.h"

int main(int argc, char **argv) {
  const char *home = orr_runtime_home();
  lua_State *L = orr_runtime_new(home);
  int i, status = 1;
  if (L == NULL) { fprintf(stderr, "orrery: out of memory\n"); return 1; }
  lua_getglobal(L, "require");
  lua_pushliteral(L, "orrery.cli");
  if (orr_runtime_pcall(L, 1, 1) != LUA_OK) {
    fprintf(stderr, "orrery: cannot load its Lua code from %s/lua: %s\n", home, lua_tostring(L, -1));
    lua_close(L);
    return 1;
  }
  lua_getfield(L, -1, "main");
  lua_createtable(L, argc, 1);
  for (i = 0; i < argc; i++) {
    lua_pushstring(L, argv[i]);
    lua_rawseti(L, -2, i);
  }
  if (orr_runtime_pcall(L, 1, 1) != LUA_OK) {
    fprintf(stderr, "orrery: %s\n", lua_tostring(L, -1));
  } else {
    status = (int)luaL_optinteger(L, -1, 0);
  }
  lua_close(L);
  return status;
}
