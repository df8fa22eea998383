/*
** xmlinput.c — feed bytes made readable for libxml2 (see xmlinput.h).
**
** Each step scans the bytes once and copies them only when it changes something; the
** common document (UTF-8, declared or not, no DTD, only XML's five entities) is not copied.
*/
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <libxml/HTMLparser.h>
#include <libxml/encoding.h>
#include <libxml/tree.h>

#include "buf.h"
#include "xmlinput.h"

/* Say why the document was rewritten (the first reason is kept: it is the one that
** matters most, the steps run in that order). */
static void note(orr_xml_input *in, const char *fmt, ...) {
  va_list ap;
  if (in->note[0]) return;
  va_start(ap, fmt);
  vsnprintf(in->note, sizeof in->note, fmt, ap);
  va_end(ap);
}

/* Replace the document by a rewritten copy (taken). */
static void take(orr_xml_input *in, char *copy, size_t len) {
  free(in->copy);
  in->copy = copy;
  in->data = copy;
  in->len = len;
}

/* {====== The document's own entities ======
** The internal subset of <!DOCTYPE x [ ... ]> is read here: each general entity declared
** with a literal value is kept for expansion, an external one (SYSTEM, PUBLIC) expands to
** nothing (nothing is ever loaded); parameter entities and every other declaration are
** ignored.  Expansions are computed
** once, on first use, recursively; an entity that expands beyond ORR_ENTITY_MAX bytes, or
** refers to itself, is refused (its references expand to nothing), and all expansions
** together may add at most `budget` bytes to the document. */
#define MAX_ENTITIES 1024
#define MAX_DEPTH 16

typedef struct entity {
  char    name[64];
  char   *value; size_t vlen;         /* the literal (a copy: the document is rewritten) */
  orr_buf x;                        /* its expansion, once computed */
  int     state;                    /* 0 not yet, 1 in progress, 2 done, 3 refused */
} entity;

typedef struct entities {
  entity *e; size_t n, cap;
  size_t  total, budget;            /* bytes added to the document so far; at most */
  char    refused[200];             /* the first refusal, for the note */
} entities;

static void refuse(entities *ents, const char *name, const char *why) {
  if (!ents->refused[0]) snprintf(ents->refused, sizeof ents->refused, "entity '%s' refused: %s", name, why);
}

static entity *find_entity(entities *ents, const char *name) {
  size_t i;
  for (i = 0; i < ents->n; i++) if (strcmp(ents->e[i].name, name) == 0) return &ents->e[i];
  return NULL;
}

static int name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.' || c == ':' || (unsigned char)c >= 0x80;
}

/* The expansion of x as text to put in the document where a reference to it stood:
** references in its value expanded in turn (declared ones recursively, HTML's named ones as
** character references, unknown ones kept as text), markup characters escaped (a value's
** markup is taken as text: it may stand in an attribute).  NULL when refused. */
static const orr_buf *expansion(entities *ents, entity *x, int depth) {
  size_t i;
  if (x->state == 2) return &x->x;
  if (x->state != 0 || depth > MAX_DEPTH) {
    refuse(ents, x->name, x->state == 1 ? "it refers to itself" : "nested too deeply");
    x->state = 3;
    return NULL;
  }
  x->state = 1;
  orr_buf_init(&x->x);
  for (i = 0; i < x->vlen && x->x.len <= ORR_ENTITY_MAX; i++) {
    char c = x->value[i];
    if (c == '&') {
      size_t k = i + 1;
      char name[64];
      while (k < x->vlen && k - i < sizeof name && name_char(x->value[k])) k++;
      if (k < x->vlen && x->value[k] == ';' && k > i + 1 && x->value[i + 1] != '#') {
        entity *y;
        const htmlEntityDesc *h;
        memcpy(name, x->value + i + 1, k - i - 1);
        name[k - i - 1] = '\0';
        if ((y = find_entity(ents, name)) != NULL) {
          const orr_buf *yx = expansion(ents, y, depth + 1);
          if (yx == NULL) { x->state = 3; orr_buf_free(&x->x); refuse(ents, x->name, "it uses a refused entity"); return NULL; }
          orr_buf_add(&x->x, yx->data, yx->len);
        } else if (!strcmp(name, "amp") || !strcmp(name, "lt") || !strcmp(name, "gt") ||
                   !strcmp(name, "quot") || !strcmp(name, "apos")) {
          orr_buf_add(&x->x, x->value + i, k - i + 1);
        } else if ((h = htmlEntityLookup((const xmlChar *)name)) != NULL) {
          char ref[16];
          snprintf(ref, sizeof ref, "&#%u;", h->value);
          orr_buf_adds(&x->x, ref);
        } else {
          orr_buf_adds(&x->x, "&amp;");
          orr_buf_adds(&x->x, name);
          orr_buf_addc(&x->x, ';');
        }
        i = k;
        continue;
      }
      if (x->value[i + 1 < x->vlen ? i + 1 : i] == '#') { orr_buf_addc(&x->x, '&'); continue; }
      orr_buf_adds(&x->x, "&amp;");
    } else if (c == '<') orr_buf_adds(&x->x, "&lt;");
    else if (c == '"') orr_buf_adds(&x->x, "&quot;");
    else if (c == '\'') orr_buf_adds(&x->x, "&apos;");
    else orr_buf_addc(&x->x, c);
  }
  if (!orr_buf_ok(&x->x) || x->x.len > ORR_ENTITY_MAX) {
    refuse(ents, x->name, orr_buf_ok(&x->x) ? "it expands beyond 65536 bytes" : "out of memory");
    orr_buf_free(&x->x);
    x->state = 3;
    return NULL;
  }
  x->state = 2;
  return &x->x;
}

static int blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }   /* XML's S */

static const char *skip_ws(const char *p, const char *end) {
  while (p < end && blank(*p)) p++;
  return p;
}

/* The end of the markup declaration at p ("<!...>"), quoted strings skipped; NULL if none. */
static const char *decl_end(const char *p, const char *end) {
  for (p += 2; p < end; p++) {
    if (*p == '"' || *p == '\'') {
      const char *q = memchr(p + 1, *p, (size_t)(end - p - 1));
      if (q == NULL) return NULL;
      p = q;
    } else if (*p == '>') {
      return p;
    }
  }
  return NULL;
}

/* Read "<!ENTITY name 'value'>" at p (up to e, its '>') into ents; others are ignored. */
static void read_entity(entities *ents, const char *p, const char *e) {
  entity *x;
  const char *n, *v;
  size_t nlen;
  p = skip_ws(p + 8, e);
  if (p >= e || *p == '%') return;                      /* a parameter entity */
  for (n = p; p < e && name_char(*p); p++) {}
  nlen = (size_t)(p - n);
  p = skip_ws(p, e);
  if (nlen == 0 || nlen >= sizeof x->name || p >= e) return;
  if (*p != '"' && *p != '\'') {
    v = NULL;                                           /* external (SYSTEM, PUBLIC): never loaded */
  } else if ((v = memchr(p + 1, *p, (size_t)(e - p - 1))) == NULL) {
    return;
  }
  if (ents->n >= MAX_ENTITIES) return;
  {
    char name[64];
    memcpy(name, n, nlen);
    name[nlen] = '\0';
    if (find_entity(ents, name)) return;                 /* XML: the first declaration binds */
    if (ents->n == ents->cap) {
      size_t cap = ents->cap ? ents->cap * 2 : 16;
      entity *t = realloc(ents->e, cap * sizeof *t);
      if (t == NULL) return;
      ents->e = t;
      ents->cap = cap;
    }
    x = &ents->e[ents->n++];
    memset(x, 0, sizeof *x);
    memcpy(x->name, name, nlen + 1);
  }
  x->vlen = v ? (size_t)(v - p - 1) : 0;               /* an external one expands to nothing */
  x->value = malloc(x->vlen + 1);
  if (x->value == NULL) { ents->n--; return; }
  if (x->vlen) memcpy(x->value, p + 1, x->vlen);
  x->value[x->vlen] = '\0';
}

/* Find the internal subset of the document's DOCTYPE: *open at its '[', *close at its ']';
** read its entity declarations into ents.  0 when there is none (or it cannot be read
** to its end: then the document is left as it is). */
/* Past a comment or processing instruction at p: where it ends, p itself when there is none
** at p, NULL when it is cut off by the end. */
static const char *skip_comment_or_pi(const char *p, const char *end) {
  const char *q;
  if (end - p >= 4 && !memcmp(p, "<!--", 4)) {
    for (q = p + 4; q + 3 <= end && memcmp(q, "-->", 3) != 0; q++) {}
    return q + 3 > end ? NULL : q + 3;
  }
  if (end - p >= 2 && !memcmp(p, "<?", 2)) {
    for (q = p + 2; q + 2 <= end && memcmp(q, "?>", 2) != 0; q++) {}
    return q + 2 > end ? NULL : q + 2;
  }
  return p;
}

static int read_subset(const char *d, size_t len, const char **open, const char **close, entities *ents) {
  const char *p = d, *end = d + len, *q;
  if (len >= 3 && !memcmp(d, "\xEF\xBB\xBF", 3)) p += 3;
  for (;;) {                                             /* the prolog: declaration, comments, PIs */
    p = skip_ws(p, end);
    if ((q = skip_comment_or_pi(p, end)) == NULL) return 0;
    if (q == p) break;
    p = q;
  }
  if (end - p < 9 || memcmp(p, "<!DOCTYPE", 9) != 0) return 0;
  for (p += 9; p < end && *p != '[' && *p != '>'; p++)
    if (*p == '"' || *p == '\'') {
      q = memchr(p + 1, *p, (size_t)(end - p - 1));
      if (q == NULL) return 0;
      p = q;
    }
  if (p >= end || *p != '[') return 0;
  *open = p;
  for (p++; p < end;) {
    p = skip_ws(p, end);
    if (p >= end) return 0;
    if (*p == ']') { *close = p; return 1; }
    if (*p == '%') {                                     /* a parameter entity reference */
      q = memchr(p, ';', (size_t)(end - p));
      if (q == NULL) return 0;
      p = q + 1;
    } else if ((q = skip_comment_or_pi(p, end)) != p) {
      if (q == NULL) return 0;
      p = q;
    } else if (end - p >= 2 && !memcmp(p, "<!", 2)) {
      q = decl_end(p, end);
      if (q == NULL) return 0;
      if (q - p > 8 && !memcmp(p, "<!ENTITY", 8)) read_entity(ents, p, q);
      p = q + 1;
    } else {
      return 0;
    }
  }
  return 0;
}
/* }====== */

/* {====== Characters XML forbids ======
** C0 controls other than tab, newline and return (a NUL is the usual one: a database field
** pasted whole), and in UTF-8 the non-characters U+FFFE and U+FFFF.  libxml2 ends the
** document at the first: they are removed, so what follows is read.  Bytes below 0x20
** never occur inside a multi-byte character of the encodings left at this point (UTF-8,
** ISO-8859-x, Windows code pages, Shift_JIS, EUC, Big5, GB18030): removing them is safe
** whatever the encoding. */
static int forbidden(const unsigned char *p, const unsigned char *end, int utf8) {
  if (*p < 0x20) return *p != '\t' && *p != '\n' && *p != '\r';
  return utf8 && *p == 0xEF && end - p >= 3 && p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF) ? 3 : 0;
}

/* The bytes that may begin a forbidden character: C0 controls but tab, newline and return,
** and 0xEF (U+FFFE, U+FFFF in UTF-8).  A table, so that the scan of a whole document (nearly
** always clean) is one load and test a byte. */
static const unsigned char may_forbid[256] = {
  1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  [0xEF] = 1,
};

/* The first forbidden character from s on (end if none).  Eight bytes a step: a word with
** no byte below 0x20 and none 0xEF (the exact has-less-than and has-zero tests on the
** word's bytes) needs no closer look; a document is clean but for its line ends. */
static const unsigned char *first_forbidden(const unsigned char *s, const unsigned char *end, int utf8) {
  const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
  const unsigned char *p = s, *stop;
  while (p < end) {
    if (end - p >= 8) {
      uint64_t w, x;
      memcpy(&w, p, 8);
      x = w ^ (ones * 0xEF);
      if (((((w - ones * 0x20) & ~w) | ((x - ones) & ~x)) & highs) == 0) { p += 8; continue; }
    }
    stop = end - p >= 8 ? p + 8 : end;
    for (; p < stop; p++) if (may_forbid[*p] && forbidden(p, end, utf8)) return p;
  }
  return end;
}

static void drop_forbidden(orr_xml_input *in, int utf8) {
  const unsigned char *s = (const unsigned char *)in->data, *end = s + in->len, *p;
  orr_buf b;
  size_t removed = 0, k;
  if ((p = first_forbidden(s, end, utf8)) == end) return;
  orr_buf_init(&b);
  orr_buf_reserve(&b, in->len);
  orr_buf_add(&b, (const char *)s, (size_t)(p - s));
  while (p < end) {
    if (may_forbid[*p] && (k = (size_t)forbidden(p, end, utf8)) != 0) {
      p += k;
      removed++;
      continue;
    }
    orr_buf_addc(&b, (char)*p++);
  }
  if (!orr_buf_ok(&b)) { orr_buf_free(&b); return; }   /* left as it is: libxml2 stops there */
  note(in, "%zu character%s not allowed in XML (NUL, control characters) removed", removed, removed == 1 ? "" : "s");
  {
    size_t n = b.len;
    take(in, orr_buf_take(&b), n);
  }
}
/* }====== */

static int encoding_known(const char *name) {
  xmlCharEncodingHandlerPtr h;
  if (name[0] < 'A' || (name[0] > 'Z' && name[0] < 'a') || name[0] > 'z') return 0;  /* XML's rule */
  h = xmlFindCharEncodingHandler(name);
  if (h == NULL) return 0;
  xmlCharEncCloseFunc(h);
  return 1;
}

/* The encoding to read a declared or HTTP charset as: a name libxml2 knows, "" when there
** is none, NULL when the name can stay.  ISO-8859-1 and ASCII are read as windows-1252, as
** browsers do: feeds declared Latin-1 are full of Windows "smart quotes". */
const char *orr_encoding_alias(const char *name, char *buf, size_t n) {
  static const struct { const char *from, *to; } table[] = {
    {"macgreek", "x-mac-greek"}, {"maclatin2", "x-mac-centraleurroman"},
    {"macturkish", "x-mac-turkish"}, {"maccyrillic", "x-mac-cyrillic"},
    {"mac", "macintosh"}, {"ms-ansi", "windows-1252"}, {"ms-arab", "windows-1256"},
    {"ms-cyrl", "windows-1251"}, {"ms-ee", "windows-1250"}, {"ms-greek", "windows-1253"},
    {"ms-hebr", "windows-1255"}, {"ms-turk", "windows-1254"}, {"winbaltrim", "windows-1257"},
    {"u16", "utf-16"}, {"u8", "utf-8"},
  };
  char low[48];
  size_t i, len = strlen(name);
  if (len == 0 || len >= sizeof low) return "";
  for (i = 0; i <= len; i++) low[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
  if (!strcmp(low, "iso-8859-1") || !strcmp(low, "iso8859-1") || !strcmp(low, "latin1") ||
      !strcmp(low, "latin-1") || !strcmp(low, "l1") || !strcmp(low, "us-ascii") ||
      !strcmp(low, "ascii") || !strcmp(low, "iso_8859-1"))
    return "windows-1252";
  /* libxml2 knows "UTF8" through iconv, but skips a byte order mark only for its own "UTF-8":
  ** told "UTF8", a document that starts with one was "not a feed" */
  if (!strcmp(low, "utf8") || !strcmp(low, "utf-8")) return "UTF-8";
  if (encoding_known(name)) return NULL;
  for (i = 0; i < sizeof table / sizeof table[0]; i++)
    if (!strcmp(low, table[i].from)) return table[i].to;
  if (low[0] >= '0' && low[0] <= '9') {                       /* "437" = cp437 */
    snprintf(buf, n, "cp%s", low);
    if (encoding_known(buf)) return buf;
  }
  return "";
}

/* UTF-32, UTF-16 and EBCDIC documents, told by their byte order mark or by how "<?" or
** "<" comes out (XML 1.0 appendix F), are turned into UTF-8 here with iconv: libxml2 does
** not detect UTF-32 at all, refuses UTF-16 whose declaration names it oddly ("u16",
** "csunicode"), and knows few EBCDIC code pages.  Returns a malloc'd UTF-8 copy, or NULL if d is not such a document. */
/* An EBCDIC document ("<?xm" is 4C 6F A7 94): the encoding its declaration names, read
** through IBM037 (the declaration's characters are the same in every EBCDIC code page), or
** IBM037 itself when iconv does not know that name.  Into buf; NULL if not EBCDIC. */
static const char *ebcdic_name(const char *d, size_t len, char *buf, size_t n) {
  char head[256], *in = (char *)d, *o = head, *e, *q;
  size_t inleft = len < sizeof head - 1 ? len : sizeof head - 1, outleft = sizeof head - 1;
  iconv_t cd;
  if (len < 4 || memcmp(d, "\x4C\x6F\xA7\x94", 4) != 0) return NULL;
  cd = iconv_open("ISO-8859-1", "IBM037");
  if (cd == (iconv_t)-1) return NULL;
  iconv(cd, &in, &inleft, &o, &outleft);      /* as far as it goes: only the declaration matters */
  iconv_close(cd);
  *o = '\0';
  snprintf(buf, n, "IBM037");
  e = strstr(head, "encoding");
  if (e && (e = strpbrk(e, "\"'")) != NULL && (q = strchr(e + 1, *e)) != NULL && (size_t)(q - e - 1) < n) {
    memcpy(buf, e + 1, (size_t)(q - e - 1));
    buf[q - e - 1] = '\0';
    cd = iconv_open("UTF-8", buf);
    if (cd == (iconv_t)-1) {                  /* "ebcdic_cp_be" is iconv's "EBCDIC-CP-BE" */
      for (q = buf; *q; q++) if (*q == '_') *q = '-';
      cd = iconv_open("UTF-8", buf);
    }
    if (cd == (iconv_t)-1) snprintf(buf, n, "IBM037");
    else iconv_close(cd);
  }
  return buf;
}

/* Does d declare an encoding (BOM or encoding="..." in an XML declaration)? */
static int declares_encoding(const char *d, size_t len) {
  const char *end;
  if (len >= 3 && !memcmp(d, "\xEF\xBB\xBF", 3)) return 1;
  if (len >= 2 && (!memcmp(d, "\xFE\xFF", 2) || !memcmp(d, "\xFF\xFE", 2))) return 1;
  if (len < 6 || memcmp(d, "<?xml", 5) != 0) return 0;
  end = memchr(d, '>', len < 512 ? len : 512);
  if (end == NULL) return 0;
  for (; d + 8 <= end; d++) if (memcmp(d, "encoding", 8) == 0) return 1;
  return 0;
}

/* More bytes that cannot be UTF-8 than UTF-8 sequences of two or more bytes: text in an
** 8-bit legacy encoding, not UTF-8 with a few bad bytes. */
static int mostly_not_utf8(const char *d, size_t len) {
  size_t i = 0, good = 0, bad = 0;
  while (i < len) {
    size_t k = orr_utf8_seq(d + i, len - i);
    if (k == 0) { bad++; i++; }
    else { good += k > 1; i += k; }
  }
  return bad > good;
}

/* The n bytes at d converted from `from` to UTF-8 with iconv.  What iconv cannot convert is
** passed a unit (unit bytes) at a time, as U+FFFD, or with c1 set a byte 0x80-0x9F as that C1
** control (the five bytes windows-1252 leaves undefined, as browsers read them), and *bad is
** set.  NULL when iconv does not know `from` (or out of memory). */
static char *to_utf8(const char *d, size_t n, const char *from, size_t unit, int c1, size_t *outlen, int *bad) {
  size_t inleft = n, outleft, cap = n * 3 + 16;   /* UTF-8 of any of them is at most 3x */
  char *out, *in = (char *)d, *o;
  iconv_t cd = iconv_open("UTF-8", from);
  *bad = 0;
  if (cd == (iconv_t)-1) return NULL;
  if ((out = malloc(cap)) == NULL) { iconv_close(cd); return NULL; }
  o = out;
  outleft = cap - 1;
  while (inleft > 0) {
    if (iconv(cd, &in, &inleft, &o, &outleft) != (size_t)-1) break;
    if (errno == E2BIG || outleft < 3) break;    /* (cannot be, with the bound above) */
    *bad = 1;                                 /* invalid or cut off: passed one unit */
    if (inleft < unit) break;
    if (c1 && (unsigned char)*in >= 0x80 && (unsigned char)*in <= 0x9F) {
      *o++ = '\xC2';
      *o++ = *in;
      outleft -= 2;
    } else {
      memcpy(o, "\xEF\xBF\xBD", 3);
      o += 3;
      outleft -= 3;
    }
    in += unit;
    inleft -= unit;
    iconv(cd, NULL, NULL, NULL, NULL);        /* (a stateful encoding starts over) */
  }
  iconv_close(cd);
  *o = '\0';
  *outlen = (size_t)(o - out);
  return out;
}

static char *transcode_wide(const char *d, size_t len, size_t *outlen, int *bad) {
  const unsigned char *u = (const unsigned char *)d;
  const char *from = NULL;
  char ebcdic[48];
  size_t skip = 0;
  *bad = 0;
  if (len < 4) return NULL;
  if (!memcmp(u, "\x00\x00\xFE\xFF", 4)) { from = "UTF-32BE"; skip = 4; }
  else if (!memcmp(u, "\xFF\xFE\x00\x00", 4)) { from = "UTF-32LE"; skip = 4; }
  else if (!memcmp(u, "\x00\x00\x00\x3C", 4)) from = "UTF-32BE";
  else if (!memcmp(u, "\x3C\x00\x00\x00", 4)) from = "UTF-32LE";
  else if (!memcmp(u, "\xFE\xFF", 2)) { from = "UTF-16BE"; skip = 2; }
  else if (!memcmp(u, "\xFF\xFE", 2)) { from = "UTF-16LE"; skip = 2; }
  else if (!memcmp(u, "\x00\x3C\x00\x3F", 4)) from = "UTF-16BE";
  else if (!memcmp(u, "\x3C\x00\x3F\x00", 4)) from = "UTF-16LE";
  else if ((from = ebcdic_name(d, len, ebcdic, sizeof ebcdic)) == NULL) return NULL;
  return to_utf8(d + skip, len - skip, from, from == ebcdic ? 1 : from[4] == '3' ? 4 : 2, 0, outlen, bad);
}

/* Does the charset `name` write "<" otherwise than as the one byte 0x3C (UTF-16, UTF-32,
** UCS-2, EBCDIC)?  Then a document whose "<" is that byte is not in it.  iconv is asked; 0
** for a name it does not know. */
static int lt_not_ascii(const char *name) {
  char lt[] = "<", out[16], *ip = lt, *op = out;
  size_t il = 1, ol = sizeof out;
  int differs;
  iconv_t cd;
  /* the names nearly every feed declares, answered without iconv (opening a converter
  ** costs more than the rest of a small feed's preparation) */
  if (!strcasecmp(name, "utf-8") || !strcasecmp(name, "utf8") || !strcasecmp(name, "us-ascii") ||
      !strncasecmp(name, "windows-125", 11) || !strncasecmp(name, "iso-8859-", 9))
    return 0;
  cd = iconv_open(name, "UTF-8");
  if (cd == (iconv_t)-1) return 0;
  differs = iconv(cd, &ip, &il, &op, &ol) == (size_t)-1 || op - out != 1 || out[0] != '<';
  iconv_close(cd);
  return differs;
}

/* Rewrite the XML declaration's encoding when libxml2 could not read the name as written
** ("437", "macgreek", a made-up name).  Returns a malloc'd copy or NULL if unchanged;
** *note tells when the encoding had to be guessed (the feed is then flagged). */
static char *fix_declaration(const char *d, size_t len, size_t *outlen, char *note, size_t notelen,
                             const char *forced) {
  const char *p = d, *end, *e, *q1, *q2;
  const char *to;
  char name[64], alias[64];
  size_t skip = 0, n;
  orr_buf b;
  if (len >= 3 && (unsigned char)d[0] == 0xEF && (unsigned char)d[1] == 0xBB && (unsigned char)d[2] == 0xBF)
    skip = 3;
  p = d + skip;
  if (len - skip < 6 || memcmp(p, "<?xml", 5) != 0) return NULL;
  end = memchr(p, '>', len - skip < 512 ? len - skip : 512);
  if (end == NULL) return NULL;
  e = p;
  for (;;) {
    e = memchr(e, 'e', (size_t)(end - e));
    if (e == NULL) return NULL;
    if ((size_t)(end - e) > 8 && memcmp(e, "encoding", 8) == 0) break;
    e++;
  }
  q1 = e + 8;
  while (q1 < end && (*q1 == ' ' || *q1 == '=' || *q1 == '\t')) q1++;
  if (q1 >= end || (*q1 != '"' && *q1 != '\'')) return NULL;
  q2 = memchr(q1 + 1, *q1, (size_t)(end - q1 - 1));
  if (q2 == NULL || (n = (size_t)(q2 - q1 - 1)) == 0 || n >= sizeof name) return NULL;
  memcpy(name, q1 + 1, n);
  name[n] = '\0';
  to = forced ? forced : orr_encoding_alias(name, alias, sizeof alias);
  if (!forced && lt_not_ascii(to ? to : name)) {
    /* "<?xml" came as single bytes: not UTF-32, UCS-2 or EBCDIC, whatever it says (libxml2
    ** itself sees through UTF-16 only) */
    const char *as = orr_utf8_valid(d, len) ? "utf-8" : "windows-1252";
    snprintf(note, notelen, "encoding %s declared, which the document's first bytes cannot be in: read as %s",
             name, as);
    to = as;
  } else if (to == NULL || strcasecmp(name, to) == 0 || (forced && strcasecmp(name, forced) == 0)) {
    return NULL;                                   /* (as it is: no copy to make) */
  } else if (*to == '\0') {
    to = orr_utf8_valid(d, len) ? "utf-8" : "windows-1252";
    snprintf(note, notelen, "unsupported encoding %s, read as %s", name, to);
  }
  orr_buf_init(&b);
  orr_buf_add(&b, d, (size_t)(q1 + 1 - d));
  orr_buf_adds(&b, to);
  orr_buf_add(&b, q2, len - (size_t)(q2 - d));
  if (!orr_buf_ok(&b)) { orr_buf_free(&b); return NULL; }
  *outlen = b.len;
  return orr_buf_take(&b);
}

/* Feeds use HTML's named entities (&nbsp;, &eacute;) without declaring them, and libxml2
** drops undeclared references (and, once a document has any error, every entity reference).
** So before parsing, such references are rewritten as character references (&#233;),
** which the parser always keeps; references to the entities the document declared (ents)
** are replaced by their expansion.  Only for ASCII-compatible bytes, never inside CDATA
** sections or comments, and not at all when declarations are left in the document.
** The same pass, asked (`which`: BARE_AMP, BARE_LT), writes a '<' that starts no markup as
** &lt; and mends the attribute values libxml2 would lose (orr_xml_input_bare_lt).
** Returns a malloc'd copy, or NULL when nothing needed rewriting (or out of memory). */
/* The first occurrence of the 3 bytes t in the n bytes at d, or NULL. */
static const char *find3(const char *d, size_t n, const char *t) {
  const char *p = d, *end = d + n;
  while (end - p >= 3 && (p = memchr(p, t[0], (size_t)(end - p) - 2)) != NULL) {
    if (p[1] == t[1] && p[2] == t[2]) return p;
    p++;
  }
  return NULL;
}

/* The document without a "--" inside any XML comment ("<!--" to "-->", or to the end when
** never closed; a CDATA section holds none): a copy with each hyphen that follows a hyphen
** inside a comment made a space, or NULL when no comment has one (or out of memory).
** libxml2 2.9 reports each "--" in a comment with a copy of the comment read so far: a
** comment of 25,000 of them took 117 s for a megabyte.  A comment's text is never shown
** (the model and the sanitizer drop comments), so nothing a reader sees changes. */
static char *comment_hyphens(const char *d, size_t len, size_t *outlen) {
  const char *p = d, *end = d + len;
  char *copy = NULL;
  while ((p = memchr(p, '!', (size_t)(end - p))) != NULL) {
    const char *close, *q;
    if (p == d || p[-1] != '<') { p++; continue; }
    if (end - p >= 8 && !memcmp(p, "![CDATA[", 8)) {           /* its text is no comment */
      if ((close = find3(p + 8, (size_t)(end - p - 8), "]]>")) == NULL) break;
      p = close + 3;
      continue;
    }
    if (end - p < 3 || p[1] != '-' || p[2] != '-') { p++; continue; }
    p += 3;                                                      /* the comment's text */
    close = find3(p, (size_t)(end - p), "-->");
    if (close == NULL) close = end;
    for (q = p; q + 1 < close && (q = memchr(q, '-', (size_t)(close - q))) != NULL && q + 1 < close; q++) {
      if (q[1] != '-') continue;
      if (copy == NULL) {
        if ((copy = malloc(len + 1)) == NULL) return NULL;
        memcpy(copy, d, len);
        copy[len] = '\0';
      }
      copy[q + 1 - d] = ' ';
      q++;
    }
    if (close == end) break;
    p = close + 3;
  }
  if (copy) *outlen = len;
  return copy;
}

/* The rewriting of fix_entities: the input, the copy being made, and where the copy is. */
typedef struct rewrite {
  const char *d; size_t len;
  orr_buf b; size_t last;         /* d[0..last) is in b already */
  entities *ents;
  int changed, undeclared;        /* something was rewritten; what (BARE_AMP, BARE_LT) */
} rewrite;

#define BARE_AMP 1                /* an HTML entity or a bare '&' rewritten */
#define BARE_LT 2                 /* a bare '<' rewritten */

/* Copy up to at, then write s instead of d[at..resume); what: BARE_AMP, BARE_LT or 0. */
static void replace(rewrite *w, size_t at, const char *s, size_t n, size_t resume, int undeclared) {
  orr_buf_add(&w->b, w->d + w->last, at - w->last);
  orr_buf_add(&w->b, s, n);
  w->last = resume;
  w->changed = 1;
  w->undeclared |= undeclared;
}

/* A reference to an entity the document declared, at d[at]: its bounded expansion.
** Returns where the scan goes on, 0 when d[at] names no declared entity. */
static size_t declared_reference(rewrite *w, size_t at) {
  char name[64];
  size_t k = at + 1;
  entity *own;
  const orr_buf *x;
  if (w->ents == NULL) return 0;
  while (k < w->len && k - at < sizeof name - 1 && name_char(w->d[k])) k++;
  if (k >= w->len || w->d[k] != ';' || k == at + 1) return 0;
  memcpy(name, w->d + at + 1, k - at - 1);
  name[k - at - 1] = '\0';
  if ((own = find_entity(w->ents, name)) == NULL) return 0;
  x = expansion(w->ents, own, 0);
  if (x && w->ents->total + x->len <= w->ents->budget) {
    replace(w, at, x->data, x->len, k + 1, 0);
    w->ents->total += x->len;
  } else {
    if (x) refuse(w->ents, name, "the document's entities expand beyond the limit");
    replace(w, at, "", 0, k + 1, 0);
  }
  return k + 1;
}

/* The reference (or bare '&') at d[at], not a plain_reference, rewritten when libxml2
** would lose it.  Returns where the scan goes on. */
static size_t fix_reference(rewrite *w, size_t at) {
  const char *d = w->d, *amp = d + at;
  size_t left = w->len - at, k, next;
  char name[40];
  const htmlEntityDesc *h;
  /* (XML's five and character references never come here: plain_reference) */
  if (left > 2 && amp[1] == '#' && amp[2] == 'X') { replace(w, at, "&#x", 3, at + 3, BARE_AMP); return at + 3; }   /* &#X41; */
  if ((next = declared_reference(w, at)) != 0) return next;
  for (k = at + 1; k < w->len && k - at <= 32 && ((d[k] >= 'a' && d[k] <= 'z') || (d[k] >= 'A' && d[k] <= 'Z') ||
                                                 (k > at + 1 && d[k] >= '0' && d[k] <= '9')); k++) {}
  if (k >= w->len || d[k] != ';' || k == at + 1) {
    /* not a reference: a bare '&' (as in "?a=1&b=2"), which XML forbids and libxml2 would
    ** drop with the name after it; written as &amp; it survives */
    if (!(left > 1 && amp[1] == '#')) replace(w, at, "&amp;", 5, at + 1, BARE_AMP);
    return at + 1;
  }
  memcpy(name, amp + 1, k - at - 1);
  name[k - at - 1] = '\0';
  if ((h = htmlEntityLookup((const xmlChar *)name)) == NULL) {
    /* a name neither XML nor HTML knows: libxml2 would drop it, text and all; as
    ** "&amp;name;" it stays what the author wrote */
    replace(w, at, "&amp;", 5, at + 1, BARE_AMP);
    return at + 1;
  }
  {
    char ref[16];
    int n = snprintf(ref, sizeof ref, "&#%u;", h->value);
    replace(w, at, ref, (size_t)n, k + 1, BARE_AMP);
  }
  return k + 1;
}

/* The first of the bytes a, b and c in [s, end), or end: 16 bytes a step where SSE2 is there.
** The passes below stop at every '&' of a feed's escaped HTML (one every few bytes): a call
** to memchr for each cost more than the search itself. */
static inline const char *find_any(const char *s, const char *end, char a, char b, char c) {
#if defined(__SSE2__)
  const __m128i va = _mm_set1_epi8(a), vb = _mm_set1_epi8(b), vc = _mm_set1_epi8(c);
  while (end - s >= 16) {
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
    int m = _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, va), _mm_cmpeq_epi8(v, vb)),
                                           _mm_cmpeq_epi8(v, vc)));
    if (m != 0) return s + __builtin_ctz((unsigned)m);
    s += 16;
  }
#endif
  while (s < end && *s != a && *s != b && *s != c) s++;
  return s;
}

/* Is the '&' at amp (left bytes on) one that never needs rewriting, wherever it stands:
** one of XML's five, or a character reference other than "&#X"?  Nearly every '&' of a
** feed is one of these, so the markup around it is not looked at. */
static int plain_reference(const char *amp, size_t left) {
  if (left >= 4 && (amp[1] == 'l' || amp[1] == 'g') && amp[2] == 't' && amp[3] == ';') return 1;
  if (left >= 5 && memcmp(amp + 1, "amp;", 4) == 0) return 1;
  if (left >= 6 && (memcmp(amp + 1, "quot;", 5) == 0 || memcmp(amp + 1, "apos;", 5) == 0)) return 1;
  return left > 2 && amp[1] == '#' && amp[2] != 'X';
}

/* Read the markup of d from *seen up to limit: a CDATA section or a comment is passed
** whole (*seen may end up beyond limit: what stood at limit is inside one).  0 at an
** entity declaration, where the document is not to be rewritten at all. */
static int read_markup(const char *d, size_t len, size_t *seen, size_t limit) {
  const char *lt;
  while (*seen < limit && (lt = memchr(d + *seen, '<', limit - *seen)) != NULL) {
    size_t at = (size_t)(lt - d), rest = len - at;
    const char *close = NULL;
    if (rest >= 9 && memcmp(lt, "<![CDATA[", 9) == 0) close = "]]>";
    else if (rest >= 4 && memcmp(lt, "<!--", 4) == 0) close = "-->";
    else if (rest >= 8 && memcmp(lt, "<!ENTITY", 8) == 0) return 0;
    if (close) {                                  /* skipped whole: '&' is literal in there */
      const char *e = find3(d + at + 4, len - at - 4, close);
      *seen = e ? (size_t)(e - d) + 3 : len;
    } else {
      *seen = at + 1;
    }
  }
  if (*seen < limit) *seen = limit;
  return 1;
}

/* The start tag at d[at] ('<' and a name's first byte), read as HTML reads one, for the
** faults libxml2 loses a whole element to: a '<' inside a quoted value (title="a<b"; libxml2
** ends the tag there) and a value without quotes (href=http://x/; libxml2 drops it).  With w,
** each such '<' is written as &lt;, each such value quoted, and a quote that opens no value
** (alert("a b") unquoted leaves one) dropped.  Returns the end of the tag
** (past its '>'), 0 when a '<' outside quotes comes before any '>' (the '<' at d[at] is text,
** as in "c<d</title>"), or at + 1 when that is not known within TAG_MAX bytes.  *fix is set
** when there is something to write; *read, to the bytes read. */
#define TAG_MAX 16384
static size_t start_tag(const char *d, size_t len, size_t at, rewrite *w, int *fix, size_t *read) {
  size_t k = at + 1, stop = len - at > TAG_MAX ? at + TAG_MAX : len;
  while (k < stop && name_char(d[k])) k++;
  for (;;) {
    while (k < stop && blank(d[k])) k++;
    *read = k - at;
    if (k >= stop) return at + 1;
    if (d[k] == '>') return k + 1;
    if (d[k] == '<') return 0;
    if (!name_char(d[k])) {                        /* '/', junk: libxml2's to judge */
      if (d[k] == '"' || d[k] == '\'') {             /* but a stray quote would open a value */
        *fix = 1;                                  /* to the next such quote, tags away */
        if (w) replace(w, k, "", 0, k + 1, BARE_LT);
      }
      k++;
      continue;
    }
    while (k < stop && name_char(d[k])) k++;
    while (k < stop && blank(d[k])) k++;
    if (k >= stop || d[k] != '=') continue;
    k++;
    while (k < stop && blank(d[k])) k++;
    *read = k - at;
    if (k >= stop) return at + 1;
    if (d[k] == '"' || d[k] == '\'') {
      const char *q = memchr(d + k + 1, d[k], stop - k - 1), *lt;
      if (q == NULL) { *read = stop - at; return at + 1; }
      for (lt = d + k; (lt = memchr(lt + 1, '<', (size_t)(q - lt - 1))) != NULL; ) {
        *fix = 1;
        if (w) replace(w, (size_t)(lt - d), "&lt;", 4, (size_t)(lt - d) + 1, BARE_LT);
      }
      k = (size_t)(q - d) + 1;
    } else if (d[k] != '>' && d[k] != '<') {
      /* unquoted: to a blank or '>'.  A '/' right before the '>' is the value's, as HTML
      ** has it (href=http://example.com/>), and closes the tag as well: in a feed such
      ** a tag is nearly always an empty <link>, which would otherwise swallow the rest */
      size_t v = k, j;
      int empty;
      while (k < stop && !blank(d[k]) && d[k] != '>' && d[k] != '<') k++;
      empty = k < stop && d[k] == '>' && k - v > 1 && d[k - 1] == '/';
      *fix = 1;
      if (w) {
        replace(w, v, "\"", 1, v, BARE_LT);
        for (j = v; j < k; j++)
          if (d[j] == '"') replace(w, j, "&quot;", 6, j + 1, BARE_LT);
        replace(w, k, empty ? "\"/" : "\"", empty ? 2 : 1, k, BARE_LT);
      }
    }
  }
}

static char *fix_entities(const char *d, size_t len, size_t *outlen, entities *ents, int *undeclared, int which) {
  rewrite w;
  size_t i = 0, seen = 0;                         /* markup before d[seen] has been read */
  size_t tags = 4 * len + TAG_MAX;                /* bytes start_tag may read: linear, whatever the '<'s */
  const char a = which & BARE_AMP ? '&' : '<', b = which & BARE_LT ? '<' : a;   /* what to stop at */
  if (len >= 2 && (((unsigned char)d[0] == 0xFE && (unsigned char)d[1] == 0xFF) ||
                   ((unsigned char)d[0] == 0xFF && (unsigned char)d[1] == 0xFE)))
    return NULL;                                   /* UTF-16 */
  if (memchr(d, '\0', len < 4 ? len : 4)) return NULL;
  if (!memchr(d, a, len) && (b == a || !memchr(d, b, len))) return NULL;
  memset(&w, 0, sizeof w);
  w.d = d;
  w.len = len;
  w.ents = ents;
  orr_buf_init(&w.b);
  while (i < len) {
    const char *amp = find_any(d + i, d + len, a, b, b);
    size_t at;
    if (amp == d + len) break;
    at = (size_t)(amp - d);
    if (*amp == '<') {
      /* a '<' that can start nothing (a tag's name, "</", "<!", "<?"): text, as in
      ** "if a < b" or "<3", which libxml2 would drop; as &lt; it stays */
      unsigned char c = at + 1 < len ? (unsigned char)amp[1] : ' ';
      if (c == '/' || c == '!' || c == '?') {
        i = at + 1;
        continue;
      }
      if (c >= 0x80 || isalpha(c) || c == '_' || c == ':') {
        /* a start tag, unless no '>' closes it before the next '<' ("c<d</title>");
        ** read (outside CDATA and comments) for what libxml2 would lose in it */
        size_t end, read = 0;
        int fix = 0;
        if (tags == 0) { i = at + 1; continue; }
        if (!read_markup(d, len, &seen, at)) { orr_buf_free(&w.b); return NULL; }
        if (seen > at) { i = seen; continue; }
        end = start_tag(d, len, at, NULL, &fix, &read);
        tags -= read < tags ? read : tags;
        if (end > at + 1) {
          if (fix) start_tag(d, len, at, &w, &fix, &read);
          i = seen = end;
          continue;
        }
        if (end == at + 1) { i = at + 1; continue; }
      }
    } else if (plain_reference(amp, len - at)) {
      i = at + 1;
      continue;
    }
    /* one to rewrite, unless it stands in a CDATA section or a comment: the markup from
    ** where the last such '&' stood to this one is read (each stretch once; never from i,
    ** which may have passed the start of a section on plain references) */
    if (!read_markup(d, len, &seen, at)) { orr_buf_free(&w.b); return NULL; }
    if (seen > at) { i = seen; continue; }         /* it was inside one */
    if (*amp == '<') { replace(&w, at, "&lt;", 4, at + 1, BARE_LT); i = at + 1; }
    else i = fix_reference(&w, at);
  }
  /* (a declaration after the last '&' rewritten leaves the document as it is, too) */
  if (!w.changed || !read_markup(d, len, &seen, len)) { orr_buf_free(&w.b); return NULL; }
  *undeclared = w.undeclared;
  orr_buf_add(&w.b, d + w.last, len - w.last);
  if (!orr_buf_ok(&w.b)) { orr_buf_free(&w.b); return NULL; }
  *outlen = w.b.len;
  return orr_buf_take(&w.b);
}


/* The encoding an XML declaration names, into buf; NULL if it names none. */
static const char *declared_encoding(const char *d, size_t len, char *buf, size_t n) {
  const char *end, *e, *q;
  if (len >= 3 && !memcmp(d, "\xEF\xBB\xBF", 3)) { d += 3; len -= 3; }
  if (len < 6 || memcmp(d, "<?xml", 5) != 0) return NULL;
  end = memchr(d, '>', len < 512 ? len : 512);
  if (end == NULL) return NULL;
  for (e = d; e + 8 <= end && memcmp(e, "encoding", 8) != 0; e++) {}
  if (e + 8 > end) return NULL;
  for (e += 8; e < end && (*e == ' ' || *e == '=' || *e == '\t'); e++) {}
  if (e >= end || (*e != '"' && *e != '\'') || (q = memchr(e + 1, *e, (size_t)(end - e - 1))) == NULL ||
      (size_t)(q - e - 1) >= n)
    return NULL;
  memcpy(buf, e + 1, (size_t)(q - e - 1));
  buf[q - e - 1] = '\0';
  return buf;
}

static int is_utf8_name(const char *name) {
  return name == NULL || strcasecmp(name, "utf-8") == 0 || strcasecmp(name, "utf8") == 0;
}

/* (see xmlinput.h) */
int orr_charset_contradicted(const char *d, size_t len, const char *name) {
  size_t i = 0;
  if (len >= 3 && !memcmp(d, "\xEF\xBB\xBF", 3)) return 1;
  while (i < len && (d[i] == ' ' || d[i] == '\t' || d[i] == '\n' || d[i] == '\r')) i++;
  if (i + 1 >= len || d[i] != '<' || d[i + 1] == '\0') return 0;
  return lt_not_ascii(name) ? 2 : 0;
}

/* The encoding libxml2 is to read the document in (in->encoding), and the bytes made
** readable in it when they are meant as UTF-8 but are not all UTF-8 (clean: they are known
** to be, orr_utf8_xml_chars).  Returns whether the document is read as UTF-8 after this. */
static int settle_encoding(orr_xml_input *in, const char *charset, int wide, int clean) {
  char declared[64];
  const char *decl = declared_encoding(in->data, in->len, declared, sizeof declared);
  const char *effective = decl;
  if (charset) {
    char alias[64];
    const char *to = orr_encoding_alias(charset, alias, sizeof alias);
    int against;
    if (to == NULL) to = charset;
    against = *to && !is_utf8_name(to) ? orr_charset_contradicted(in->data, in->len, to) : 0;
    if (against) {
      note(in, against == 1 ? "HTTP says charset=%.40s, the byte order mark says UTF-8: read as UTF-8"
                            : "HTTP says charset=%.40s, which the document's first bytes cannot be in: read as the "
                              "document says", charset);
      to = "";
    }
    if (*to) {
      snprintf(in->enc_buf, sizeof in->enc_buf, "%s", to);
      in->encoding = in->enc_buf;
      effective = in->encoding;
    }
  }
  if (wide || !is_utf8_name(effective) || clean || orr_utf8_valid(in->data, in->len)) return is_utf8_name(effective);
  if (in->encoding == NULL && !declares_encoding(in->data, in->len) && mostly_not_utf8(in->data, in->len)) {
    /* no charset anywhere and the bytes are not UTF-8: the fallback of RFC 3023's rules
    ** (and feedparser's) is windows-1252, which loses no byte, where reading it as UTF-8
    ** would turn every letter into U+FFFD */
    in->encoding = "iso-8859-1";      /* every byte a character; C1 ones become cp1252's later */
    note(in, "no encoding declared and the bytes are not UTF-8: read as windows-1252");
    return 0;
  }
  {
    /* UTF-8 with stray bytes that are not: those are read as Windows-1252 */
    int bad;
    char *fixed = orr_utf8_from_mixed(in->data, in->len, &bad);
    if (fixed) {
      note(in, "bytes that are not UTF-8 in a UTF-8 document: read as windows-1252");
      take(in, fixed, strlen(fixed));
    }
  }
  return 1;
}

/* {====== Text set aside ======
** libxml2 2.9 reads a CDATA section through its general character decoder, a character
** at a time (xmlParseCDSect, xmlCurrentChar), and escaped HTML a reference at a time, each
** appended to the text node it builds: together most of parsing a feed, whose entries' HTML
** is in one or the other.  So, in a UTF-8 document whose markup the scan below reads
** without doubt, inside the root element each CDATA section, and each long run of text
** with references in it, is replaced by a placeholder that libxml2 reads as plain text,
** U+F0000 <its number> U+F0001 (characters of a private-use plane no feed uses: a document
** that holds them, as bytes or as references in its text, is left alone), and
** orr_xml_input_restore puts the text back, read as XML reads it, into the text node it
** landed in.  The tree is then the one libxml2 makes of the document itself, faster.
** Anything unusual (a '<' in a tag, a DOCTYPE with a subset, a construct left open, a
** reference XML does not define, "]]>" in text) leaves the document, or that run of text,
** as it is: the scan never has to guess what libxml2's recovery would do. */

struct orr_aside {
  const char *p;                /* a CDATA section's text in the document (raw line ends) */
  size_t len;
  size_t off;                   /* or, when decoded, text read already at in->aside_text + off */
  int decoded;
};

#define PH_OPEN  "\xF3\xB0\x80\x80"     /* U+F0000 */
#define PH_CLOSE "\xF3\xB0\x80\x81"     /* U+F0001 */

static int xml_char(unsigned long v) {
  return v == 0x9 || v == 0xA || v == 0xD || (v >= 0x20 && v <= 0xD7FF) || (v >= 0xE000 && v <= 0xFFFD) ||
         (v >= 0x10000 && v <= 0x10FFFF);
}

/* The character a reference at s (its '&') stands for, and its end past ';' in *after; 0
** for one XML does not define (an HTML name fix_entities left, a malformed one). */
static unsigned long reference(const char *s, const char *end, const char **after) {
  const char *semi, *q;
  unsigned long v = 0;
  size_t n;
  if (end - s >= 4 && (s[1] == 'l' || s[1] == 'g') && s[2] == 't' && s[3] == ';') {   /* most of them */
    *after = s + 4;
    return s[1] == 'l' ? '<' : '>';
  }
  if ((semi = memchr(s, ';', (size_t)(end - s) < 12 ? (size_t)(end - s) : 12)) == NULL) return 0;
  *after = semi + 1;
  s++;
  n = (size_t)(semi - s);
  if (n == 2 && !memcmp(s, "lt", 2)) return '<';
  if (n == 2 && !memcmp(s, "gt", 2)) return '>';
  if (n == 3 && !memcmp(s, "amp", 3)) return '&';
  if (n == 4 && !memcmp(s, "quot", 4)) return '"';
  if (n == 4 && !memcmp(s, "apos", 4)) return '\'';
  if (n < 2 || s[0] != '#') return 0;
  if (s[1] == 'x') {                      /* (XML has "&#x", never "&#X") */
    if (n < 3) return 0;
    for (q = s + 2; q < semi; q++) {
      int h = isdigit((unsigned char)*q) ? *q - '0' : (*q >= 'a' && *q <= 'f') ? *q - 'a' + 10 :
              (*q >= 'A' && *q <= 'F') ? *q - 'A' + 10 : -1;
      if (h < 0 || v > 0x10FFFF) return 0;
      v = v * 16 + (unsigned long)h;
    }
  } else {
    for (q = s + 1; q < semi; q++) {
      if (!isdigit((unsigned char)*q) || v > 0x10FFFF) return 0;
      v = v * 10 + (unsigned long)(*q - '0');
    }
  }
  return xml_char(v) ? v : 0;
}

/* Does text (outside markup) refer to a placeholder character? */
static int refers_to_placeholder(const char *s, const char *end) {
  const char *after;
  while ((s = memchr(s, '&', (size_t)(end - s))) != NULL) {
    unsigned long v = reference(s, end, &after);
    if (v == 0xF0000 || v == 0xF0001) return 1;
    s++;
  }
  return 0;
}

/* Write the n bytes at s to o with their line ends as XML reads them (CR LF and CR become
** LF); returns the end of what was written (never more than n bytes). */
static char *put_xml_lines(char *o, const char *s, size_t n) {
  const char *cr;
  while ((cr = memchr(s, '\r', n)) != NULL) {
    memcpy(o, s, (size_t)(cr - s));
    o += cr - s;
    *o++ = '\n';
    n -= (size_t)(cr - s) + 1;
    s = cr + 1;
    if (n > 0 && *s == '\n') { s++; n--; }
  }
  memcpy(o, s, n);
  return o + n;
}

/* Append text with its line ends as XML reads them. */
static void add_xml_lines(orr_buf *b, const char *s, size_t n) {
  orr_buf_reserve(b, n);
  if (!orr_buf_ok(b)) return;
  b->len = (size_t)(put_xml_lines(b->data + b->len, s, n) - b->data);
  b->data[b->len] = '\0';
}

/* Text as XML reads it (line ends, references) appended to b; 0, and b as it was, when it
** holds anything the scan does not take.  Written in place: what XML reads is never longer
** than its source (a reference is at least 4 bytes for the at most 4 of its character). */
static int decode_text(orr_buf *b, const char *s, const char *end) {
  size_t keep = b->len;
  char *o;
  orr_buf_reserve(b, (size_t)(end - s));
  if (!orr_buf_ok(b)) return 0;
  o = b->data + b->len;
  while (s < end) {                        /* one scan: references, line ends, "]]>" */
    const char *p = find_any(s, end, '&', '\r', ']'), *after;
    unsigned long v;
    memcpy(o, s, (size_t)(p - s));
    o += p - s;
    if (p == end) break;
    if (*p == '&') {
      v = reference(p, end, &after);
      if (v == 0 || v == 0xF0000 || v == 0xF0001) goto refuse;
      o += orr_utf8_encode(o, (unsigned)v);
      s = after;
    } else if (*p == '\r') {               /* CR LF and CR become LF, as XML reads them */
      *o++ = '\n';
      s = p + 1 < end && p[1] == '\n' ? p + 2 : p + 1;
    } else {
      if (end - p >= 3 && p[1] == ']' && p[2] == '>') goto refuse;   /* (an error libxml2 reports) */
      *o++ = ']';
      s = p + 1;
    }
  }
  b->len = (size_t)(o - b->data);
  b->data[b->len] = '\0';
  return 1;
refuse:
  b->len = keep;
  b->data[keep] = '\0';
  return 0;
}

/* The end of the construct at p (a '<'), past its last byte; NULL when it is one the scan
** does not take (then the document is left alone).  *depth follows start and end tags. */
static const char *construct_end(const char *p, const char *end, int *depth) {
  const char *q;
  size_t n = (size_t)(end - p);
  if (n >= 4 && !memcmp(p, "<!--", 4)) {
    q = find3(p + 4, n - 4, "-->");
    return q ? q + 3 : NULL;
  }
  if (n >= 2 && p[1] == '?') {             /* a processing instruction, to its "?>" */
    for (q = p + 2; q + 1 < end; q++) {
      if ((q = memchr(q, '?', (size_t)(end - q) - 1)) == NULL) return NULL;
      if (q[1] == '>') return q + 2;
    }
    return NULL;
  }
  for (q = p + 1; q < end; q++) {          /* a tag, an end tag or <!DOCTYPE ...> */
    if (*q == '"' || *q == '\'') {
      const char *r = memchr(q + 1, *q, (size_t)(end - q - 1));
      if (r == NULL || memchr(q + 1, '<', (size_t)(r - q - 1))) return NULL;
      q = r;
    } else if (*q == '<' || (*q == '[' && p[1] == '!')) {
      return NULL;
    } else if (*q == '>') {
      if (p[1] == '/') (*depth)--;
      else if (p[1] != '!' && q[-1] != '/') (*depth)++;
      return q + 1;
    }
  }
  return NULL;
}

/* {====== Tags with too many attributes ======
** libxml2 (2.9) compares each attribute of a tag with every earlier one: a feed whose <item>
** carried 300,000 attributes held its parse for seven minutes, an entry's HTML with as many
** eighty seconds.  The attributes of one tag past the ORR_MAX_ATTRIBUTES-th are cut before
** libxml2 sees a document.  Counting follows libxml2's own reading of a tag, so that it never
** finds fewer than libxml2 would take:
**   - XML: a name, '=' and a quoted value, again and again; anything else, a '<' in a value
**     too, ends the tag's attributes (libxml2 stops there).  So a tag's attributes all lie
**     before the next '<', four bytes each at least: only a tag that far from the next '<'
**     is read.  CDATA sections and comments are skipped, as libxml2 skips them.
**   - HTML: a name starts with an ASCII letter, '_', ':' or '.' and goes on in those, digits
**     and '-'; '=' and a value quoted or running to a blank or '>' may follow; anything else
**     is skipped to the next blank.  '<' may stand in a value: every start tag is read. */
static int html_name_start(char c) { return isalpha((unsigned char)c) || c == '_' || c == ':' || c == '.'; }
static int html_name_char(char c) { return html_name_start(c) || isdigit((unsigned char)c) || c == '-'; }
static int xml_name_char(char c) {
  return !blank(c) && c != '=' && c != '>' && c != '/' && c != '<' && c != '"' && c != '\'';
}

/* Read the attributes of the start tag whose name ends at p.  Returns where libxml2 stops
** reading them (its '>' or "/>", or where it gives up); *cut is set to the start of the
** attribute past max, or NULL when there are no more than max. */
static const char *tag_attributes(const char *p, const char *end, int html, size_t max, const char **cut) {
  size_t n = 0;
  *cut = NULL;
  for (;;) {
    p = skip_ws(p, end);
    if (p == end || *p == '>' || (*p == '/' && p + 1 < end && p[1] == '>')) return p;
    if (html ? !html_name_start(*p) : !xml_name_char(*p)) {
      if (!html) return p;                              /* XML: not an attribute, the end */
      while (p < end && !blank(*p) && *p != '>' && !(*p == '/' && p + 1 < end && p[1] == '>')) p++;
      continue;                                         /* HTML: junk, skipped to a blank */
    }
    if (++n == max + 1) *cut = p;
    while (p < end && (html ? html_name_char(*p) : xml_name_char(*p))) p++;
    p = skip_ws(p, end);
    if (p == end || *p != '=') {
      if (!html) return p;
      continue;                                         /* HTML: a name alone */
    }
    p = skip_ws(p + 1, end);
    if (p < end && (*p == '"' || *p == '\'')) {
      const char *q = memchr(p + 1, *p, (size_t)(end - p - 1));
      if (q == NULL) return end;
      if (!html && memchr(p + 1, '<', (size_t)(q - p - 1))) return p;
      p = q + 1;
    } else if (html) {
      while (p < end && !blank(*p) && *p != '>') p++;
    } else {
      return p;
    }
  }
}

char *orr_attributes_capped(const char *d, size_t len, int html, size_t max, size_t *outlen, size_t *tags,
                            size_t *elements) {
  const char *p = d, *end = d + len, *last = d;
  orr_buf b;
  orr_buf_init(&b);
  *tags = *elements = 0;
  while ((p = memchr(p, '<', (size_t)(end - p))) != NULL) {
    const char *next, *stop, *cut;
    if (++p == end) break;
    if (!html && *p == '!') {                           /* skipped as libxml2 skips them */
      const char *e = NULL;
      if (end - p >= 8 && !memcmp(p, "![CDATA[", 8)) e = find3(p + 8, (size_t)(end - p - 8), "]]>");
      else if (end - p >= 3 && !memcmp(p, "!--", 3)) e = find3(p + 3, (size_t)(end - p - 3), "-->");
      else continue;
      if (e == NULL) break;
      p = e + 3;
      continue;
    }
    if (html ? !html_name_start(*p) : !xml_name_char(*p)) continue;
    ++*elements;
    if (!html) {                                        /* too short to hold max attributes */
      next = memchr(p, '<', (size_t)(end - p));
      if ((size_t)((next ? next : end) - p) <= 4 * max) { p = next ? next : end; continue; }
    }
    while (p < end && (html ? html_name_char(*p) : xml_name_char(*p))) p++;
    stop = tag_attributes(p, end, html, max, &cut);
    if (cut) {
      orr_buf_add(&b, last, (size_t)(cut - last));
      last = stop;
      ++*tags;
    }
    p = stop;
  }
  if (*tags == 0) return NULL;
  orr_buf_add(&b, last, (size_t)(end - last));
  if (!orr_buf_ok(&b)) { orr_buf_free(&b); return NULL; }
  *outlen = b.len;
  return orr_buf_take(&b);
}
/* }====== */

typedef struct aside {
  struct orr_aside *v;
  size_t n, cap;
  orr_buf out;                  /* the document with placeholders */
  orr_buf text;                 /* the decoded runs of text */
  const char *last;             /* the document up to here is in out */
} aside;

/* Put the placeholder of the next piece set aside into out, for the document's [from, to). */
static int placeholder(aside *a, const char *from, const char *to) {
  char num[24];
  if (a->n == a->cap) {
    struct orr_aside *nv = realloc(a->v, (a->cap = a->cap ? a->cap * 2 : 64) * sizeof *nv);
    if (nv == NULL) return 0;
    a->v = nv;
  }
  orr_buf_add(&a->out, a->last, (size_t)(from - a->last));
  orr_buf_adds(&a->out, PH_OPEN);
  snprintf(num, sizeof num, "%zu", a->n);
  orr_buf_adds(&a->out, num);
  orr_buf_adds(&a->out, PH_CLOSE);
  a->last = to;
  a->n++;
  return 1;
}

/* The run of text [s, e) inside the root: set aside when long and full of references.
** Returns 0 when the document is to be left alone (out of memory, or the run refers to a
** placeholder character). */
static int text_run(aside *a, const char *s, const char *e) {
  size_t off = a->text.len;
  if (e - s >= 64 && memchr(s, '&', (size_t)(e - s)) != NULL && decode_text(&a->text, s, e)) {
    if (!placeholder(a, s, e)) return 0;
    a->v[a->n - 1].p = NULL;
    a->v[a->n - 1].off = off;
    a->v[a->n - 1].len = a->text.len - off;
    a->v[a->n - 1].decoded = 1;
    return 1;
  }
  return !refers_to_placeholder(s, e);    /* (a decoded run was checked as it was read) */
}

static void set_text_aside(orr_xml_input *in) {
  const char *d = in->data, *end = d + in->len, *p = d, *text = d;
  int depth = 0;
  aside a;
  if (in->len < 9 || (find3(d, in->len, "<![") == NULL && memchr(d, '&', in->len) == NULL)) return;
  {                                        /* the placeholders' bytes must be ours alone */
    const char *q = d;
    while ((q = memchr(q, '\xF3', (size_t)(end - q))) != NULL) {
      if (end - q >= 3 && (unsigned char)q[1] == 0xB0 && (unsigned char)q[2] == 0x80) return;
      q++;
    }
  }
  memset(&a, 0, sizeof a);
  orr_buf_init(&a.out);
  orr_buf_init(&a.text);
  a.last = d;
  while ((p = memchr(p, '<', (size_t)(end - p))) != NULL) {
    const char *e;
    if (depth > 0 ? !text_run(&a, text, p) : refers_to_placeholder(text, p)) goto leave;
    if (end - p >= 9 && !memcmp(p, "<![CDATA[", 9)) {
      if ((e = find3(p + 9, (size_t)(end - p - 9), "]]>")) == NULL) goto leave;
      if (depth > 0 && e - p > 40) {       /* (a short one costs libxml2 nothing much) */
        if (!placeholder(&a, p, e + 3)) goto leave;
        a.v[a.n - 1].p = p + 9;
        a.v[a.n - 1].len = (size_t)(e - p - 9);
        a.v[a.n - 1].decoded = 0;
      }
      p = text = e + 3;
      continue;
    }
    if ((e = construct_end(p, end, &depth)) == NULL) goto leave;
    p = text = e;
  }
  if (refers_to_placeholder(text, end)) goto leave;
  if (a.n == 0) goto leave;
  orr_buf_add(&a.out, a.last, (size_t)(end - a.last));
  if (!orr_buf_ok(&a.out) || !orr_buf_ok(&a.text)) goto leave;
  in->plain = in->data;
  in->plain_len = in->len;
  in->aside = a.v;
  in->naside = a.n;
  in->aside_from = in->copy;               /* (the sections' text stays where it is: kept alive) */
  in->copy = NULL;
  in->aside_text = orr_buf_take(&a.text);
  {
    size_t len = a.out.len;
    take(in, orr_buf_take(&a.out), len);
  }
  return;
leave:
  free(a.v);
  orr_buf_free(&a.out);
  orr_buf_free(&a.text);
}

/* A text node's content with each placeholder replaced by its section's text. */
static int restore_text(const orr_xml_input *in, xmlNodePtr t) {
  const char *s = (const char *)t->content, *ph;
  orr_buf b;
  if (s == NULL || (ph = strstr(s, PH_OPEN)) == NULL) return 1;
  orr_buf_init(&b);
  while (ph != NULL) {
    char *stop;
    unsigned long k = strtoul(ph + 4, &stop, 10);
    orr_buf_add(&b, s, (size_t)(ph - s));
    if (stop == ph + 4 || k >= in->naside || strncmp(stop, PH_CLOSE, 4) != 0) {
      orr_buf_add(&b, ph, 4);            /* (cannot happen: the bytes were ours alone) */
      s = ph + 4;
    } else {
      if (in->aside[k].decoded) orr_buf_add(&b, in->aside_text + in->aside[k].off, in->aside[k].len);
      else add_xml_lines(&b, in->aside[k].p, in->aside[k].len);
      s = stop + 4;
    }
    ph = strstr(s, PH_OPEN);
  }
  orr_buf_adds(&b, s);
  if (!orr_buf_ok(&b)) { orr_buf_free(&b); return 0; }
  xmlNodeSetContentLen(t, (const xmlChar *)b.data, (int)b.len);
  orr_buf_free(&b);
  return 1;
}

int orr_xml_input_bare_lt(orr_xml_input *in) {
  size_t n = 0;
  int what = 0;
  char *copy = fix_entities(in->data, in->len, &n, NULL, &what, BARE_LT);
  if (copy == NULL) return 0;
  take(in, copy, n);
  note(in, "a bare '<', or an attribute value libxml2 would drop (read as HTML would)");
  return 1;
}

int orr_xml_input_plain(orr_xml_input *in) {
  if (in->naside == 0) return 0;
  free(in->copy);                          /* the copy with placeholders */
  in->copy = in->aside_from;               /* the plain copy (NULL: the caller's bytes) */
  in->aside_from = NULL;
  in->data = in->plain;
  in->len = in->plain_len;
  free(in->aside);
  in->aside = NULL;
  in->naside = 0;
  free(in->aside_text);
  in->aside_text = NULL;
  return 1;
}

int orr_xml_input_restore(const orr_xml_input *in, xmlDocPtr doc) {
  xmlNodePtr n;
  int ok = 1;
  if (in->naside == 0 || doc == NULL) return 1;
  /* every node in document order, without recursion (a hostile document nests deep) */
  for (n = doc->children; n != NULL;) {
    if (n->type == XML_TEXT_NODE) ok &= restore_text(in, n);
    if (n->children != NULL && n->type != XML_ENTITY_REF_NODE && n->type != XML_ATTRIBUTE_NODE) {
      n = n->children;
      continue;
    }
    while (n != NULL && n->next == NULL) {
      n = n->parent;
      if (n == NULL || n == (xmlNodePtr)doc) return ok;
    }
    if (n != NULL) n = n->next;
  }
  return ok;
}
/* }====== */

/* A document in a legacy encoding (windows-1252, KOI8-R, Shift_JIS, ...) made UTF-8 here
** rather than by libxml2, whose converter ends the document at the first byte it refuses: a
** windows-1252 feed with one of the five bytes that code page leaves undefined lost the
** rest of that entry.  What iconv refuses becomes U+FFFD (in windows-1252, the C1 control of
** that byte, as browsers read it) and the feed is flagged.  Returns whether it did. */
char *orr_legacy_to_utf8(const char *d, size_t n, const char *from, size_t *outlen, int *bad) {
  int cp1252 = strcasecmp(from, "windows-1252") == 0 || strcasecmp(from, "cp1252") == 0;
  size_t unit = !strncasecmp(from, "UTF-16", 6) || !strncasecmp(from, "UCS-2", 5) ? 2
              : !strncasecmp(from, "UTF-32", 6) || !strncasecmp(from, "UCS-4", 5) ? 4 : 1;
  return to_utf8(d, n, from, unit, cp1252, outlen, bad);
}

static int transcode_legacy(orr_xml_input *in) {
  char declared[64], *copy;
  const char *from = in->encoding ? in->encoding : declared_encoding(in->data, in->len, declared, sizeof declared);
  size_t n;
  int bad;
  if (from == NULL || is_utf8_name(from)) return 0;
  if ((copy = orr_legacy_to_utf8(in->data, in->len, from, &n, &bad)) == NULL) return 0;   /* (left to libxml2) */
  if (bad) note(in, "bytes that are not %.40s replaced", from);
  take(in, copy, n);
  if ((copy = fix_declaration(in->data, in->len, &n, in->note, sizeof in->note, "utf-8")) != NULL) take(in, copy, n);
  in->encoding = NULL;
  return 1;
}

int orr_xml_input_prepare(orr_xml_input *in, const char *data, size_t len, const char *charset) {
  size_t n = 0;
  char *copy;
  int wide_bad, utf8, clean, wide = 0;
  memset(in, 0, sizeof *in);
  in->data = data;
  in->len = len;
  if ((copy = transcode_wide(in->data, in->len, &n, &wide_bad)) != NULL) {
    wide = 1;
    take(in, copy, n);
    if (wide_bad) note(in, "invalid UTF-16/UTF-32 sequences replaced");
  }
  if ((copy = fix_declaration(in->data, in->len, &n, in->note, sizeof in->note, wide ? "utf-8" : NULL)) != NULL)
    take(in, copy, n);
  /* the common answer to settle_encoding's and drop_forbidden's questions (they only
  ** run when it is no): valid UTF-8 without a character XML forbids */
  clean = orr_utf8_xml_chars(in->data, in->len, 1);
  utf8 = settle_encoding(in, wide ? NULL : charset, wide, clean);
  if (!utf8 && transcode_legacy(in)) utf8 = 1, clean = 0;
  if (!clean) drop_forbidden(in, utf8);
  {
    entities ents;
    const char *open = NULL, *close = NULL;
    int undeclared = 0;
    size_t i;
    memset(&ents, 0, sizeof ents);
    ents.budget = in->len > (1u << 20) ? in->len : (1u << 20);
    if (read_subset(in->data, in->len, &open, &close, &ents)) {
      /* the DOCTYPE without its internal subset: "<!DOCTYPE rss PUBLIC ...>" stays */
      orr_buf b;
      orr_buf_init(&b);
      orr_buf_add(&b, in->data, (size_t)(open - in->data));
      orr_buf_add(&b, close + 1, in->len - (size_t)(close + 1 - in->data));
      if (orr_buf_ok(&b)) { n = b.len; take(in, orr_buf_take(&b), n); }
      else orr_buf_free(&b);
    }
    if ((copy = fix_entities(in->data, in->len, &n, ents.n ? &ents : NULL, &undeclared, BARE_AMP)) != NULL)
      take(in, copy, n);
    if (ents.refused[0]) note(in, "%s", ents.refused);
    if (undeclared & BARE_AMP) note(in, "undeclared HTML entities or bare '&' (read as HTML would)");
    for (i = 0; i < ents.n; i++) { orr_buf_free(&ents.e[i].x); free(ents.e[i].value); }
    free(ents.e);
  }
  if ((copy = comment_hyphens(in->data, in->len, &n)) != NULL) {
    take(in, copy, n);
    note(in, "\"--\" inside a comment (not well-formed)");
  }
  {                                        /* (every encoding that does not write '<' as that
                                           ** one byte was made UTF-8 above) */
    size_t tags;
    if ((copy = orr_attributes_capped(in->data, in->len, 0, ORR_MAX_ATTRIBUTES, &n, &tags, &in->elements)) != NULL) {
      take(in, copy, n);
      note(in, "%zu tag%s with more than %d attributes: the rest cut", tags, tags == 1 ? "" : "s",
           ORR_MAX_ATTRIBUTES);
    }
  }
  if (utf8 && (in->encoding == NULL || is_utf8_name(in->encoding))) set_text_aside(in);
  return 1;
}

void orr_xml_input_free(orr_xml_input *in) {
  free(in->copy);
  in->copy = NULL;
  free(in->aside_from);
  in->aside_from = NULL;
  free(in->aside);
  in->aside = NULL;
  in->naside = 0;
  free(in->aside_text);
  in->aside_text = NULL;
}
