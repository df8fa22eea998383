/*
** main.c — argv -> Lua state -> require('orrery.cli').main(args).  Everything else is Lua.
*/
#include <stdio.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <lauxlib.h>

#include "runtime.h"

int main(int argc, char **argv) {
  const char *home;
  lua_State *L;
  int i, status = 1;
#ifdef __GLIBC__
  /* Feeds are parsed one after another, each allocating and freeing a few hundred KB.  With
  ** glibc's defaults that memory goes back to the kernel after each feed and comes back
  ** as fresh zeroed pages for the next: page faults were 10 % of parsing time.  Keep up to
  ** 32 MB of freed memory for reuse, and take blocks up to 4 MB from the heap, not mmap. */
  mallopt(M_TRIM_THRESHOLD, 32 << 20);
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
#endif
  home = orr_runtime_home();
  L = orr_runtime_new(home);
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
