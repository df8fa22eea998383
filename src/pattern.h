/*
** pattern.h — Lua 5.4's string patterns, matched with a budget of steps.
**
** The same language as Lua's string.find/match/gmatch/gsub (character classes, sets,
** quantifiers * + - ?, captures and position captures, back-references, %b and %f,
** anchors), written for orrery so that a match can be stopped: every step of the
** backtracking search costs one unit of the budget, and when it is spent the match ends with
** an error instead of running on.  Recipes match with it (a pathological pattern such as
** ("a*"):rep(30) .. "b" on a long page would otherwise run for hours inside one call, where
** no instruction count reaches it).  Pure C, no Lua.
*/
#ifndef ORR_PATTERN_H
#define ORR_PATTERN_H

#include <stddef.h>

#define ORR_PAT_MAXCAPTURES 32
#define ORR_PAT_POSITION (-2)        /* a capture's len for "()": its position */

typedef struct orr_pat {
  const char *src, *src_end;         /* the subject */
  const char *pat_end;               /* the pattern's end */
  int level;                         /* captures opened so far */
  struct { const char *start; ptrdiff_t len; } cap[ORR_PAT_MAXCAPTURES];
  int depth;                         /* recursion left before "pattern too complex" */
  long long steps;                   /* budget left; the match stops when it goes negative */
  const char *err;                   /* why the match stopped, or NULL (then: no match) */
  char errbuf[96];
} orr_pat;

/* Prepare m for matching pattern p (lp bytes) in subject s (ls bytes) with this many steps
** (a negative budget: none).  m->steps is left for the next match to use. */
void orr_pat_init(orr_pat *m, const char *s, size_t ls, const char *p, size_t lp, long long steps);

/* Start a new attempt at another position (captures cleared; budget kept). */
void orr_pat_reset(orr_pat *m);

/* Match the pattern from p (inside it) at subject position s.  Returns the end of the match,
** or NULL: no match, or m->err says why it stopped (a malformed pattern, the budget). */
const char *orr_pat_match(orr_pat *m, const char *s, const char *p);

/* 1 if p (lp bytes) has no character with a special meaning (a plain search will do). */
int orr_pat_plain(const char *p, size_t lp);

#endif
