/*
** jsonfeed.c — JSON Feed 1.0 and 1.1 (jsonfeed.org) to the feed model, with jansson.
**
** The same shape as feed.c gives for XML, through the same builders: content_html is
** sanitized HTML, content_text and summary (plain text in JSON Feed) become escaped HTML with
** content_type text/plain, dates are RFC 3339, URLs go through the model's URL policy
** against the feed's address.  Authors: 1.1's `authors` (every one) or 1.0's `author`;
** items without any have the feed's (orr_feed_finish).
*/
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "date.h"
#include "entry.h"
#include "html.h"
#include "jsonfeed.h"
#include "url.h"

static const char *str(json_t *o, const char *key) {
  json_t *v = json_object_get(o, key);
  return json_is_string(v) ? json_string_value(v) : NULL;
}

static char *dup_or_null(const char *s) { return s && *s ? strdup(s) : NULL; }

/* The state of one parse: the options, where URL notes go, whether memory ran out. */
typedef struct jstate { const orr_feed_opts *o; char **notes; int oom; } jstate;

static char *url(jstate *js, const char *s, int kind, const char *what) {
  char *raw;
  if (s == NULL || *s == '\0') return NULL;
  if ((raw = strdup(s)) == NULL) { js->oom = 1; return NULL; }
  return orr_url_take(raw, js->o->url, kind, js->notes, what, &js->oom);
}

static char *escaped(const char *s) {       /* plain text as HTML; absent when empty */
  return s && *s ? orr_html_escape(s) : NULL;
}

/* A JSON Feed author object: name, url (a web page or mailto:), avatar (not kept). */
static void read_person(jstate *js, json_t *a, orr_person *p) {
  memset(p, 0, sizeof *p);
  if (!json_is_object(a)) return;
  p->name = dup_or_null(str(a, "name"));
  p->uri = url(js, str(a, "url"), ORR_URL_WEB_OR_MAIL, "author URL");
  if (p->uri && strncmp(p->uri, "mailto:", 7) == 0) {     /* the address an author gave */
    p->email = strdup(p->uri + 7);
    free(p->uri);
    p->uri = NULL;
  }
}

/* The authors of o: 1.1's list, else 1.0's one author.  *n is their number. */
static orr_person *read_authors(jstate *js, json_t *o, size_t *n) {
  json_t *a = json_object_get(o, "authors");
  orr_person *out;
  size_t i, count = json_is_array(a) ? json_array_size(a) : 0;
  *n = 0;
  if (count == 0) {
    a = json_object_get(o, "author");
    if (!json_is_object(a)) return NULL;
    count = 1;
  }
  if ((out = calloc(count, sizeof *out)) == NULL) { js->oom = 1; return NULL; }
  for (i = 0; i < count; i++) {
    read_person(js, json_is_array(a) ? json_array_get(a, i) : a, &out[*n]);
    if (out[*n].name || out[*n].email || out[*n].uri) (*n)++;
  }
  return out;
}

/* The authors as one: every name ("A, B"), the first email and URL; the text as written is
** the names. */
static void set_authors(jstate *js, json_t *o, char **f, int text_i, int name_i, int email_i, int uri_i) {
  size_t n, i;
  orr_person *a = read_authors(js, o, &n);
  orr_buf names;
  orr_buf_init(&names);
  for (i = 0; i < n; i++) {
    if (a[i].name) { if (names.len) orr_buf_adds(&names, ", "); orr_buf_adds(&names, a[i].name); }
    if (!f[email_i] && a[i].email) f[email_i] = strdup(a[i].email);
    if (!f[uri_i] && a[i].uri) f[uri_i] = strdup(a[i].uri);
    orr_person_free(&a[i]);
  }
  free(a);
  if (!orr_buf_ok(&names)) js->oom = 1;
  if (names.len) {
    f[name_i] = orr_buf_take(&names);
    f[text_i] = f[name_i] ? strdup(f[name_i]) : NULL;
  } else {
    orr_buf_free(&names);
  }
}

static void date(json_t *o, const char *key, char **text, int64_t *t, int *has) {
  const char *s = str(o, key);
  if (s == NULL) return;
  *text = strdup(s);
  *has = orr_date_parse(s, t);
}

static int parse_item(jstate *js, json_t *it, orr_entry *e) {
  const orr_feed_opts *o = js->o;
  json_t *v = json_object_get(it, "id"), *a;
  const char *html = str(it, "content_html"), *text = str(it, "content_text");
  size_t i;
  char buf[64];
  js->notes = &e->f[ORR_E_NOTES];
  if (json_is_string(v)) e->f[ORR_E_ID] = dup_or_null(json_string_value(v));
  else if (json_is_integer(v)) {             /* 1.0 feeds in the wild use numbers */
    snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    e->f[ORR_E_ID] = strdup(buf);
  }
  e->f[ORR_E_TITLE] = dup_or_null(str(it, "title"));
  e->f[ORR_E_LINK] = url(js, str(it, "url"), ORR_URL_WEB, "link");
  if (e->f[ORR_E_LINK] == NULL) e->f[ORR_E_LINK] = url(js, str(it, "external_url"), ORR_URL_WEB, "external link");
  set_authors(js, it, e->f, ORR_E_AUTHOR, ORR_E_AUTHOR_NAME, ORR_E_AUTHOR_EMAIL, ORR_E_AUTHOR_URI);
  if (html && *html) {
    e->f[ORR_E_CONTENT] = o->sanitize ? orr_html_sanitize(html, strlen(html), o->url) : strdup(html);
    e->f[ORR_E_CONTENT_TYPE] = strdup("text/html");
  } else if (text && *text) {
    e->f[ORR_E_CONTENT] = escaped(text);
    e->f[ORR_E_CONTENT_TYPE] = strdup("text/plain");
  }
  if (str(it, "summary")) {
    e->f[ORR_E_SUMMARY] = escaped(str(it, "summary"));
    if (e->f[ORR_E_SUMMARY]) e->f[ORR_E_SUMMARY_TYPE] = strdup("text/plain");
  }
  date(it, "date_published", &e->f[ORR_E_PUBLISHED_TEXT], &e->published, &e->has_published);
  date(it, "date_modified", &e->f[ORR_E_UPDATED_TEXT], &e->updated, &e->has_updated);
  a = json_object_get(it, "tags");
  if (json_is_array(a)) {
    for (i = 0; i < json_array_size(a); i++) {
      json_t *t = json_array_get(a, i);
      if (json_is_string(t) && *json_string_value(t) && !orr_entry_add_tag(e, strdup(json_string_value(t))))
        return 0;
    }
  }
  a = json_object_get(it, "attachments");
  for (i = 0; json_is_array(a) && i < json_array_size(a); i++) {
    json_t *t = json_array_get(a, i), *sz;
    char *length = NULL;
    if (!json_is_object(t) || str(t, "url") == NULL) continue;
    sz = json_object_get(t, "size_in_bytes");
    if (json_is_integer(sz)) {
      snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(sz));
      length = strdup(buf);
    }
    if (!orr_entry_add_enclosure(e, url(js, str(t, "url"), ORR_URL_WEB, "attachment"),
                                 dup_or_null(str(t, "mime_type")), length))
      return 0;
  }
  return !js->oom;
}

/* {====== Text jansson would refuse whole ======
** jansson reads strict JSON, and refuses the whole document for one fault in it: a feed lost
** every item to one byte that is not UTF-8, one raw control character or "\u0000" or lone
** surrogate in a string, one number beyond a double's range, text after the root, or one
** item's extension value nested deeper than 2048 levels.  Before jansson reads it, the text
** is mended: stray bytes are read as Windows-1252 (as in XML feeds), raw tabs and line
** breaks in strings escaped, the characters XML does not allow (other control characters,
** "\u0000" and "\u0008" too, U+FFFE, U+FFFF) dropped (an XML feed cannot carry them, and
** the planet's own Atom and RSS feeds must not), a lone surrogate made U+FFFD, a number
** beyond a double's or a long long's range read as null, and any array or object that
** opens past MAX_NESTING levels (a feed needs six) replaced by null.  Text after the root is
** left to jansson's JSON_DISABLE_EOF_CHECK.  A comma before ']' or '}' (hand-edited JSON) is
** dropped, and a document cut short (a transfer that broke off, a server's size limit) is
** read up to the last array or object it completed, with what it left open closed: a
** truncated XML feed keeps the items read before the cut, and so does a JSON one. */
#define MAX_NESTING 64

static int hex4(const char *p, const char *end, unsigned *v) {
  int i;
  *v = 0;
  if (end - p < 4) return 0;
  for (i = 0; i < 4; i++) {
    char c = p[i];
    unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0') : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
               : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16;
    if (d == 16) return 0;
    *v = *v * 16 + d;
  }
  return 1;
}

enum { MEND_UTF8 = 1, MEND_CONTROL = 2, MEND_NOT_XML = 4, MEND_SURROGATE = 8, MEND_DEEP = 16, MEND_TAIL = 32,
       MEND_COMMA = 64, MEND_CUT = 128, MEND_NUMBER = 256 };
typedef struct mend { orr_buf b; const char *last; int done; } mend;

/* Write s instead of [from, to) of the text (a mend of kind). */
static void replace(mend *m, const char *from, const char *to, const char *s, int kind) {
  orr_buf_add(&m->b, m->last, (size_t)(from - m->last));
  orr_buf_adds(&m->b, s);
  m->last = to;
  m->done |= kind;
}

/* The end of the string at p ('"'), past its closing quote, or end. */
static const char *string_end(const char *p, const char *end) {
  for (p++; p < end; p++) {
    if (*p == '\\') p++;
    else if (*p == '"') return p + 1;
  }
  return end;
}

/* The string at p ('"') mended; returns past its closing quote (or end). */
static const char *mend_string(mend *m, const char *p, const char *end) {
  for (p++; p < end; p++) {
    unsigned v, low;
    if (*p == '"') return p + 1;
    if (*p == '\t' || *p == '\n' || *p == '\r') {
      char esc[8];
      snprintf(esc, sizeof esc, "\\u%04x", (unsigned)(unsigned char)*p);
      replace(m, p, p + 1, esc, MEND_CONTROL);
    } else if ((unsigned char)*p < 0x20) {
      replace(m, p, p + 1, "", MEND_NOT_XML);
    } else if ((unsigned char)*p == 0xEF && end - p >= 3 && (unsigned char)p[1] == 0xBF &&
               (unsigned char)p[2] >= 0xBE) {
      replace(m, p, p + 3, "", MEND_NOT_XML);                    /* U+FFFE, U+FFFF */
      p += 2;
    } else if (*p == '\\' && p + 1 < end) {
      if (p[1] == 'u' && hex4(p + 2, end, &v)) {
        if ((v < 0x20 && v != '\t' && v != '\n' && v != '\r') || v == 0xFFFE || v == 0xFFFF)
          replace(m, p, p + 6, "", MEND_NOT_XML);
        else if (v >= 0xD800 && v <= 0xDBFF && end - p >= 12 && p[6] == '\\' && p[7] == 'u' &&
                 hex4(p + 8, end, &low) && low >= 0xDC00 && low <= 0xDFFF) p += 6;   /* a pair */
        else if (v >= 0xD800 && v <= 0xDFFF) replace(m, p, p + 6, "\\ufffd", MEND_SURROGATE);
        p += 5;
      } else {
        p++;
      }
    }
  }
  return end;
}

/* The end of the number at p (its sign, digits, fraction and exponent). */
static const char *number_end(const char *p, const char *end) {
  if (p < end && *p == '-') p++;
  while (p < end && ((*p >= '0' && *p <= '9') || *p == '.' || *p == 'e' || *p == 'E' ||
                     ((*p == '+' || *p == '-') && (p[-1] == 'e' || p[-1] == 'E'))))
    p++;
  return p;
}

/* 1 if jansson would refuse the number [p, q) whole ("real number overflow", "too big
** integer"): a real beyond a double's range, an integer beyond a long long's.  (Read as
** jansson reads them: strtod, strtoll.) */
static int number_too_big(const char *p, const char *q) {
  char small[64], *buf = small, *e;
  size_t n = (size_t)(q - p), i;
  int real = 0, big;
  for (i = 0; i < n; i++) real |= p[i] == '.' || p[i] == 'e' || p[i] == 'E';
  if (!real) {                                 /* a long long has 19 digits: fewer always fit */
    if (n - (*p == '-') < 19) return 0;
    if (n > 24) return 1;
  }
  if (n >= sizeof small && (buf = malloc(n + 1)) == NULL) return 0;
  memcpy(buf, p, n);
  buf[n] = '\0';
  errno = 0;
  if (real) {
    double v = strtod(buf, &e);
    big = errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL);
  } else {
    (void)strtoll(buf, &e, 10);
    big = errno == ERANGE;
  }
  if (buf != small) free(buf);
  return big;
}

/* The text mended (see above): a malloc'd copy, or NULL when it needs nothing (or out of
** memory).  *done tells what was mended (MEND_*). */
static char *mend_json(const char *d, size_t len, size_t *outlen, int *done) {
  const char *p, *end;
  char *utf8 = NULL, open[MAX_NESTING + 1];    /* the brackets open at each depth */
  int depth = 0, bad, cut_depth = 0, closed = 0;
  size_t cut = 0;                              /* where in the copy the last inner value closed */
  mend m;
  *done = 0;
  if (!orr_utf8_valid(d, len)) {
    if ((utf8 = orr_utf8_from_mixed(d, len, &bad)) == NULL) return NULL;
    d = utf8;
    len = strlen(utf8);
  }
  orr_buf_init(&m.b);
  m.last = p = d;
  m.done = utf8 ? MEND_UTF8 : 0;
  end = d + len;
  while (p < end) {
    if (*p == '"') { p = mend_string(&m, p, end); continue; }
    if ((*p == '[' || *p == '{') && ++depth > MAX_NESTING) {   /* skipped to its matching close */
      const char *q = p + 1;
      int inner = 1;
      while (q < end && inner > 0) {
        if (*q == '"') { q = string_end(q, end); continue; }
        if (*q == '[' || *q == '{') inner++;
        else if (*q == ']' || *q == '}') inner--;
        q++;
      }
      replace(&m, p, q, "null", MEND_DEEP);
      p = q;
      depth--;
      continue;
    }
    if (*p == '[' || *p == '{') {
      open[depth] = *p;
    } else if ((*p == ']' || *p == '}') && depth > 0) {
      if (--depth > 0) {                       /* an inner value complete: a place to cut */
        cut = m.b.len + (size_t)(p + 1 - m.last);
        cut_depth = depth;
      } else {
        closed = 1;                            /* the root: what follows is not the document */
      }
    } else if (*p == ',') {
      const char *q = p + 1;
      while (q < end && strchr(" \t\r\n", *q) && *q) q++;
      if (q < end && (*q == ']' || *q == '}')) replace(&m, p, p + 1, "", MEND_COMMA);
    } else if (*p == '-' || (*p >= '0' && *p <= '9')) {
      const char *q = number_end(p, end);
      if (number_too_big(p, q)) replace(&m, p, q, "null", MEND_NUMBER);
      p = q;
      continue;
    }
    p++;
  }
  if (!closed && depth > 0 && cut > 0) {       /* cut short: up to the last inner value, closed */
    orr_buf_add(&m.b, m.last, (size_t)(end - m.last));
    m.last = end;
    if (orr_buf_ok(&m.b)) m.b.len = cut;
    for (; cut_depth > 0; cut_depth--) orr_buf_addc(&m.b, open[cut_depth] == '[' ? ']' : '}');
    m.done |= MEND_CUT;
  }
  if (m.done) orr_buf_add(&m.b, m.last, (size_t)(end - m.last));
  free(utf8);
  if (!m.done || !orr_buf_ok(&m.b)) { orr_buf_free(&m.b); return NULL; }
  *done = m.done;
  *outlen = m.b.len;
  return orr_buf_take(&m.b);
}
/* }====== */

orr_feed *orr_jsonfeed_parse(const char *data, size_t len, const orr_feed_opts *o,
                             char *err, size_t errlen) {
  json_error_t je;
  size_t mended_len;
  int done;
  char *mended = mend_json(data, len, &mended_len, &done);
  const char *text = mended ? mended : data;
  size_t text_len = mended ? mended_len : len;
  json_t *root = json_loadb(text, text_len, JSON_DISABLE_EOF_CHECK, &je);
  json_t *items;
  const char *version;
  orr_feed *f;
  jstate js;
  size_t i;
  if (root) {                                  /* (je.position: the bytes jansson read) */
    for (i = (size_t)je.position; i < text_len && strchr(" \t\r\n", text[i]) && text[i]; i++) {}
    if (i < text_len) done |= MEND_TAIL;
  }
  free(mended);
  if (root == NULL) {
    snprintf(err, errlen, "not a feed: JSON error at line %d: %s", je.line, je.text);
    return NULL;
  }
  version = str(root, "version");
  if (!json_is_object(root) || version == NULL || strstr(version, "jsonfeed.org/version/") == NULL) {
    snprintf(err, errlen, "not a feed: JSON, but not a JSON Feed (no jsonfeed.org version)");
    json_decref(root);
    return NULL;
  }
  f = orr_feed_new();
  if (f == NULL) goto oom;
  js.o = o;
  js.notes = &f->f[ORR_F_NOTES];
  js.oom = 0;
  f->format = strstr(version, "/version/1.1") ? "json11" : "json1";
  if (done) {                                  /* mended: flagged, as a recovered XML feed is */
    static const char *const said[] = { "bytes that are not UTF-8 read as Windows-1252",
      "line breaks and tabs in strings escaped", "characters XML does not allow dropped", "lone surrogates replaced",
      "values nested deeper than 64 levels dropped", "text after the JSON ignored",
      "commas before ']' or '}' dropped", "the document ends early: read up to its last complete value",
      "numbers too large for a double or a 64-bit integer read as null" };
    orr_buf b;
    int k;
    orr_buf_init(&b);
    orr_buf_adds(&b, "invalid JSON mended:");
    for (k = 0; k < (int)(sizeof said / sizeof *said); k++)
      if (done & (1 << k)) { orr_buf_adds(&b, b.len > 20 ? ", " : " "); orr_buf_adds(&b, said[k]); }
    f->bozo = 1;
    if ((f->bozo_message = orr_buf_take(&b)) == NULL) goto oom;
  }
  f->f[ORR_F_TITLE] = dup_or_null(str(root, "title"));
  f->f[ORR_F_LINK] = url(&js, str(root, "home_page_url"), ORR_URL_WEB, "site link");
  f->f[ORR_F_SUBTITLE] = escaped(str(root, "description"));
  set_authors(&js, root, f->f, ORR_F_AUTHOR, ORR_F_AUTHOR_NAME, ORR_F_AUTHOR_EMAIL, ORR_F_AUTHOR_URI);
  f->f[ORR_F_LANGUAGE] = dup_or_null(str(root, "language"));
  f->f[ORR_F_ID] = dup_or_null(str(root, "feed_url"));
  f->f[ORR_F_ICON] = url(&js, str(root, "icon") ? str(root, "icon") : str(root, "favicon"), ORR_URL_WEB, "icon");
  items = json_object_get(root, "items");
  for (i = 0; json_is_array(items) && i < json_array_size(items); i++) {
    json_t *it = json_array_get(items, i);
    orr_entry *e;
    if (!json_is_object(it)) continue;
    if ((e = orr_feed_add_entry(f)) == NULL || !parse_item(&js, it, e)) goto oom;
  }
  if (js.oom || !orr_feed_finish(f, 1)) goto oom;
  json_decref(root);
  return f;
oom:
  orr_feed_free(f);
  json_decref(root);
  snprintf(err, errlen, "out of memory");
  return NULL;
}
