/*
** htmltok.c — libxml2's HTML parser events for plain fragments (see htmltok.h).
**
** What is read here, each rule as libxml2 2.9's HTMLparser.c applies it:
**  - The input is first checked to be UTF-8 without control characters other than tab and
**    line feed: those are the characters libxml2 drops, replaces or re-decodes.
**  - Text runs to the next '<' or '&' and is given as it is.  '<' before anything but a
**    letter, '/' or '!' is text.
**  - References: &#NN; and &#xNN; of a valid character (any other form declines); &name; of
**    an HTML 4 entity (htmlEntityLookup) is its character; an unknown name, or one without
**    ';', stays "&name" and whatever follows it is text again; '&' before anything that
**    cannot start a name is text.  The same in attribute values.
**  - Tags: element names lower-cased; an element this has no rules for declines (known[]).
**    Attributes are name[=value], names lower-cased, values quoted or running to a blank or
**    '>'; a repeated attribute is dropped.  "/>" ends any element at once, as do the elements
**    libxml2 knows to be empty.  Script and style content is text up to "</script" or
**    "</style" (see raw_text).  Comments are skipped (the sanitizer takes no comment
**    events).
**  - Structure: a start tag first ends the open elements libxml2 ends for it (asked of
**    libxml2 itself, closes()).  An end tag ends the nearest open element of its name and
**    those inside it, unless an element of higher end priority (div, table parts: libxml2's
**    htmlEndPriority) is in the way, when it is ignored, as is an end tag of no open element.
**    A stray </div> ends the caller's <div> (what follows is in the body).  At the end of
**    the input every open element ends.
*/
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/globals.h>

#include "buf.h"
#include "htmltok.h"

#define MAX_OPEN  200     /* open elements of the fragment this follows; deeper declines */
#define MAX_NAME  16      /* longer than any name in known[] */
#define MAX_ATTS  64      /* attributes of one tag */

/* The elements this reads, which are most of what feed entries use; any other declines. */
static const char *const known[] = {
  "a", "abbr", "acronym", "address", "area", "article", "aside", "audio", "b", "bdi", "bdo",
  "big", "blockquote", "br", "button", "canvas", "caption", "center", "circle", "cite",
  "code", "col", "colgroup", "dd", "del", "details", "dfn", "dir", "div", "dl", "dt", "em",
  "embed", "fieldset", "figcaption", "figure", "font", "footer", "form", "g", "h1", "h2",
  "h3", "h4", "h5", "h6", "header", "hr", "i", "iframe", "img", "input", "ins", "kbd",
  "label", "legend", "li", "line", "main", "map", "mark", "menu", "nav", "nobr", "noscript",
  "object", "ol", "option", "p", "param", "path", "picture", "polygon", "polyline", "pre",
  "q", "rect", "s", "samp", "script", "section", "select", "small", "source", "span",
  "strike", "strong", "style", "sub", "summary", "sup", "svg", "table", "tbody", "td",
  "textarea", "tfoot", "th", "thead", "time", "tr", "track", "tt", "u", "ul", "var", "video",
  "wbr"
};
#define NKNOWN ((int)(sizeof known / sizeof known[0]))

static struct {
  unsigned char empty;    /* libxml2 ends it right after its start tag */
  unsigned char raw;      /* script, style: content is text up to the end tag */
  short priority;         /* libxml2's htmlEndPriority */
} props[NKNOWN];

#define SLOTS 256         /* name hash table: a power of two, well above NKNOWN */
static signed char slot[SLOTS];
static int el_div;        /* the index of "div": the caller's wrapper is one */
static int verified;      /* the running libxml2 is of the series these rules follow */
static pthread_once_t once = PTHREAD_ONCE_INIT;

static unsigned hash(const char *s, size_t n) {
  unsigned h = 2166136261u;
  while (n--) h = (h ^ (unsigned char)*s++) * 16777619u;
  return h;
}

static int end_priority(const char *name) {
  static const struct { const char *name; short priority; } t[] = {
    {"div", 150}, {"td", 160}, {"th", 160}, {"tr", 170}, {"thead", 180}, {"tbody", 180},
    {"tfoot", 180}, {"table", 190}
  };
  size_t i;
  for (i = 0; i < sizeof t / sizeof t[0]; i++) if (strcmp(t[i].name, name) == 0) return t[i].priority;
  return 100;
}

static void init(void) {
  int i, v = atoi(xmlParserVersion);
  /* The rules above were read from, and are checked against, libxml2 2.9; 2.14 rewrote the
  ** HTML parser after HTML5's tokenizer.  Other versions go to libxml2 every time. */
  verified = v >= 20900 && v < 21000;
  memset(slot, -1, sizeof slot);
  for (i = 0; i < NKNOWN; i++) {
    const htmlElemDesc *d = htmlTagLookup((const xmlChar *)known[i]);
    unsigned k = hash(known[i], strlen(known[i])) & (SLOTS - 1);
    while (slot[k] >= 0) k = (k + 1) & (SLOTS - 1);
    slot[k] = (signed char)i;
    props[i].empty = d && d->empty;
    props[i].raw = strcmp(known[i], "script") == 0 || strcmp(known[i], "style") == 0;
    props[i].priority = (short)end_priority(known[i]);
    if (strcmp(known[i], "div") == 0) el_div = i;
  }
}

/* The index in known[] of a lower-case name, -1 if it is not there. */
static int element(const char *name, size_t n) {
  unsigned k = hash(name, n) & (SLOTS - 1);
  for (; slot[k] >= 0; k = (k + 1) & (SLOTS - 1))
    if (strncmp(known[slot[k]], name, n) == 0 && known[slot[k]][n] == '\0') return slot[k];
  return -1;
}

/* ---- what libxml2 decides, asked once ----------------------------------------------- */

/* Whether a start tag of one element ends an open element of another (<p> ends <p>, <li>
** ends <li>, <table> ends <p>, ...) is libxml2's htmlStartClose table, which it does not
** export: so libxml2 is asked, by parsing "<div><open><next>" and watching whether <open>
** ends before <next> starts (and for the <body>, once a fragment has ended our <div>:
** "<div></div><next>").  Once per pair and thread, and only for the pairs a feed uses. */
typedef struct { char events[160]; size_t len; } probe_state;

static void probe_event(void *ctx, char sign, const xmlChar *name) {
  probe_state *p = ((htmlParserCtxtPtr)ctx)->_private;
  size_t n = strlen((const char *)name);
  if (p->len + n + 2 < sizeof p->events) {
    p->events[p->len++] = sign;
    memcpy(p->events + p->len, name, n + 1);
    p->len += n;
  }
}
static void probe_start(void *ctx, const xmlChar *name, const xmlChar **atts) { probe_event(ctx, '+', name); }
static void probe_end(void *ctx, const xmlChar *name) { probe_event(ctx, '-', name); }

/* 1 if libxml2's events for "<div>" prefix "<next>" begin with closed, 0 if with open, -1 if
** with neither (or when it could not be asked). */
static int probe(const char *prefix, const char *next, const char *open, const char *closed) {
  char doc[64];
  probe_state p;
  htmlParserCtxtPtr c = htmlNewParserCtxt();
  int n = snprintf(doc, sizeof doc, "<div>%s<%s>", prefix, next);
  if (c == NULL) return -1;
  memset(&p, 0, sizeof p);
  memset(c->sax, 0, sizeof *c->sax);
  c->sax->initialized = 1;
  c->sax->startElement = probe_start;
  c->sax->endElement = probe_end;
  c->_private = &p;
  htmlCtxtReadMemory(c, doc, n, NULL, "UTF-8", HTML_PARSE_RECOVER | HTML_PARSE_NONET |
                     HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
  htmlFreeParserCtxt(c);
  if (strncmp(p.events, closed, strlen(closed)) == 0) return 1;
  return strncmp(p.events, open, strlen(open)) == 0 ? 0 : -1;
}

#define BODY NKNOWN      /* closes() takes it for old: the <body>, after our <div> ended */
static __thread unsigned char closes_known[NKNOWN][NKNOWN + 1];   /* 0 not asked, 1 no, 2 yes, 3 unknown */

/* 1 if a start tag of next ends an open old, 0 if not, -1 if that could not be learnt. */
static int closes(int next, int old) {
  unsigned char *c = &closes_known[next][old];
  if (*c == 0) {
    char prefix[24], open[64], closed[64];
    int r;
    if (old == BODY) {
      snprintf(open, sizeof open, "+html+body+div-div+%s", known[next]);
      snprintf(closed, sizeof closed, "+html+body+div-div-body");
      r = probe("</div>", known[next], open, closed);
    } else {
      snprintf(prefix, sizeof prefix, "<%s>", known[old]);
      snprintf(open, sizeof open, "+html+body+div+%s+%s", known[old], known[next]);
      snprintf(closed, sizeof closed, "+html+body+div+%s-%s+%s", known[old], known[old], known[next]);
      r = probe(prefix, known[next], open, closed);
    }
    *c = r < 0 ? 3 : r ? 2 : 1;
  }
  return *c == 3 ? -1 : *c == 2;
}

/* HTML 4 entity values, by name: htmlEntityLookup scans its table, so each name a thread
** meets is kept here (value -1: no such entity). */
static __thread struct { char name[12]; int value; } entities[128];

static int entity_value(const char *name, size_t n) {
  unsigned k;
  char z[12];
  if (n >= sizeof z) return -1;                 /* longer than any HTML 4 entity name */
  k = hash(name, n) & 127;
  if (strncmp(entities[k].name, name, n) != 0 || entities[k].name[n] != '\0') {
    const htmlEntityDesc *e;
    memcpy(z, name, n);
    z[n] = '\0';
    e = htmlEntityLookup((const xmlChar *)z);
    memcpy(entities[k].name, z, n + 1);
    entities[k].value = e && e->value > 0 ? (int)e->value : -1;
  }
  return entities[k].value;
}

/* ---- input ---------------------------------------------------------------------------- */

static int is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int is_alnum(int c) { return is_alpha(c) || (c >= '0' && c <= '9'); }
static int is_blank(int c) { return c == ' ' || c == '\t' || c == '\n'; }
static int lower(int c) { return c >= 'A' && c <= 'Z' ? c | 0x20 : c; }
/* the characters besides letters and digits that libxml2 takes in names */
static int name_punct(int c) { return c == ':' || c == '-' || c == '_' || c == '.'; }

/* The reference at p ('&'): returns how many bytes of input it takes, and sets *n to the
** length of its character in out, or to 0 when what libxml2 makes of it is those input
** bytes as they are.  -1: declined. */
static long reference(const char *p, const char *end, char out[4], int *n) {
  const char *q = p + 1;
  *n = 0;
  if (q == end) return 1;
  if (*q == '#') {
    unsigned long v = 0;
    int hex = 0, digits = 0;
    q++;
    if (q < end && (*q == 'x' || *q == 'X')) { hex = 1; q++; }
    for (; q < end && v <= 0x10FFFF; q++, digits++) {
      int c = (unsigned char)*q, d;
      if (c >= '0' && c <= '9') d = c - '0';
      else if (hex && lower(c) >= 'a' && lower(c) <= 'f') d = lower(c) - 'a' + 10;
      else break;
      v = v * (hex ? 16 : 10) + (unsigned long)d;
    }
    if (digits == 0 || q == end || *q != ';') return -1;
    if (!(v == 9 || v == 10 || (v >= 0x20 && v <= 0xD7FF) || (v >= 0xE000 && v <= 0xFFFD) ||
          (v >= 0x10000 && v <= 0x10FFFF))) return -1;
    *n = orr_utf8_encode(out, (unsigned)v);
    return q + 1 - p;
  }
  if (is_alpha((unsigned char)*q)) {
    int v;
    while (q < end && is_alnum((unsigned char)*q)) q++;
    if (q == end) return q - p;                  /* "&name" at the end: as it is */
    if (name_punct(*q) || (unsigned char)*q >= 0x80) return -1;
    if (*q != ';' || (v = entity_value(p + 1, (size_t)(q - p - 1))) < 0) return q - p;
    *n = orr_utf8_encode(out, (unsigned)v);
    return q + 1 - p;
  }
  if (*q == '_' || *q == ':' || (unsigned char)*q >= 0x80) return -1;   /* could start a name */
  return 1;
}

int orr_htmltok_verified(void) {
  pthread_once(&once, init);
  return verified;
}

/* ---- the tokenizer -------------------------------------------------------------------- */

typedef struct {
  const orr_html_events *ev;
  void *u;
  const char *p, *end;
  orr_buf atts;            /* the current tag's attribute names and values, each NUL-ended */
  const char *lt, *amp;    /* the first '<' and '&' after where they were last looked for
                           ** (or end): still the next ones while not behind t->p */
  int wrapper;             /* the caller's <div> is still open (a "</div>" can end it) */
  int n;                   /* open elements of the fragment */
  int open[MAX_OPEN];      /* their indexes in known[], innermost last */
} tok;

static void skip_blanks(tok *t) { while (t->p < t->end && is_blank((unsigned char)*t->p)) t->p++; }

/* Append an attribute value from t->p to its end (quote, or blank and '>' when unquoted),
** references decoded; leaves t->p on the closing quote or the character after the value. */
static int att_value(tok *t, char quote) {
  const char *p = t->p, *end = t->end, *run = p;
  while (p < end && (quote ? *p != quote : !is_blank((unsigned char)*p) && *p != '>')) {
    if (*p == '&') {
      char c[4];
      int n;
      long used = reference(p, end, c, &n);
      if (used < 0) return 0;
      if (n) { orr_buf_add(&t->atts, run, (size_t)(p - run)); orr_buf_add(&t->atts, c, (size_t)n); run = p + used; }
      p += used;
    } else {
      p++;
    }
  }
  if (p == end || (!quote && p == t->p)) return 0;   /* cut off, or an empty unquoted value */
  orr_buf_add(&t->atts, run, (size_t)(p - run));
  orr_buf_addc(&t->atts, '\0');
  t->p = p;
  return 1;
}

static void end_open(tok *t, int to) {         /* end the open elements down to index to */
  while (t->n > to) t->ev->end(t->u, known[t->open[--t->n]]);
}

/* The element name at p (letters and digits, the first a letter): its index in known[], or
** -1 for a name not there or followed by a character libxml2 takes into names (':', '-',
** ...).  *after is set to the character after the name. */
static int tag_name(const char *p, const char *end, const char **after) {
  char name[MAX_NAME];
  size_t n = 0;
  for (; p < end && is_alnum((unsigned char)*p); p++, n++)
    if (n < MAX_NAME) name[n] = (char)lower((unsigned char)*p);
  *after = p;
  if (n > MAX_NAME || (p < end && name_punct(*p))) return -1;
  return element(name, n);
}

/* A start tag at t->p ("<" and a letter). */
static int start_tag(tok *t) {
  const char *p, *end = t->end;
  const char *av[2 * MAX_ATTS + 1];
  size_t offs[2 * MAX_ATTS];
  int nattr = 0, el = tag_name(t->p + 1, end, &p), i, r;
  if (el < 0 || p == end) return 0;
  /* the elements libxml2 ends before this one starts; never the caller's wrapper or body */
  while (t->n > 0 && (r = closes(el, t->open[t->n - 1])) != 0) {
    if (r < 0) return 0;
    end_open(t, t->n - 1);
  }
  if (t->n == 0 && closes(el, t->wrapper ? el_div : BODY) != 0) return 0;
  t->p = p;
  t->atts.len = 0;
  for (;;) {
    size_t start, k;
    int dup = 0;
    skip_blanks(t);
    if (t->p == end) return 0;
    if (*t->p == '>' || (*t->p == '/' && t->p + 1 < end && t->p[1] == '>')) break;
    if (!is_alpha((unsigned char)*t->p)) return 0;
    start = t->atts.len;
    for (k = 0; t->p < end && (is_alnum((unsigned char)*t->p) || name_punct(*t->p)); k++)
      orr_buf_addc(&t->atts, (char)lower((unsigned char)*t->p++));
    if (k >= 100) return 0;                       /* libxml2 cuts names at 100 */
    orr_buf_addc(&t->atts, '\0');
    if (!orr_buf_ok(&t->atts)) return 0;
    for (i = 0; i < nattr; i++) dup |= strcmp(t->atts.data + offs[2 * i], t->atts.data + start) == 0;
    if (nattr == MAX_ATTS) return 0;
    offs[2 * nattr] = start;
    offs[2 * nattr + 1] = (size_t)-1;
    skip_blanks(t);
    if (t->p < end && *t->p == '=') {
      char quote = 0;
      t->p++;
      skip_blanks(t);
      if (t->p < end && (*t->p == '"' || *t->p == '\'')) quote = *t->p++;
      offs[2 * nattr + 1] = t->atts.len;
      if (!att_value(t, quote)) return 0;
      if (quote) t->p++;
    }
    if (!dup) nattr++;                            /* libxml2 drops a repeated attribute */
  }
  if (!orr_buf_ok(&t->atts)) return 0;
  for (i = 0; i < nattr; i++) {
    av[2 * i] = t->atts.data + offs[2 * i];
    av[2 * i + 1] = offs[2 * i + 1] == (size_t)-1 ? NULL : t->atts.data + offs[2 * i + 1];
  }
  av[2 * nattr] = NULL;
  t->ev->start(t->u, known[el], nattr ? av : NULL);
  if (*t->p == '/' || props[el].empty) {         /* "/>", or empty by libxml2's table */
    t->p += *t->p == '/' ? 2 : 1;
    t->ev->end(t->u, known[el]);
    return 1;
  }
  t->p++;
  if (t->n == MAX_OPEN) return 0;
  t->open[t->n++] = el;
  return 1;
}

/* An end tag at t->p ("</"). */
static int end_tag(tok *t) {
  const char *p, *end = t->end, *name = t->p + 2;
  int el, i;
  size_t n;
  if (name == end || !is_alpha((unsigned char)*name)) return 0;
  el = tag_name(name, end, &p);
  n = (size_t)(p - name);
  if (p < end && name_punct(*p)) return 0;
  while (p < end && is_blank((unsigned char)*p)) p++;
  if (p == end || *p != '>') return 0;
  t->p = p + 1;
  if ((n == 4 && (strncasecmp(name, "html", 4) == 0 || strncasecmp(name, "body", 4) == 0 ||
                  strncasecmp(name, "head", 4) == 0)))
    return 0;                                     /* libxml2 has its own rules for these */
  if (el < 0) return 1;                           /* no open element has that name: ignored */
  for (i = t->n - 1; i >= 0; i--) {
    if (t->open[i] == el) { end_open(t, i); return 1; }
    if (props[t->open[i]].priority > props[el].priority) return 1;   /* in the way: ignored */
  }
  if (el == el_div && t->wrapper) {                  /* ends the caller's <div> */
    end_open(t, 0);
    t->ev->end(t->u, "div");
    t->wrapper = 0;
  }
  return 1;
}

/* Inside script or style (the innermost open element).  libxml2 reads an end tag there
** first ("</" and anything: it may end them, end more, or be ignored), and a start tag
** that ends them (<noscript> ends <script>); else their text up to "</script" or
** "</style" (any case, and whatever follows: "</scripts>" too), or to the end. */
static int raw_text(tok *t) {
  const char *q = t->p, *end = t->end, *name = known[t->open[t->n - 1]];
  size_t len = strlen(name);
  if (end - q > 1 && q[0] == '<' && q[1] == '/') return end_tag(t);
  if (end - q > 1 && q[0] == '<' && (q[1] == '_' || q[1] == ':')) return 0;
  if (end - q > 1 && q[0] == '<' && is_alpha((unsigned char)q[1])) {
    const char *p;
    int el = tag_name(q + 1, end, &p), r;
    if (el < 0 || p == end || (r = closes(el, t->open[t->n - 1])) < 0) return 0;
    if (r) { end_open(t, t->n - 1); return 1; }   /* the tag is read as any other next */
  }
  while ((q = memchr(q, '<', (size_t)(end - q))) != NULL &&
         !((size_t)(end - q) >= len + 2 && q[1] == '/' && strncasecmp(q + 2, name, len) == 0)) q++;
  if (q == NULL) q = end;
  t->ev->text(t->u, t->p, (size_t)(q - t->p));
  t->p = q;
  return 1;
}

/* The first c at or after p, else end. */
static const char *next_of(const char *p, const char *end, int c) {
  const char *q = memchr(p, c, (size_t)(end - p));
  return q ? q : end;
}

/* The first "--" in the n bytes at s, or NULL. */
static const char *dashes(const char *s, size_t n) {
  const char *end = s + n;
  while ((s = memchr(s, '-', (size_t)(end - s))) != NULL && s + 1 < end && s[1] != '-') s++;
  return s && s + 1 < end ? s : NULL;
}

/* "<!--" at t->p: a comment of the plain form (no "--" in it), skipped. */
static int comment(tok *t) {
  const char *body = t->p + 4, *close = dashes(body, (size_t)(t->end - body));
  size_t n;
  if (close == NULL || close + 2 >= t->end || close[2] != '>') return 0;
  n = (size_t)(close - body);
  if (n == 0 || body[0] == '>' || body[n - 1] == '-') return 0;
  t->p = close + 3;
  return 1;
}

int orr_htmltok(const char *html, size_t len, const orr_html_events *ev, void *u) {
  tok t;
  int ok = 1;
  pthread_once(&once, init);
  /* only UTF-8 whose every character libxml2 keeps as it is (and no carriage return,
  ** which this does not follow libxml2 through) */
  if (!verified || !orr_utf8_xml_chars(html, len, 0)) return 0;
  t.ev = ev;
  t.u = u;
  t.p = html;
  t.end = html + len;
  t.n = 0;
  t.lt = next_of(html, t.end, '<');
  t.amp = next_of(html, t.end, '&');
  t.wrapper = 1;
  orr_buf_init(&t.atts);
  while (ok && t.p < t.end) {
    const char *p = t.p, *end = t.end;
    if (t.n > 0 && props[t.open[t.n - 1]].raw) {
      ok = raw_text(&t);
    } else if (*p == '<') {
      int c = p + 1 < end ? (unsigned char)p[1] : 0;
      if (c == '/') ok = end_tag(&t);
      else if (is_alpha(c)) ok = start_tag(&t);
      else if (c == '!') ok = end - p >= 4 && p[2] == '-' && p[3] == '-' && comment(&t);
      else if (c == '?' || c == '_' || c == ':') ok = 0;
      else { ev->text(u, "<", 1); t.p++; }
    } else if (*p == '&') {
      char c[4];
      int n;
      long used = reference(p, end, c, &n);
      if (used < 0) ok = 0;
      else { ev->text(u, n ? c : p, n ? (size_t)n : (size_t)used); t.p += used; }
    } else {
      const char *stop;
      /* the next '<' and '&' are kept: searching afresh from every text run would go to the
      ** end of a fragment without '<' once per reference in it */
      if (t.lt < p) t.lt = next_of(p, end, '<');
      if (t.amp < p) t.amp = next_of(p, end, '&');
      stop = t.lt < t.amp ? t.lt : t.amp;
      ev->text(u, p, (size_t)(stop - p));
      t.p = stop;
    }
  }
  if (ok) end_open(&t, 0);
  if (ok && t.wrapper) t.ev->end(t.u, "div");
  orr_buf_free(&t.atts);
  return ok;
}
