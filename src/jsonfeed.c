/*
** jsonfeed.c — JSON Feed 1.0 and 1.1 (jsonfeed.org) to orr_feed, with jansson.
**
** The same normalized shape as feed.c gives for XML: content_html is sanitized HTML,
** content_text and summary (plain text in JSON Feed) become escaped HTML with content_type
** text/plain, dates are RFC 3339, URLs are resolved against the feed's address.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "date.h"
#include "feed.h"
#include "html.h"

static const char *str(json_t *o, const char *key) {
  json_t *v = json_object_get(o, key);
  return json_is_string(v) ? json_string_value(v) : NULL;
}

static char *dup_or_null(const char *s) { return s && *s ? strdup(s) : NULL; }

static char *url(const char *s, const orr_feed_opts *o) {
  return s && *s ? orr_url_resolve(s, o->url) : NULL;
}

static char *escaped(const char *s) {       /* plain text as HTML; absent when empty */
  return s && *s ? orr_html_escape(s) : NULL;
}

/* "name" of author (1.0) or the first of authors (1.1). */
static char *author(json_t *o) {
  json_t *a = json_object_get(o, "authors");
  if (json_is_array(a) && json_array_size(a) > 0) a = json_array_get(a, 0);
  else a = json_object_get(o, "author");
  return json_is_object(a) ? dup_or_null(str(a, "name")) : NULL;
}

static void date(json_t *o, const char *key, char **text, int64_t *t, int *has) {
  const char *s = str(o, key);
  if (s == NULL) return;
  *text = strdup(s);
  *has = orr_date_parse(s, t);
}

static int parse_item(json_t *it, orr_entry *e, const orr_feed_opts *o) {
  json_t *v = json_object_get(it, "id"), *a;
  const char *html = str(it, "content_html"), *text = str(it, "content_text");
  size_t i;
  char buf[64];
  memset(e, 0, sizeof *e);
  if (json_is_string(v)) e->f[ORR_E_ID] = dup_or_null(json_string_value(v));
  else if (json_is_integer(v)) {             /* 1.0 feeds in the wild use numbers */
    snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    e->f[ORR_E_ID] = strdup(buf);
  }
  e->f[ORR_E_TITLE] = dup_or_null(str(it, "title"));
  e->f[ORR_E_LINK] = url(str(it, "url"), o);
  if (e->f[ORR_E_LINK] == NULL) e->f[ORR_E_LINK] = url(str(it, "external_url"), o);
  e->f[ORR_E_AUTHOR] = author(it);
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
  if (json_is_array(a) && json_array_size(a) > 0) {
    e->tags = calloc(json_array_size(a), sizeof *e->tags);
    if (e->tags == NULL) return 0;
    e->captags = json_array_size(a);
    for (i = 0; i < json_array_size(a); i++) {
      json_t *t = json_array_get(a, i);
      if (json_is_string(t) && *json_string_value(t)) e->tags[e->ntags++] = strdup(json_string_value(t));
    }
  }
  a = json_object_get(it, "attachments");
  if (json_is_array(a) && json_array_size(a) > 0) {
    e->enc = calloc(json_array_size(a), sizeof *e->enc);
    if (e->enc == NULL) return 0;
    e->capenc = json_array_size(a);
    for (i = 0; i < json_array_size(a); i++) {
      json_t *t = json_array_get(a, i), *sz;
      if (!json_is_object(t) || str(t, "url") == NULL) continue;
      e->enc[e->nenc].href = url(str(t, "url"), o);
      e->enc[e->nenc].type = dup_or_null(str(t, "mime_type"));
      sz = json_object_get(t, "size_in_bytes");
      if (json_is_integer(sz)) {
        snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(sz));
        e->enc[e->nenc].length = strdup(buf);
      }
      e->nenc++;
    }
  }
  return 1;
}

orr_feed *orr_jsonfeed_parse(const char *data, size_t len, const orr_feed_opts *o,
                             char *err, size_t errlen) {
  json_error_t je;
  json_t *root = json_loadb(data, len, 0, &je);
  json_t *items;
  const char *version;
  orr_feed *f;
  size_t i;
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
  f = calloc(1, sizeof *f);
  if (f == NULL) goto oom;
  f->format = strstr(version, "/version/1.1") ? "json11" : "json1";
  f->f[ORR_F_TITLE] = dup_or_null(str(root, "title"));
  f->f[ORR_F_LINK] = url(str(root, "home_page_url"), o);
  f->f[ORR_F_SUBTITLE] = escaped(str(root, "description"));
  f->f[ORR_F_AUTHOR] = author(root);
  f->f[ORR_F_LANGUAGE] = dup_or_null(str(root, "language"));
  f->f[ORR_F_ID] = dup_or_null(str(root, "feed_url"));
  f->f[ORR_F_ICON] = url(str(root, "icon") ? str(root, "icon") : str(root, "favicon"), o);
  items = json_object_get(root, "items");
  if (json_is_array(items) && json_array_size(items) > 0) {
    f->entries = calloc(json_array_size(items), sizeof *f->entries);
    if (f->entries == NULL) goto oom;
    f->capentries = json_array_size(items);
    for (i = 0; i < json_array_size(items); i++) {
      json_t *it = json_array_get(items, i);
      if (!json_is_object(it)) continue;
      if (!parse_item(it, &f->entries[f->nentries++], o)) goto oom;
    }
  }
  json_decref(root);
  return f;
oom:
  orr_feed_free(f);
  json_decref(root);
  snprintf(err, errlen, "out of memory");
  return NULL;
}
