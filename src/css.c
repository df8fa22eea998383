/*
** css.c — CSS selectors to XPath 1.0 (see css.h).  A recursive-descent reader over the
** selector; each compound selector becomes a location step "axis::name[conditions]".
** The translations are the usual ones (cssselect's, for instance): a class is a word of
** normalize-space(@class), :nth-child counts preceding siblings.
*/
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "css.h"

#define MAX_SELECTOR 4096
#define MAX_NAME 256

typedef struct reader {
  const char *s;
  size_t i, n;
  char *err;
  size_t errlen;
  int failed;
} reader;

static int fail(reader *r, const char *fmt, ...) {
  va_list ap;
  if (!r->failed && r->errlen) {
    int k = snprintf(r->err, r->errlen, "css: ");
    va_start(ap, fmt);
    if (k > 0 && (size_t)k < r->errlen) vsnprintf(r->err + k, r->errlen - (size_t)k, fmt, ap);
    va_end(ap);
  }
  r->failed = 1;
  return 0;
}

static int peek(const reader *r) { return r->i < r->n ? (unsigned char)r->s[r->i] : 0; }

static int skip_ws(reader *r) {
  size_t start = r->i;
  while (r->i < r->n && isspace((unsigned char)r->s[r->i])) r->i++;
  return r->i > start;
}

static int ident_char(int c) { return isalnum(c) || c == '-' || c == '_' || c >= 0x80; }

/* An identifier into buf (lower-cased when lower); its length, 0 if there is none.  An
** element or attribute name (lower) goes into the XPath as a name, so it must be one there
** too: ASCII, not starting with '-' or a digit.  Other identifiers become string literals. */
static size_t ident(reader *r, char *buf, int lower) {
  size_t k = 0;
  int c = peek(r);
  if (c == '\\') return fail(r, "escapes are not supported (at %zu)", r->i);
  if (!(isalpha(c) || c == '_' || (!lower && (c == '-' || c >= 0x80)))) return 0;
  while (ident_char(c = peek(r)) && !(lower && c >= 0x80)) {
    if (k + 1 >= MAX_NAME) return fail(r, "name too long (at %zu)", r->i);
    buf[k++] = (char)(lower ? tolower(c) : c);
    r->i++;
  }
  if (peek(r) == '\\') return fail(r, "escapes are not supported (at %zu)", r->i);
  buf[k] = '\0';
  return k;
}

/* A quoted string (no escapes) or an identifier, into buf. */
static int value(reader *r, char *buf) {
  int q = peek(r);
  size_t k = 0;
  if (q != '"' && q != '\'') {
    if (ident(r, buf, 0) > 0) return 1;
    return r->failed ? 0 : fail(r, "expected a value (at %zu)", r->i);
  }
  r->i++;
  while (r->i < r->n && r->s[r->i] != q) {
    if (r->s[r->i] == '\\') return fail(r, "escapes are not supported (at %zu)", r->i);
    if (k + 1 >= MAX_NAME) return fail(r, "string too long (at %zu)", r->i);
    buf[k++] = r->s[r->i++];
  }
  if (r->i >= r->n) return fail(r, "unterminated string");
  r->i++;
  buf[k] = '\0';
  return 1;
}

/* v as an XPath string literal. */
static void literal(orr_buf *o, const char *v) {
  if (!strchr(v, '\'')) { orr_buf_addc(o, '\''); orr_buf_adds(o, v); orr_buf_addc(o, '\''); return; }
  if (!strchr(v, '"')) { orr_buf_addc(o, '"'); orr_buf_adds(o, v); orr_buf_addc(o, '"'); return; }
  orr_buf_adds(o, "concat(");                 /* both quotes: 'a', "'", 'b' ... */
  for (;;) {
    const char *q = strchr(v, '\'');
    orr_buf_addc(o, '\'');
    orr_buf_add(o, v, q ? (size_t)(q - v) : strlen(v));
    orr_buf_addc(o, '\'');
    if (!q) break;
    orr_buf_adds(o, ", \"'\", ");
    v = q + 1;
  }
  orr_buf_addc(o, ')');
}

static size_t utf8_chars(const char *s) {
  size_t n = 0;
  for (; *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80;
  return n;
}

/* Start a condition: conditions of one step are joined with "and". */
static void cond(orr_buf *c) { if (c->len) orr_buf_adds(c, " and "); }

static int attribute(reader *r, orr_buf *c) {
  char name[MAX_NAME], v[MAX_NAME], at[MAX_NAME + 2];
  char op = 0;
  skip_ws(r);
  if (!ident(r, name, 1)) return r->failed ? 0 : fail(r, "expected an attribute name (at %zu)", r->i);
  if (peek(r) == '|' && r->i + 1 < r->n && r->s[r->i + 1] != '=')
    return fail(r, "attribute namespaces are not supported");
  snprintf(at, sizeof at, "@%s", name);
  skip_ws(r);
  if (peek(r) == ']') { r->i++; cond(c); orr_buf_adds(c, at); return 1; }
  if (peek(r) && strchr("~|^$*", peek(r))) { op = (char)peek(r); r->i++; }
  else op = '=';
  if (peek(r) != '=') return fail(r, "expected = in [%s ...] (at %zu)", name, r->i);
  r->i++;
  skip_ws(r);
  if (!value(r, v)) return 0;
  skip_ws(r);
  if (peek(r) != ']') return fail(r, "expected ] (at %zu)", r->i);
  r->i++;
  cond(c);
  if (op != '=' && op != '|' && (!*v || (op == '~' && strpbrk(v, " \t\n")))) {
    orr_buf_adds(c, "false()");             /* these never match an empty value */
    return 1;
  }
  switch (op) {
    case '=': orr_buf_adds(c, at); orr_buf_adds(c, " = "); literal(c, v); break;
    case '~':
      orr_buf_adds(c, "contains(concat(' ', normalize-space(");
      orr_buf_adds(c, at);
      orr_buf_adds(c, "), ' '), concat(' ', ");
      literal(c, v);
      orr_buf_adds(c, ", ' '))");
      break;
    case '|':
      orr_buf_addc(c, '(');
      orr_buf_adds(c, at); orr_buf_adds(c, " = "); literal(c, v);
      orr_buf_adds(c, " or starts-with("); orr_buf_adds(c, at); orr_buf_adds(c, ", concat(");
      literal(c, v);
      orr_buf_adds(c, ", '-')))");
      break;
    case '^': orr_buf_adds(c, "starts-with("); orr_buf_adds(c, at); orr_buf_adds(c, ", "); literal(c, v); orr_buf_addc(c, ')'); break;
    case '*': orr_buf_adds(c, "contains("); orr_buf_adds(c, at); orr_buf_adds(c, ", "); literal(c, v); orr_buf_addc(c, ')'); break;
    case '$': {
      char num[32];
      snprintf(num, sizeof num, "%zu", utf8_chars(v));
      orr_buf_adds(c, "substring("); orr_buf_adds(c, at); orr_buf_adds(c, ", string-length(");
      orr_buf_adds(c, at); orr_buf_adds(c, ") - "); orr_buf_adds(c, num);
      orr_buf_adds(c, " + 1) = "); literal(c, v);
      break;
    }
    default: break;
  }
  return 1;
}

/* an+b (or odd, even) inside :nth-...( ); sets a and b. */
static int nth(reader *r, long *a, long *b) {
  char word[MAX_NAME];
  size_t save;
  long sign = 1, num = 0;
  int digits = 0;
  skip_ws(r);
  save = r->i;
  if (ident(r, word, 1)) {
    if (strcmp(word, "odd") == 0) { *a = 2; *b = 1; goto close; }
    if (strcmp(word, "even") == 0) { *a = 2; *b = 0; goto close; }
    r->i = save;                              /* n, -n, n+1 ...: read below */
  }
  if (r->failed) return 0;
  if (peek(r) == '+' || peek(r) == '-') { sign = peek(r) == '-' ? -1 : 1; r->i++; }
  while (isdigit(peek(r)) && num < 100000) { num = num * 10 + (peek(r) - '0'); r->i++; digits = 1; }
  if (peek(r) == 'n' || peek(r) == 'N') {
    r->i++;
    *a = sign * (digits ? num : 1);
    skip_ws(r);
    *b = 0;
    if (peek(r) == '+' || peek(r) == '-') {
      sign = peek(r) == '-' ? -1 : 1;
      r->i++;
      skip_ws(r);
      num = 0;
      digits = 0;
      while (isdigit(peek(r)) && num < 100000) { num = num * 10 + (peek(r) - '0'); r->i++; digits = 1; }
      if (!digits) return fail(r, "expected a number in an+b (at %zu)", r->i);
      *b = sign * num;
    }
  } else {
    if (!digits) return fail(r, "expected an+b, odd or even (at %zu)", r->i);
    *a = 0;
    *b = sign * num;
  }
close:
  skip_ws(r);
  if (peek(r) != ')') return fail(r, "expected ) (at %zu)", r->i);
  r->i++;
  return 1;
}

static int compound(reader *r, char *name, orr_buf *c, int in_not);

static int pseudo(reader *r, const char *name, orr_buf *c, int in_not) {
  char p[MAX_NAME];
  if (peek(r) == ':') return fail(r, "pseudo-elements are not supported (at %zu)", r->i);
  if (!ident(r, p, 1)) return r->failed ? 0 : fail(r, "expected a pseudo-class (at %zu)", r->i);
  if (strcmp(p, "first-child") == 0) { cond(c); orr_buf_adds(c, "not(preceding-sibling::*)"); return 1; }
  if (strcmp(p, "last-child") == 0) { cond(c); orr_buf_adds(c, "not(following-sibling::*)"); return 1; }
  if (strcmp(p, "only-child") == 0) {
    cond(c);
    orr_buf_adds(c, "not(preceding-sibling::*) and not(following-sibling::*)");
    return 1;
  }
  if (strcmp(p, "empty") == 0) { cond(c); orr_buf_adds(c, "not(*) and not(text())"); return 1; }
  if (strcmp(p, "root") == 0) { cond(c); orr_buf_adds(c, "not(parent::*)"); return 1; }
  if (strcmp(p, "first-of-type") == 0 || strcmp(p, "last-of-type") == 0) {
    if (strcmp(name, "*") == 0) return fail(r, ":%s needs an element name", p);
    cond(c);
    orr_buf_adds(c, p[0] == 'f' ? "not(preceding-sibling::" : "not(following-sibling::");
    orr_buf_adds(c, name);
    orr_buf_addc(c, ')');
    return 1;
  }
  if (peek(r) != '(') return fail(r, "unknown pseudo-class :%s", p);
  r->i++;
  if (strcmp(p, "nth-child") == 0 || strcmp(p, "nth-of-type") == 0 ||
      strcmp(p, "nth-last-child") == 0 || strcmp(p, "nth-last-of-type") == 0) {
    long a = 0, b = 0;
    char pos[MAX_NAME + 64], num[64];
    int last = strncmp(p, "nth-last", 8) == 0, of_type = strstr(p, "of-type") != NULL;
    if (!nth(r, &a, &b)) return 0;
    if (of_type && strcmp(name, "*") == 0) return fail(r, ":%s needs an element name", p);
    snprintf(pos, sizeof pos, "(count(%s-sibling::%s) + 1)", last ? "following" : "preceding",
             of_type ? name : "*");
    cond(c);
    if (a == 0) {
      snprintf(num, sizeof num, " = %ld", b);
      orr_buf_adds(c, pos);
      orr_buf_adds(c, num);
    } else {
      snprintf(num, sizeof num, " - %ld) mod %ld = 0", b, a);
      orr_buf_addc(c, '(');
      orr_buf_adds(c, pos);
      orr_buf_adds(c, num);
      snprintf(num, sizeof num, " - %ld) div %ld >= 0", b, a);
      orr_buf_adds(c, " and (");
      orr_buf_adds(c, pos);
      orr_buf_adds(c, num);
    }
    return 1;
  }
  if (strcmp(p, "not") == 0) {
    char inner[MAX_NAME];
    orr_buf ic;
    if (in_not) return fail(r, ":not() inside :not() is not supported");
    orr_buf_init(&ic);
    skip_ws(r);
    if (!compound(r, inner, &ic, 1)) { orr_buf_free(&ic); return 0; }
    skip_ws(r);
    if (peek(r) != ')') { orr_buf_free(&ic); return fail(r, "expected ) after :not( (at %zu)", r->i); }
    r->i++;
    cond(c);
    orr_buf_adds(c, "not(");
    if (strcmp(inner, "*") != 0) {
      orr_buf_adds(c, "self::");
      orr_buf_adds(c, inner);
      if (ic.len) orr_buf_adds(c, " and ");
    }
    if (ic.len) { orr_buf_addc(c, '('); orr_buf_add(c, ic.data, ic.len); orr_buf_addc(c, ')'); }
    if (strcmp(inner, "*") == 0 && !ic.len) orr_buf_adds(c, "true()");
    orr_buf_addc(c, ')');
    orr_buf_free(&ic);
    return 1;
  }
  if (strcmp(p, "contains") == 0) {
    char v[MAX_NAME];
    skip_ws(r);
    if (!value(r, v)) return 0;
    skip_ws(r);
    if (peek(r) != ')') return fail(r, "expected ) (at %zu)", r->i);
    r->i++;
    cond(c);
    orr_buf_adds(c, "contains(string(.), ");
    literal(c, v);
    orr_buf_addc(c, ')');
    return 1;
  }
  return fail(r, "unknown pseudo-class :%s()", p);
}

/* A compound selector: the element name (or "*") into name, its conditions into c. */
static int compound(reader *r, char *name, orr_buf *c, int in_not) {
  int any = 0;
  char buf[MAX_NAME];
  if (peek(r) == '*') { r->i++; strcpy(name, "*"); any = 1; }
  else if (ident(r, name, 1)) any = 1;
  else if (r->failed) return 0;
  else strcpy(name, "*");
  for (;;) {
    int ch = peek(r);
    if (ch == '#' || ch == '.') {
      r->i++;
      if (!ident(r, buf, 0)) return r->failed ? 0 : fail(r, "expected a name after %c (at %zu)", ch, r->i);
      cond(c);
      if (ch == '#') {
        orr_buf_adds(c, "@id = ");
        literal(c, buf);
      } else {
        orr_buf_adds(c, "contains(concat(' ', normalize-space(@class), ' '), ");
        orr_buf_adds(c, "concat(' ', ");
        literal(c, buf);
        orr_buf_adds(c, ", ' '))");
      }
    } else if (ch == '[') {
      r->i++;
      if (!attribute(r, c)) return 0;
    } else if (ch == ':') {
      r->i++;
      if (!pseudo(r, name, c, in_not)) return 0;
    } else {
      break;
    }
    any = 1;
  }
  return any ? 1 : fail(r, "expected a selector (at %zu)", r->i);
}

static void step(orr_buf *o, const char *axis, const char *name, const orr_buf *c) {
  orr_buf_adds(o, axis);
  orr_buf_adds(o, name);
  if (c->len) { orr_buf_addc(o, '['); orr_buf_add(o, c->data, c->len); orr_buf_addc(o, ']'); }
}

char *orr_css_to_xpath(const char *selector, char *err, size_t errlen) {
  reader r;
  orr_buf out, c;
  char name[MAX_NAME];
  r.s = selector;
  r.i = 0;
  r.n = strlen(selector);
  r.err = err;
  r.errlen = errlen;
  r.failed = 0;
  if (errlen) err[0] = '\0';
  if (r.n > MAX_SELECTOR) { fail(&r, "selector longer than %d bytes", MAX_SELECTOR); return NULL; }
  if (!orr_utf8_valid(selector, r.n)) { fail(&r, "the selector is not valid UTF-8"); return NULL; }
  for (r.i = 0; r.i < r.n; r.i++) {            /* XPath (XML) has no place for them */
    unsigned char ch = (unsigned char)selector[r.i];
    if ((ch < 0x20 && ch != 9 && ch != 10 && ch != 13) || ch == 0x7f) {
      fail(&r, "control character at %zu", r.i);
      return NULL;
    }
  }
  r.i = 0;
  orr_buf_init(&out);
  orr_buf_init(&c);
  skip_ws(&r);
  for (;;) {                                   /* one selector of the group */
    const char *axis = "descendant-or-self::";
    for (;;) {                                 /* compound (combinator compound)* */
      int ws, comb;
      c.len = 0;
      if (!compound(&r, name, &c, 0)) goto bad;
      step(&out, axis, name, &c);
      ws = skip_ws(&r);
      comb = peek(&r);
      if (comb == '>' || comb == '+' || comb == '~') {
        r.i++;
        skip_ws(&r);
        axis = comb == '>' ? "/" : comb == '~' ? "/following-sibling::" : "/following-sibling::*[1]/self::";
      } else if (comb == ',' || comb == 0) {
        break;
      } else if (ws) {
        axis = "/descendant::";
      } else {
        fail(&r, "unexpected '%c' (at %zu)", comb, r.i);
        goto bad;
      }
    }
    if (peek(&r) == 0) break;
    r.i++;                                     /* ',' */
    skip_ws(&r);
    orr_buf_adds(&out, " | ");
  }
  orr_buf_free(&c);
  if (!orr_buf_ok(&out)) { orr_buf_free(&out); fail(&r, "out of memory"); return NULL; }
  return orr_buf_take(&out);
bad:
  orr_buf_free(&c);
  orr_buf_free(&out);
  return NULL;
}
