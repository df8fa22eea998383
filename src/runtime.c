/*
** runtime.c — the Lua state orrery runs in (see runtime.h).
*/
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lualib.h>

#include "api/api.h"
#include "runtime.h"

static char home[PATH_MAX + 64];
static orr_mem mem;            /* one Lua state per process: its allocator's count */

static int panic(lua_State *L) {
  const char *msg = lua_tostring(L, -1);
  fprintf(stderr, "orrery: unprotected Lua error: %s\n", msg ? msg : "?");
  return 0;                           /* abort() follows */
}

static int has_cli(const char *dir) {
  char p[PATH_MAX + 128];
  snprintf(p, sizeof p, "%s/lua/orrery/cli.lua", dir);
  return access(p, R_OK) == 0;
}

const char *orr_runtime_home(void) {
  const char *env = getenv("ORRERY_HOME");
  char exe[PATH_MAX], *slash;
  ssize_t n;
  if (env && *env) { snprintf(home, sizeof home, "%s", env); return home; }
  n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    exe[n] = '\0';
    if ((slash = strrchr(exe, '/')) != NULL) *slash = '\0';
    if (has_cli(exe)) { snprintf(home, sizeof home, "%s", exe); return home; }
    /* build/orrery in the source tree, or <prefix>/bin/orrery */
    if ((slash = strrchr(exe, '/')) != NULL) {
      *slash = '\0';
      if (has_cli(exe)) { snprintf(home, sizeof home, "%s", exe); return home; }
      snprintf(home, sizeof home, "%s/share/orrery", exe);
      if (has_cli(home)) return home;
    }
  }
  snprintf(home, sizeof home, "%s/share/orrery", ORR_PREFIX);
  return home;
}

static int msghandler(lua_State *L) {
  const char *msg = lua_tostring(L, 1);
  if (msg == NULL) {
    if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) return 1;
    msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  }
  luaL_traceback(L, L, msg, 1);
  return 1;
}

int orr_runtime_pcall(lua_State *L, int nargs, int nresults) {
  int base = lua_gettop(L) - nargs, rc;
  lua_pushcfunction(L, msghandler);
  lua_insert(L, base);
  rc = lua_pcall(L, nargs, nresults, base);
  lua_remove(L, base);
  return rc;
}

lua_State *orr_runtime_new(const char *dir) {
  lua_State *L = lua_newstate(orr_mem_alloc, &mem);
  if (L == NULL) return NULL;
  lua_atpanic(L, panic);
  /* Generational collection: a refresh or a render keeps a long-lived core (the config, a
  ** request and a feed row per feed) and makes short-lived entry tables and strings by the
  ** thousand; the incremental collector re-marked the core at every cycle.  Measured on
  ** the bench farm's 1,000 feeds, alternating runs: main-thread CPU
  ** 1.31 -> 1.19 s (whole refresh 2.67 -> 2.54 s), peak memory 1 MB less. */
  lua_gc(L, LUA_GCGEN, 0, 0);
  luaL_openlibs(L);
  orr_api_preload(L);
  lua_getglobal(L, "package");                               /* [package] */
  lua_pushfstring(L, "%s/lua/?.lua;%s/lua/?/init.lua;", dir, dir);
  lua_getfield(L, -2, "path");
  lua_concat(L, 2);
  lua_setfield(L, -2, "path");
  lua_pop(L, 1);
  lua_pushstring(L, dir);
  lua_setglobal(L, "ORRERY_HOME");
  return L;
}
