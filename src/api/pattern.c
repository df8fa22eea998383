/*
** api/pattern.c — orrery._pattern: string.find, match, gmatch and gsub over pattern.c, with a
** budget.  The same functions as Lua 5.4's string library (same arguments, results and
** error messages), so the sandbox can put them in place of Lua's while a recipe runs:
**
**   find(s, p [, init [, plain]])   match(s, p [, init])   gmatch(s, p [, init])
**   gsub(s, p, repl [, n])
**   budget([steps]) -> steps left   with a number: every match from now on spends from it,
**                                   and raises "... pattern budget spent" once it is gone;
**                                   with nil: no budget (returns what was left, or nil)
*/
#include <string.h>

#include "api/api.h"
#include "pattern.h"

/* The budget of this Lua state's matches (one state per process): -1 when there is none. */
static long long budget = -1;

/* Raise the matcher's error, if it stopped with one. */
static void check(lua_State *L, orr_pat *m) {
  if (m->err == NULL) return;
  if (budget >= 0) budget = m->steps;
  if (strcmp(m->err, "pattern budget spent") == 0)
    luaL_error(L, "recipe stopped: its budget was spent in a pattern match");
  luaL_error(L, "%s", m->err);
}

static void start(lua_State *L, orr_pat *m, const char *s, size_t ls, const char *p, size_t lp) {
  if (budget == 0) luaL_error(L, "recipe stopped: its budget was spent in a pattern match");
  orr_pat_init(m, s, ls, p, lp, budget);
}

static void done(orr_pat *m) {
  if (budget >= 0) budget = m->steps < 0 ? 0 : m->steps;
}

/* Lua's rule for init: negative counts from the end; below 1 is 1. */
static size_t first(lua_Integer init, size_t len) {
  if (init > 0) return (size_t)init;
  if (init == 0) return 1;
  if (init < -(lua_Integer)len) return 1;
  return len + (size_t)init + 1;
}

/* Capture i of a match from s to e: the whole match when there are no captures. */
static void push_capture(lua_State *L, orr_pat *m, int i, const char *s, const char *e) {
  if (i >= m->level) {
    if (i != 0) luaL_error(L, "invalid capture index %%%d", i + 1);
    lua_pushlstring(L, s, (size_t)(e - s));
    return;
  }
  if (m->cap[i].len == -1) luaL_error(L, "unfinished capture");
  if (m->cap[i].len == ORR_PAT_POSITION) lua_pushinteger(L, (m->cap[i].start - m->src) + 1);
  else lua_pushlstring(L, m->cap[i].start, (size_t)m->cap[i].len);
}

/* Push every capture (or the whole match, s may be NULL for none); returns how many. */
static int push_captures(lua_State *L, orr_pat *m, const char *s, const char *e) {
  int i, n = (m->level == 0 && s) ? 1 : m->level;
  luaL_checkstack(L, n, "too many captures");
  for (i = 0; i < n; i++) push_capture(L, m, i, s, e);
  return n;
}

static const char *plain_find(const char *s, size_t ls, const char *p, size_t lp) {
  const char *end = s + ls;
  if (lp == 0) return s;
  if (lp > ls) return NULL;
  for (; (size_t)(end - s) >= lp; s++) {
    s = memchr(s, *p, (size_t)(end - s) - lp + 1);
    if (s == NULL) return NULL;
    if (memcmp(s, p, lp) == 0) return s;
  }
  return NULL;
}

static int find_aux(lua_State *L, int find) {
  size_t ls, lp;
  const char *s = luaL_checklstring(L, 1, &ls), *p = luaL_checklstring(L, 2, &lp);
  size_t init = first(luaL_optinteger(L, 3, 1), ls);
  orr_pat m;
  if (init > ls + 1) { luaL_pushfail(L); return 1; }
  if (find && (lua_toboolean(L, 4) || orr_pat_plain(p, lp))) {
    const char *at = plain_find(s + init - 1, ls - init + 1, p, lp);
    if (at == NULL) { luaL_pushfail(L); return 1; }
    lua_pushinteger(L, (at - s) + 1);
    lua_pushinteger(L, (at - s) + (lua_Integer)lp);
    return 2;
  } else {
    const char *at = s + init - 1;
    int anchor = lp > 0 && *p == '^';
    if (anchor) { p++; lp--; }
    start(L, &m, s, ls, p, lp);
    do {
      const char *e;
      orr_pat_reset(&m);
      e = orr_pat_match(&m, at, p);
      check(L, &m);
      if (e) {
        done(&m);
        if (find) {
          lua_pushinteger(L, (at - s) + 1);
          lua_pushinteger(L, e - s);
          return push_captures(L, &m, NULL, NULL) + 2;
        }
        return push_captures(L, &m, at, e);
      }
    } while (at++ < m.src_end && !anchor);
    done(&m);
  }
  luaL_pushfail(L);
  return 1;
}

static int f_find(lua_State *L) { return find_aux(L, 1); }
static int f_match(lua_State *L) { return find_aux(L, 0); }

/* gmatch's state: the subject and pattern (kept alive as upvalues), where to go on. */
typedef struct gm { const char *at, *last; } gm;

static int gmatch_next(lua_State *L) {
  size_t ls, lp;
  const char *s = lua_tolstring(L, lua_upvalueindex(1), &ls), *p = lua_tolstring(L, lua_upvalueindex(2), &lp);
  gm *g = lua_touserdata(L, lua_upvalueindex(3));
  orr_pat m;
  start(L, &m, s, ls, p, lp);
  for (; g->at <= m.src_end; g->at++) {
    const char *from = g->at, *e;
    orr_pat_reset(&m);
    e = orr_pat_match(&m, from, p);
    check(L, &m);
    if (e && e != g->last) {
      done(&m);
      g->at = g->last = e;
      return push_captures(L, &m, from, e);
    }
  }
  done(&m);
  return 0;
}

static int f_gmatch(lua_State *L) {
  size_t ls;
  const char *s = luaL_checklstring(L, 1, &ls);
  size_t init = first(luaL_optinteger(L, 3, 1), ls);
  gm *g;
  luaL_checkstring(L, 2);
  lua_settop(L, 2);
  g = lua_newuserdatauv(L, sizeof *g, 0);
  /* (from past the end there is no match, not even an empty one at the end) */
  g->at = init > ls + 1 ? s + ls + 1 : s + init - 1;
  g->last = NULL;
  lua_pushcclosure(L, gmatch_next, 3);
  return 1;
}

/* The replacement of one match (s to e) into b: a string with %0-%9 and %%, a table's value
** at the first capture, or a function's result; false or nil keeps the match as it was. */
static void replace(lua_State *L, luaL_Buffer *b, orr_pat *m, const char *s, const char *e, int tr) {
  if (tr == LUA_TSTRING || tr == LUA_TNUMBER) {
    size_t l, i;
    const char *r = lua_tolstring(L, 3, &l);
    for (i = 0; i < l; i++) {
      if (r[i] != '%') { luaL_addchar(b, r[i]); continue; }
      if (++i == l || (r[i] != '%' && (r[i] < '0' || r[i] > '9')))
        luaL_error(L, "invalid use of '%%' in replacement string");
      if (r[i] == '%') luaL_addchar(b, '%');
      else if (r[i] == '0') luaL_addlstring(b, s, (size_t)(e - s));
      else {
        push_capture(L, m, r[i] - '1', s, e);
        luaL_tolstring(L, -1, NULL);
        lua_remove(L, -2);
        luaL_addvalue(b);
      }
    }
    return;
  }
  if (tr == LUA_TFUNCTION) {
    int n;
    lua_pushvalue(L, 3);
    n = push_captures(L, m, s, e);
    lua_call(L, n, 1);
  } else {
    push_capture(L, m, 0, s, e);
    lua_gettable(L, 3);
  }
  if (!lua_toboolean(L, -1)) {
    lua_pop(L, 1);
    luaL_addlstring(b, s, (size_t)(e - s));
  } else if (!lua_isstring(L, -1)) {
    luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
  } else {
    luaL_addvalue(b);
  }
}

static int f_gsub(lua_State *L) {
  size_t ls, lp;
  const char *s = luaL_checklstring(L, 1, &ls), *p = luaL_checklstring(L, 2, &lp), *at = s, *last = NULL;
  int tr = lua_type(L, 3), anchor;
  lua_Integer max = luaL_optinteger(L, 4, (lua_Integer)ls + 1), n = 0;
  orr_pat m;
  luaL_Buffer b;
  luaL_argexpected(L, tr == LUA_TNUMBER || tr == LUA_TSTRING || tr == LUA_TFUNCTION || tr == LUA_TTABLE, 3,
                   "string/function/table");
  anchor = lp > 0 && *p == '^';
  if (anchor) { p++; lp--; }
  luaL_buffinit(L, &b);
  start(L, &m, s, ls, p, lp);
  while (n < max) {
    const char *e;
    orr_pat_reset(&m);
    e = orr_pat_match(&m, at, p);
    check(L, &m);
    if (e && e != last) {
      n++;
      replace(L, &b, &m, at, e, tr);
      at = last = e;
    } else if (at < m.src_end) {
      luaL_addchar(&b, *at++);
    } else {
      break;
    }
    if (anchor) break;
  }
  done(&m);
  luaL_addlstring(&b, at, (size_t)(m.src_end - at));
  luaL_pushresult(&b);
  lua_pushinteger(L, n);
  return 2;
}

static int f_budget(lua_State *L) {
  long long was = budget;
  if (lua_isnoneornil(L, 1)) budget = -1;
  else budget = (long long)luaL_checkinteger(L, 1) < 0 ? 0 : (long long)luaL_checkinteger(L, 1);
  if (was < 0) lua_pushnil(L); else lua_pushinteger(L, (lua_Integer)was);
  return 1;
}

static const luaL_Reg lib[] = {
  { "find",   f_find   },
  { "match",  f_match  },
  { "gmatch", f_gmatch },
  { "gsub",   f_gsub   },
  { "budget", f_budget },
  { NULL, NULL }
};

int luaopen_orrery_pattern(lua_State *L) {
  luaL_newlib(L, lib);
  return 1;
}
