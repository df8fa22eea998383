/*
** api.c — module table and shared helpers of the binding layer (see api.h).
*/
#include <stdarg.h>
#include <stdlib.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "api/api.h"

static const luaL_Reg modules[] = {
  { "orrery._feed",  luaopen_orrery_feed  },
  { "orrery._html",  luaopen_orrery_html  },
  { "orrery._fetch", luaopen_orrery_fetch },
  { "orrery._db",    luaopen_orrery_db    },
  { "orrery._fs",    luaopen_orrery_fs    },
  { "orrery._util",  luaopen_orrery_util  },
  { "orrery._readline", luaopen_orrery_readline },
  { "orrery._pattern", luaopen_orrery_pattern },
  { NULL, NULL }
};

/* libxml2 reports through a global handler that prints to stderr; orrery reports errors
** itself (as nil, err or a Lua error), so the library is kept quiet. */
static void quiet(void *ctx, const char *msg, ...) { (void)ctx; (void)msg; }

void orr_api_quiet_libxml(void) { xmlSetGenericErrorFunc(NULL, quiet); }

void orr_api_preload(lua_State *L) {
  const luaL_Reg *m;
  xmlInitParser();                /* before any thread uses libxml2 */
  orr_api_quiet_libxml();
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);   /* [preload] */
  for (m = modules; m->name; m++) {
    lua_pushcfunction(L, m->func);
    lua_setfield(L, -2, m->name);
  }
  lua_pop(L, 1);
}

/* The allocator the runtime gives orrery's Lua state (api.h).  It lives here, with the
** bindings that read its count (orrery._util.memory and the sandbox's memory budget), so
** the runtime only hands it down and nothing here calls back up into the runtime. */
void *orr_mem_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  orr_mem *m = ud;
  size_t old = ptr ? osize : 0;       /* with ptr NULL, osize is a type tag */
  void *p;
  if (nsize == 0) {
    free(ptr);
    m->used -= old;
    return NULL;
  }
  if (nsize > old && m->limit && m->used - old + nsize > m->limit) {
    m->refused++;                     /* Lua collects garbage and retries, then raises */
    return NULL;
  }
  p = realloc(ptr, nsize);
  if (p) m->used = m->used - old + nsize;
  return p;
}

int orr_fail(lua_State *L, const char *fmt, ...) {
  va_list ap;
  luaL_pushfail(L);
  va_start(ap, fmt);
  lua_pushvfstring(L, fmt, ap);
  va_end(ap);
  return 2;
}

/* Push opts[key] (nil if opts is absent) and return its type. */
static int opt_field(lua_State *L, int idx, const char *key) {
  if (lua_isnoneornil(L, idx)) { lua_pushnil(L); return LUA_TNIL; }
  luaL_checktype(L, idx, LUA_TTABLE);
  return lua_getfield(L, idx, key);
}

lua_Integer orr_opt_int(lua_State *L, int idx, const char *key, lua_Integer def) {
  lua_Integer v = def;
  if (opt_field(L, idx, key) != LUA_TNIL) {
    int isnum;
    v = lua_tointegerx(L, -1, &isnum);
    if (!isnum) luaL_error(L, "option '%s' must be an integer", key);
  }
  lua_pop(L, 1);
  return v;
}

double orr_opt_num(lua_State *L, int idx, const char *key, double def) {
  double v = def;
  if (opt_field(L, idx, key) != LUA_TNIL) {
    int isnum;
    v = (double)lua_tonumberx(L, -1, &isnum);
    if (!isnum) luaL_error(L, "option '%s' must be a number", key);
  }
  lua_pop(L, 1);
  return v;
}

/* The string stays valid while the options table holds it. */
const char *orr_opt_str(lua_State *L, int idx, const char *key, const char *def) {
  const char *v = def;
  int t = opt_field(L, idx, key);
  if (t == LUA_TSTRING) v = lua_tostring(L, -1);
  else if (t != LUA_TNIL) luaL_error(L, "option '%s' must be a string", key);
  lua_pop(L, 1);
  return v;
}

int orr_opt_bool(lua_State *L, int idx, const char *key, int def) {
  int v = def;
  if (opt_field(L, idx, key) != LUA_TNIL) v = lua_toboolean(L, -1);
  lua_pop(L, 1);
  return v;
}

void orr_set_str(lua_State *L, const char *key, const char *s) {
  if (s == NULL) return;
  lua_pushstring(L, s);
  lua_setfield(L, -2, key);
}
