/*
** runtime.h — the Lua state orrery runs in: standard libraries, the orrery._* modules in
** package.preload, package.path pointing at orrery's Lua files, and a protected call with
** tracebacks.
*/
#ifndef ORR_RUNTIME_H
#define ORR_RUNTIME_H

#include <lua.h>

/* Where lua/ and recipes/ live: $ORRERY_HOME, else next to the executable (source tree),
** else <prefix>/share/orrery.  Returns a static buffer. */
const char *orr_runtime_home(void);

/* A new state ready for require('orrery.*'); NULL if out of memory. */
lua_State *orr_runtime_new(const char *home);

/* lua_pcall with a traceback message handler; on error the message is left on the stack. */
int orr_runtime_pcall(lua_State *L, int nargs, int nresults);

#endif
