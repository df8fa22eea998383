/*
** api/readline.c — orrery._readline: GNU readline for the REPL.
**
**   readline(prompt) -> line | nil (end of input)     add_history(line)
**   read_history(path) -> true | nil, err             write_history(path, max) -> true | nil, err
**   set_completer(fn)  fn(word, line, start) -> { candidates }  (called under pcall)
**   columns() -> terminal width
**
** The completer is Lua, called from readline's completion callback.  It runs under
** lua_pcall, so a Lua error never unwinds through readline's frames; an error simply
** means no candidates.
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "api/api.h"

static lua_State *completer_L;      /* the state that set the completer */
static int completer_ref = LUA_NOREF;
static char **matches;              /* candidates of the current completion */
static size_t nmatches, next_match;

static void free_matches(void) {
  size_t i;
  for (i = 0; i < nmatches; i++) free(matches[i]);
  free(matches);
  matches = NULL;
  nmatches = next_match = 0;
}

/* Ask Lua for the candidates of `word`; they are kept in `matches`. */
static void collect(const char *word, int start) {
  lua_State *L = completer_L;
  lua_Integer i, n;
  free_matches();
  if (L == NULL || completer_ref == LUA_NOREF) return;
  lua_rawgeti(L, LUA_REGISTRYINDEX, completer_ref);
  lua_pushstring(L, word);
  lua_pushstring(L, rl_line_buffer);
  lua_pushinteger(L, start);
  if (lua_pcall(L, 3, 1, 0) != LUA_OK || !lua_istable(L, -1)) { lua_pop(L, 1); return; }
  n = (lua_Integer)lua_rawlen(L, -1);
  matches = calloc((size_t)n + 1, sizeof *matches);
  if (matches == NULL) { lua_pop(L, 1); return; }
  for (i = 1; i <= n; i++) {
    const char *s;
    lua_rawgeti(L, -1, i);
    s = lua_tostring(L, -1);
    if (s && (matches[nmatches] = strdup(s)) != NULL) nmatches++;
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
}

static char *generator(const char *text, int state) {
  (void)text;
  if (next_match < nmatches) return strdup(matches[next_match++]);
  (void)state;
  return NULL;
}

static char **attempt(const char *text, int start, int end) {
  (void)end;
  rl_attempted_completion_over = 1;       /* no filename completion */
  /* nothing after a completed word ("entries" then "{", "db:close" then "("): readline
  ** puts its default space back before every completion, so it is cleared each time */
  rl_completion_append_character = '\0';
  collect(text, start);
  if (nmatches == 0) return NULL;
  return rl_completion_matches(text, generator);
}

static int f_readline(lua_State *L) {
  const char *prompt = luaL_optstring(L, 1, "> ");
  char *line = readline(prompt);
  if (line == NULL) return 0;
  lua_pushstring(L, line);
  free(line);
  return 1;
}

static int f_add_history(lua_State *L) {
  const char *s = luaL_checkstring(L, 1);
  if (*s) add_history(s);
  return 0;
}

static int f_read_history(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  int rc = read_history(path);
  if (rc != 0) return orr_fail(L, "%s: %s", path, strerror(rc));
  lua_pushboolean(L, 1);
  return 1;
}

static int f_write_history(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  int max = (int)luaL_optinteger(L, 2, 1000), rc = write_history(path);
  if (rc != 0) return orr_fail(L, "%s: %s", path, strerror(rc));
  history_truncate_file(path, max);
  lua_pushboolean(L, 1);
  return 1;
}

static int f_set_completer(lua_State *L) {
  luaL_checktype(L, 1, LUA_TFUNCTION);
  if (completer_ref != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, completer_ref);
  lua_pushvalue(L, 1);
  completer_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  completer_L = L;
  rl_attempted_completion_function = attempt;
  /* '.' and ':' are not breaks: "orrery.store:rec" is one word for the Lua completer */
  rl_completer_word_break_characters = " \t\n\"'`@$><=;|&{(,+-*/%^~#[]";
  rl_completion_append_character = '\0';
  return 0;
}

static int f_columns(lua_State *L) {
  struct winsize ws;
  const char *env = getenv("COLUMNS");
  int cols = 80;
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) cols = ws.ws_col;
  else if (env && atoi(env) > 0) cols = atoi(env);
  lua_pushinteger(L, cols);
  return 1;
}

static const luaL_Reg lib[] = {
  { "readline",      f_readline      },
  { "add_history",   f_add_history   },
  { "read_history",  f_read_history  },
  { "write_history", f_write_history },
  { "set_completer", f_set_completer },
  { "columns",       f_columns       },
  { NULL, NULL }
};

int luaopen_orrery_readline(lua_State *L) {
  rl_readline_name = "orrery";
  luaL_newlib(L, lib);
  return 1;
}
