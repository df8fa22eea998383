/*
** api.h — the Lua binding layer: every orrery._<mod> C module and the helpers they share.
** Only the files in src/api, runtime.c and main.c include lua.h; the rest of src is plain C.
*/
#ifndef ORR_API_H
#define ORR_API_H

#include <lua.h>
#include <lauxlib.h>

int luaopen_orrery_feed(lua_State *L);
int luaopen_orrery_html(lua_State *L);
int luaopen_orrery_fetch(lua_State *L);
int luaopen_orrery_db(lua_State *L);
int luaopen_orrery_fs(lua_State *L);
int luaopen_orrery_util(lua_State *L);
int luaopen_orrery_readline(lua_State *L);
int luaopen_orrery_pattern(lua_State *L);

/* Register every module above in package.preload as "orrery._<mod>". */
void orr_api_preload(lua_State *L);

/* The allocator orrery's Lua state is made with (runtime.c hands it to lua_newstate), which
** keeps count: bytes in use, and while `limit` is set (0 = none) no allocation may take the
** total past it; `refused` counts the ones that would have.  The sandbox sets a limit
** around each recipe call (orrery._util.memory_limit). */
typedef struct orr_mem { size_t used, limit, refused; } orr_mem;
void *orr_mem_alloc(void *ud, void *ptr, size_t osize, size_t nsize);

/* Keep libxml2 quiet on the calling thread (its error handler is per thread). */
void orr_api_quiet_libxml(void);

/* Push a parsed feed as the table orrery._feed.parse returns (api/feed.c). */
struct orr_feed;
void orr_push_feed(lua_State *L, const struct orr_feed *f);

/* Push fail, "fmt..." and return 2: the `nil, err` of an expected failure. */
int orr_fail(lua_State *L, const char *fmt, ...);

/* Optional fields of an options table at index idx (absent table or field = default). */
lua_Integer orr_opt_int(lua_State *L, int idx, const char *key, lua_Integer def);
double      orr_opt_num(lua_State *L, int idx, const char *key, double def);
const char *orr_opt_str(lua_State *L, int idx, const char *key, const char *def);
int         orr_opt_bool(lua_State *L, int idx, const char *key, int def);

/* t[key] = s (or nothing when s is NULL), for the table on top of the stack. */
void orr_set_str(lua_State *L, const char *key, const char *s);

#endif
