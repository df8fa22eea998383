/*
** api/fetch.c — orrery._fetch: start(requests [, opts]) -> Batch;  Batch:next() -> result|nil
**
** requests: { {url=, etag=, last_modified=}, ... }.  opts: parallel, per_host, timeout,
** connect_timeout, low_speed_time (seconds), max_bytes, max_redirects, user_agent.
** Each next() runs the transfers until one is done and returns its result:
**   { index, url, final_url, moved_to, status, redirects, etag, last_modified,
**     content_type, retry_after, body, seconds, err }
** `err` is set (and body absent) when the transfer itself failed; an HTTP error status is
** not a transfer failure — policy about statuses is Lua's.
*/
#include "api/api.h"
#include "fetch.h"

#define BATCH_MT "orrery.fetch.Batch"

typedef struct lbatch { orr_fetch *f; } lbatch;

static lbatch *check_batch(lua_State *L) {
  lbatch *b = luaL_checkudata(L, 1, BATCH_MT);
  if (b->f == NULL) luaL_error(L, "attempt to use a closed fetch batch");
  return b;
}

static int f_start(lua_State *L) {
  orr_fetch_opts o;
  lbatch *b;
  lua_Integer i, n;
  luaL_checktype(L, 1, LUA_TTABLE);
  o.parallel = (long)orr_opt_int(L, 2, "parallel", 8);
  o.per_host = (long)orr_opt_int(L, 2, "per_host", 0);
  o.timeout_ms = (long)(orr_opt_num(L, 2, "timeout", 60) * 1000);
  o.connect_timeout_ms = (long)(orr_opt_num(L, 2, "connect_timeout", 15) * 1000);
  o.low_speed_time = (long)orr_opt_int(L, 2, "low_speed_time", 0);
  o.max_redirects = (long)orr_opt_int(L, 2, "max_redirects", 5);
  o.max_bytes = (size_t)orr_opt_int(L, 2, "max_bytes", 16 * 1024 * 1024);
  o.user_agent = orr_opt_str(L, 2, "user_agent", NULL);
  if (o.parallel < 1) return luaL_argerror(L, 2, "parallel must be at least 1");

  b = lua_newuserdatauv(L, sizeof *b, 0);     /* created closed, then opened */
  b->f = NULL;
  luaL_setmetatable(L, BATCH_MT);
  b->f = orr_fetch_new(&o);
  if (b->f == NULL) return luaL_error(L, "could not start libcurl");
  n = (lua_Integer)luaL_len(L, 1);
  for (i = 1; i <= n; i++) {
    const char *url, *etag, *lm;
    lua_geti(L, 1, i);
    if (!lua_istable(L, -1)) return luaL_error(L, "request %d is not a table", (int)i);
    lua_getfield(L, -1, "url");
    lua_getfield(L, -2, "etag");
    lua_getfield(L, -3, "last_modified");
    url = lua_tostring(L, -3);
    etag = lua_tostring(L, -2);
    lm = lua_tostring(L, -1);
    if (url == NULL) return luaL_error(L, "request %d has no url", (int)i);
    if (!orr_fetch_add(b->f, url, etag, lm)) return luaL_error(L, "out of memory");
    lua_pop(L, 4);
  }
  return 1;
}

static int batch_next(lua_State *L) {
  lbatch *b = check_batch(L);
  int oom;
  orr_transfer *t = orr_fetch_next(b->f, &oom);
  if (t == NULL) {
    if (oom) return luaL_error(L, "libcurl multi loop failed");
    lua_pushnil(L);
    return 1;
  }
  lua_createtable(L, 0, 14);
  lua_pushinteger(L, (lua_Integer)t->index + 1);
  lua_setfield(L, -2, "index");
  orr_set_str(L, "url", t->url);
  orr_set_str(L, "final_url", t->final_url);
  orr_set_str(L, "moved_to", t->moved_to);
  lua_pushinteger(L, t->status);
  lua_setfield(L, -2, "status");
  lua_pushinteger(L, t->redirects);
  lua_setfield(L, -2, "redirects");
  orr_set_str(L, "etag", t->etag);
  orr_set_str(L, "last_modified", t->last_modified);
  orr_set_str(L, "content_type", t->content_type);
  orr_set_str(L, "retry_after", t->retry_after);
  lua_pushnumber(L, t->seconds);
  lua_setfield(L, -2, "seconds");
  if (t->ok) {
    lua_pushlstring(L, t->body.data ? t->body.data : "", t->body.len);
    lua_setfield(L, -2, "body");
  } else {
    orr_set_str(L, "err", t->error);
  }
  orr_transfer_free(t);
  return 1;
}

static int batch_pending(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)orr_fetch_pending(check_batch(L)->f));
  return 1;
}

static int batch_close(lua_State *L) {
  lbatch *b = luaL_checkudata(L, 1, BATCH_MT);
  orr_fetch_free(b->f);
  b->f = NULL;
  return 0;
}

static const luaL_Reg batch_methods[] = {
  { "next",    batch_next    },
  { "pending", batch_pending },
  { "close",   batch_close   },
  { NULL, NULL }
};

static const luaL_Reg lib[] = {
  { "start", f_start },
  { NULL, NULL }
};

int luaopen_orrery_fetch(lua_State *L) {
  luaL_newmetatable(L, BATCH_MT);
  luaL_newlib(L, batch_methods);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, batch_close);
  lua_setfield(L, -2, "__gc");
  lua_pushcfunction(L, batch_close);
  lua_setfield(L, -2, "__close");
  lua_pop(L, 1);
  luaL_newlib(L, lib);
  return 1;
}
