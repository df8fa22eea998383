/*
** pattern.c — Lua patterns with a budget of steps (see pattern.h).
**
** A backtracking matcher over the pattern text, as the language's definition implies: a
** single-character class optionally followed by a quantifier, captures, back-references,
** %b and %f.  Every entry into the matcher and every character a quantifier takes costs one
** step; a pattern that would take longer than the budget ends with m->err set.  Errors in
** the pattern are reported the way Lua words them, so recipes see the messages they know.
*/
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "pattern.h"

#define MAX_DEPTH 200
#define CAP_OPEN (-1)
#define SPECIALS "^$*+?.([%-"

static const char *fail(orr_pat *m, const char *msg) {
  if (m->err == NULL) {
    snprintf(m->errbuf, sizeof m->errbuf, "%s", msg);
    m->err = m->errbuf;
  }
  return NULL;
}

/* Take n steps of the budget; 0 (with m->err set) when it is spent. */
static int spend(orr_pat *m, long long n) {
  if (m->steps < 0) return 1;             /* (set negative at init: no budget) */
  if (m->steps >= n) { m->steps -= n; return 1; }
  m->steps = 0;
  fail(m, "pattern budget spent");
  return 0;
}

void orr_pat_init(orr_pat *m, const char *s, size_t ls, const char *p, size_t lp, long long steps) {
  m->src = s;
  m->src_end = s + ls;
  m->pat_end = p + lp;
  m->level = 0;
  m->depth = MAX_DEPTH;
  m->steps = steps < 0 ? -1 : steps;
  m->err = NULL;
}

void orr_pat_reset(orr_pat *m) {
  m->level = 0;
  m->depth = MAX_DEPTH;
}

int orr_pat_plain(const char *p, size_t lp) {
  size_t i;
  for (i = 0; i < lp; i++) if (p[i] != '\0' && strchr(SPECIALS, p[i])) return 0;
  return 1;
}

/* The end of the single-character class that starts at p ("x", "%a", "[set]", "."). */
static const char *class_end(orr_pat *m, const char *p) {
  char c = *p++;
  if (c == '%') {
    if (p >= m->pat_end) return fail(m, "malformed pattern (ends with '%')");
    return p + 1;
  }
  if (c == '[') {
    if (p < m->pat_end && *p == '^') p++;
    do {                                   /* the first character is in the set, even ']' */
      if (p >= m->pat_end) return fail(m, "malformed pattern (missing ']')");
      c = *p++;
      if (c == '%' && p < m->pat_end) p++;
    } while (p >= m->pat_end || *p != ']');
    return p + 1;
  }
  return p;
}

/* Does c belong to the class letter cl (%a, %d, ...; upper case: the complement)? */
static int in_class(int c, int cl) {
  int r;
  switch (tolower(cl)) {
    case 'a': r = isalpha(c); break;
    case 'c': r = iscntrl(c); break;
    case 'd': r = isdigit(c); break;
    case 'g': r = isgraph(c); break;
    case 'l': r = islower(c); break;
    case 'p': r = ispunct(c); break;
    case 's': r = isspace(c); break;
    case 'u': r = isupper(c); break;
    case 'w': r = isalnum(c); break;
    case 'x': r = isxdigit(c); break;
    case 'z': r = c == 0; break;           /* (deprecated in Lua 5.2, still understood) */
    default: return cl == c;               /* an escaped character stands for itself */
  }
  r = r != 0;
  return isupper(cl) ? !r : r;
}

/* Does c belong to the set [ ... ] from p (at '[') to close (at its ']')? */
static int in_set(int c, const char *p, const char *close) {
  int yes = 1;
  p++;
  if (*p == '^') { yes = 0; p++; }
  while (p < close) {
    if (*p == '%' && p + 1 < close) {
      if (in_class(c, (unsigned char)p[1])) return yes;
      p += 2;
    } else if (p + 2 < close && p[1] == '-') {
      if ((unsigned char)p[0] <= c && c <= (unsigned char)p[2]) return yes;
      p += 3;
    } else {
      if ((unsigned char)*p == c) return yes;
      p++;
    }
  }
  return !yes;
}

/* Does the subject character at s match the class from p to ep? */
static int one(const orr_pat *m, const char *s, const char *p, const char *ep) {
  int c;
  if (s >= m->src_end) return 0;
  c = (unsigned char)*s;
  switch (*p) {
    case '.': return 1;
    case '%': return in_class(c, (unsigned char)p[1]);
    case '[': return in_set(c, p, ep - 1);
    default: return (unsigned char)*p == c;
  }
}

static const char *match(orr_pat *m, const char *s, const char *p);

/* As many as possible, then fewer until the rest matches. */
static const char *greedy(orr_pat *m, const char *s, const char *p, const char *ep) {
  ptrdiff_t i = 0;
  while (one(m, s + i, p, ep)) i++;
  if (!spend(m, i)) return NULL;
  for (; i >= 0; i--) {
    const char *r = match(m, s + i, ep + 1);
    if (r || m->err) return r;
  }
  return NULL;
}

/* As few as possible, more until the rest matches. */
static const char *lazy(orr_pat *m, const char *s, const char *p, const char *ep) {
  for (;;) {
    const char *r = match(m, s, ep + 1);
    if (r || m->err) return r;
    if (!one(m, s, p, ep)) return NULL;
    s++;
  }
}

static const char *open_capture(orr_pat *m, const char *s, const char *p, ptrdiff_t what) {
  const char *r;
  if (m->level >= ORR_PAT_MAXCAPTURES) return fail(m, "too many captures");
  m->cap[m->level].start = s;
  m->cap[m->level].len = what;
  m->level++;
  if ((r = match(m, s, p)) == NULL) m->level--;
  return r;
}

static const char *close_capture(orr_pat *m, const char *s, const char *p) {
  int l;
  const char *r;
  for (l = m->level - 1; l >= 0 && m->cap[l].len != CAP_OPEN; l--) {}
  if (l < 0) return fail(m, "invalid pattern capture");
  m->cap[l].len = s - m->cap[l].start;
  if ((r = match(m, s, p)) == NULL) m->cap[l].len = CAP_OPEN;
  return r;
}

/* %bxy at p (p at 'b'): a balanced run from x to its y.  Returns its end or NULL. */
static const char *balance(orr_pat *m, const char *s, const char *p) {
  int depth = 1;
  char open, close;
  if (m->pat_end - p < 3) return fail(m, "malformed pattern (missing arguments to '%b')");
  open = p[1];
  close = p[2];
  if (s >= m->src_end || *s != open) return NULL;
  for (s++; s < m->src_end; s++) {
    if (*s == close) { if (--depth == 0) { spend(m, 1); return s + 1; } }
    else if (*s == open) depth++;
  }
  return NULL;
}

/* A back-reference %1..%9 at subject s. */
static const char *backref(orr_pat *m, const char *s, int digit) {
  int l = digit - '1';
  size_t len;
  if (l < 0 || l >= m->level || m->cap[l].len == CAP_OPEN) {
    char msg[40];
    snprintf(msg, sizeof msg, "invalid capture index %%%d", l + 1);
    return fail(m, msg);
  }
  len = (size_t)m->cap[l].len;
  if ((size_t)(m->src_end - s) >= len && memcmp(m->cap[l].start, s, len) == 0) return s + len;
  return NULL;
}

static const char *match(orr_pat *m, const char *s, const char *p) {
  const char *r = NULL;
  if (m->depth-- == 0) return fail(m, "pattern too complex");
  for (;;) {
    const char *ep;
    if (!spend(m, 1)) break;
    if (p == m->pat_end) { r = s; break; }
    if (*p == '(') {
      r = p + 1 < m->pat_end && p[1] == ')' ? open_capture(m, s, p + 2, ORR_PAT_POSITION)
                                            : open_capture(m, s, p + 1, CAP_OPEN);
      break;
    }
    if (*p == ')') { r = close_capture(m, s, p + 1); break; }
    if (*p == '$' && p + 1 == m->pat_end) { r = s == m->src_end ? s : NULL; break; }
    if (*p == '%' && p + 1 < m->pat_end && p[1] == 'b') {
      if ((s = balance(m, s, p + 1)) == NULL) break;
      p += 4;
      continue;
    }
    if (*p == '%' && p + 1 < m->pat_end && p[1] == 'f') {
      int prev, cur;
      p += 2;
      if (p >= m->pat_end || *p != '[') { fail(m, "missing '[' after '%f' in pattern"); break; }
      if ((ep = class_end(m, p)) == NULL) break;
      prev = s == m->src ? 0 : (unsigned char)s[-1];
      cur = s < m->src_end ? (unsigned char)*s : 0;
      if (in_set(prev, p, ep - 1) || !in_set(cur, p, ep - 1)) break;
      p = ep;
      continue;
    }
    if (*p == '%' && p + 1 < m->pat_end && p[1] >= '0' && p[1] <= '9') {
      if ((s = backref(m, s, p[1])) == NULL) break;
      p += 2;
      continue;
    }
    if ((ep = class_end(m, p)) == NULL) break;
    if (!one(m, s, p, ep)) {
      if (ep < m->pat_end && (*ep == '*' || *ep == '?' || *ep == '-')) { p = ep + 1; continue; }
      break;                                /* no match here */
    }
    if (ep < m->pat_end && *ep == '?') {
      if ((r = match(m, s + 1, ep + 1)) != NULL || m->err) break;
      p = ep + 1;
      continue;
    }
    if (ep < m->pat_end && *ep == '+') { r = greedy(m, s + 1, p, ep); break; }
    if (ep < m->pat_end && *ep == '*') { r = greedy(m, s, p, ep); break; }
    if (ep < m->pat_end && *ep == '-') { r = lazy(m, s, p, ep); break; }
    s++;
    p = ep;
  }
  m->depth++;
  return m->err ? NULL : r;
}

const char *orr_pat_match(orr_pat *m, const char *s, const char *p) {
  return match(m, s, p);
}
