/*
** entry.c — the feed model's builders and rules (see entry.h).
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "date.h"
#include "entry.h"
#include "url.h"

const char *const orr_entry_field_names[ORR_E_NFIELDS] = {
  "id", "title", "link", "author_text", "summary", "content", "content_type",
  "published_text", "updated_text", "comments", "summary_type", "author", "author_email",
  "author_uri", "notes"
};
const char *const orr_feed_field_names[ORR_F_NFIELDS] = {
  "title", "link", "subtitle", "author_text", "language", "id", "updated_text", "icon",
  "rights", "generator", "subtitle_type", "author", "author_email", "author_uri", "notes"
};

/* ---- builders ------------------------------------------------------------------------ */

orr_feed *orr_feed_new(void) { return calloc(1, sizeof(orr_feed)); }

static void entry_free(orr_entry *e) {
  size_t j;
  for (j = 0; j < ORR_E_NFIELDS; j++) free(e->f[j]);
  for (j = 0; j < e->nenc; j++) { free(e->enc[j].href); free(e->enc[j].type); free(e->enc[j].length); }
  for (j = 0; j < e->ntags; j++) free(e->tags[j]);
  free(e->enc);
  free(e->tags);
  orr_person_free(&e->source_author);
}

/* Past ORR_MAX_ENTRIES the last half of the list is a ring: the newest entry takes the place
** of the oldest one there, entries_left counts them, orr_feed_finish puts it back in order. */
#define HALF (ORR_MAX_ENTRIES / 2)

orr_entry *orr_feed_add_entry(orr_feed *f) {
  orr_entry *e;
  if (f->nentries == ORR_MAX_ENTRIES) {
    e = &f->entries[HALF + f->entries_left++ % HALF];
    entry_free(e);
    memset(e, 0, sizeof *e);
    return e;
  }
  if (f->nentries == f->capentries) {
    size_t cap = f->capentries ? f->capentries * 2 : 16;
    orr_entry *t = realloc(f->entries, cap * sizeof *t);
    if (t == NULL) return NULL;
    f->entries = t;
    f->capentries = cap;
  }
  e = &f->entries[f->nentries++];
  memset(e, 0, sizeof *e);
  return e;
}

int orr_entry_add_tag(orr_entry *e, char *term) {
  size_t i;
  if (term == NULL) return 1;
  if (e->ntags == ORR_MAX_TAGS) {          /* (and no more comparing: that grew as n squared) */
    free(term);
    e->tags_left++;
    return 1;
  }
  for (i = 0; i < e->ntags; i++)
    if (strcmp(e->tags[i], term) == 0) { free(term); return 1; }
  if (e->ntags == e->captags) {
    size_t cap = e->captags ? e->captags * 2 : 4;
    char **t = realloc(e->tags, cap * sizeof *t);
    if (t == NULL) { free(term); return 0; }
    e->tags = t;
    e->captags = cap;
  }
  e->tags[e->ntags++] = term;
  return 1;
}

int orr_entry_add_enclosure(orr_entry *e, char *href, char *type, char *length) {
  /* an enclosure whose URL was refused (or never given) goes: a player without a target */
  if (href == NULL || e->nenc == ORR_MAX_ENCLOSURES) {
    free(href); free(type); free(length);
    if (href) e->enc_left++;
    return 1;
  }
  if (e->nenc == e->capenc) {
    size_t cap = e->capenc ? e->capenc * 2 : 2;
    orr_enclosure *t = realloc(e->enc, cap * sizeof *t);
    if (t == NULL) { free(href); free(type); free(length); return 0; }
    e->enc = t;
    e->capenc = cap;
  }
  e->enc[e->nenc].href = href;
  e->enc[e->nenc].type = type;
  e->enc[e->nenc].length = length;
  e->nenc++;
  return 1;
}

int orr_note(char **slot, const char *fmt, ...) {
  static const char more[] = "(more notes left out)";
  char line[400];
  size_t old = *slot ? strlen(*slot) : 0, n;
  char *s;
  va_list ap;
  /* bounded, or a document dropping 100,000 URLs made this quadratic (each line copied the
  ** ones before it) */
  if (old >= sizeof more - 1 && strcmp(*slot + old - (sizeof more - 1), more) == 0) return 1;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  n = strlen(line);
  if (old + 1 + n + 1 + sizeof more > ORR_NOTES_MAX) {
    memcpy(line, more, sizeof more);
    n = sizeof more - 1;
  }
  s = realloc(*slot, old + n + 2);
  if (s == NULL) return 0;
  if (old) s[old++] = '\n';
  memcpy(s + old, line, n + 1);
  *slot = s;
  return 1;
}

void orr_set_first(char **slot, char *v) {
  if (v == NULL) return;
  if (*slot == NULL) *slot = v; else free(v);
}

void orr_set_last(char **slot, char *v) {
  if (v == NULL) return;
  free(*slot);
  *slot = v;
}

void orr_set_date(char *v, char **text, int64_t *t, int *has) {
  int64_t when;
  if (v == NULL) return;
  if (!orr_date_parse(v, &when)) {
    if (!*has) orr_set_last(text, v); else free(v);
    return;
  }
  *t = when;
  *has = 1;
  orr_set_last(text, v);
}

char *orr_url_take(char *raw, const char *base, int kind, char **notes, const char *what, int *oom) {
  char why[120], *u, shown[64];
  size_t n;
  if (raw == NULL) return NULL;
  u = orr_url_field(raw, base, kind, why, sizeof why);
  if (u == NULL) {
    if (strcmp(why, "out of memory") == 0) *oom = 1;
    else {
      /* what was refused, cut short and without line breaks: the note is one line */
      for (n = 0; raw[n] && n < sizeof shown - 4; n++)
        shown[n] = (unsigned char)raw[n] < ' ' ? ' ' : raw[n];
      shown[n] = '\0';
      orr_utf8_uncut(shown);                  /* (cut between characters, not inside one) */
      if (raw[n]) strcat(shown, "...");
      if (!orr_note(notes, "%s dropped: %s (\"%s\")", what, why, shown)) *oom = 1;
    }
  }
  free(raw);
  return u;
}

void orr_person_free(orr_person *p) {
  free(p->name); free(p->email); free(p->uri);
  p->name = p->email = p->uri = NULL;
}

/* ---- authors --------------------------------------------------------------------------- */

static int looks_like_email(const char *s, size_t n) {
  const char *at = memchr(s, '@', n);
  size_t i;
  if (at == NULL || at == s || at == s + n - 1) return 0;
  for (i = 0; i < n; i++) if ((unsigned char)s[i] <= ' ' || s[i] == '(' || s[i] == '<') return 0;
  return 1;
}

static char *span_dup(const char *s, size_t n) {
  char *d;
  while (n && (unsigned char)*s <= ' ') { s++; n--; }
  while (n && (unsigned char)s[n - 1] <= ' ') n--;
  if (n == 0) return NULL;
  d = malloc(n + 1);
  if (d) { memcpy(d, s, n); d[n] = '\0'; }
  return d;
}

void orr_author_read(const char *text, orr_person *p) {
  size_t n = strlen(text);
  const char *open = NULL, *close = NULL;
  char *name = NULL, *email = NULL;
  while (n && (unsigned char)text[n - 1] <= ' ') n--;
  while (n && (unsigned char)*text <= ' ') { text++; n--; }
  if (n && (text[n - 1] == ')' || text[n - 1] == '>')) {
    char o = text[n - 1] == ')' ? '(' : '<';
    close = text + n - 1;
    for (open = close; open > text && *open != o; open--) {}
    if (*open != o) open = NULL;
  }
  if (strncasecmp(text, "mailto:", 7) == 0) { text += 7; n -= 7; }
  if (open) {
    const char *in = open + 1, *out = text;
    size_t inn = (size_t)(close - in), outn = (size_t)(open - text);
    if (strncasecmp(in, "mailto:", 7) == 0 && inn >= 7) { in += 7; inn -= 7; }
    if (looks_like_email(in, inn)) { email = span_dup(in, inn); name = span_dup(out, outn); }
    else if (looks_like_email(out, outn) || (outn > 0 && looks_like_email(out, outn - (out[outn - 1] == ' ')))) {
      size_t en = outn;
      while (en && (unsigned char)out[en - 1] <= ' ') en--;
      email = span_dup(out, en);
      name = span_dup(in, inn);
    }
  }
  if (!name && !email) {
    if (looks_like_email(text, n)) email = span_dup(text, n);
    else name = span_dup(text, n);
  }
  if (p->name == NULL) p->name = name; else free(name);
  if (p->email == NULL) p->email = email; else free(email);
}

/* The model's reading of one author: the structured parts the parser found (name, email,
** uri fields), completed from the text as written. */
static void read_author(char **f, int text_i, int name_i, int email_i, int uri_i) {
  orr_person p = { f[name_i], f[email_i], f[uri_i] };
  if (f[text_i] && p.name == NULL && p.email == NULL) orr_author_read(f[text_i], &p);
  f[name_i] = p.name;
  f[email_i] = p.email;
}

static int copy_person(char **name, char **email, char **uri, const orr_person *from) {
  *name = from->name ? strdup(from->name) : NULL;
  *email = from->email ? strdup(from->email) : NULL;
  *uri = from->uri ? strdup(from->uri) : NULL;
  return (!from->name || *name) && (!from->email || *email) && (!from->uri || *uri);
}

static int has_author(char **f, int name_i, int email_i, int uri_i) {
  return f[name_i] || f[email_i] || f[uri_i];
}

/* JSON Feed 1.1's authors as one: every name, the first email and URI. */
static int join_authors(const orr_person *a, size_t n, orr_person *out) {
  orr_buf b;
  size_t i;
  memset(out, 0, sizeof *out);
  orr_buf_init(&b);
  for (i = 0; i < n; i++) {
    if (a[i].name) { if (b.len) orr_buf_adds(&b, ", "); orr_buf_adds(&b, a[i].name); }
    if (!out->email && a[i].email) out->email = strdup(a[i].email);
    if (!out->uri && a[i].uri) out->uri = strdup(a[i].uri);
  }
  if (!orr_buf_ok(&b)) { orr_buf_free(&b); return 0; }
  out->name = b.len ? orr_buf_take(&b) : (orr_buf_free(&b), NULL);
  return 1;
}

/* ---- the rules at the end ----------------------------------------------------------------- */

/* Every string handed out is valid UTF-8 holding only XML's characters: bytes a parser let
** through from a document with a wrong encoding become U+FFFD, C1 controls their
** Windows-1252 characters ("don&#146;t" is "don't" in every browser), and what XML does
** not allow (a control character base64 decoded into a field) is dropped: the planet's own
** Atom and RSS feeds carry these strings.  With `valid` (libxml2's text of a well-formed
** document, which has none of those) only C1 controls are looked for.  Returns 0 if out
** of memory. */
static int fix_str(char **slot, int valid) {
  int bad;
  char *r;
  size_t n;
  if (*slot == NULL) return 1;
  n = strlen(*slot);
  r = valid ? orr_utf8_map_c1(*slot, n, &bad) : orr_utf8_repair(*slot, n, &bad);
  if (bad) return 0;
  if (r) { free(*slot); *slot = r; }
  if (!valid) orr_xml_chars_strip(*slot, strlen(*slot));
  return 1;
}

static int make_utf8(orr_feed *f, int v) {
  size_t i, j;
  int ok = 1;
  for (j = 0; j < ORR_F_NFIELDS; j++) ok &= fix_str(&f->f[j], v);
  for (i = 0; i < f->nentries; i++) {
    orr_entry *e = &f->entries[i];
    for (j = 0; j < ORR_E_NFIELDS; j++) ok &= fix_str(&e->f[j], v);
    for (j = 0; j < e->ntags; j++) ok &= fix_str(&e->tags[j], v);
    for (j = 0; j < e->nenc; j++)
      ok &= fix_str(&e->enc[j].href, v) & fix_str(&e->enc[j].type, v) & fix_str(&e->enc[j].length, v);
  }
  return ok;
}

static void reverse(orr_entry *a, size_t n) {
  size_t i;
  for (i = 0; i < n / 2; i++) {
    orr_entry t = a[i];
    a[i] = a[n - 1 - i];
    a[n - 1 - i] = t;
  }
}

/* The ring of the last half (see orr_feed_add_entry) in the document's order again, and a
** note on the feed for what was left out. */
static int unring(orr_feed *f) {
  size_t k = f->entries_left % HALF;
  orr_entry *tail;
  if (f->entries_left == 0) return 1;
  tail = f->entries + HALF;
  reverse(tail, k);                     /* rotated left by k: its oldest first */
  reverse(tail + k, HALF - k);
  reverse(tail, HALF);
  return orr_note(&f->f[ORR_F_NOTES], "%zu entries left out: a document gives its first and its last %d",
                  f->entries_left, HALF);
}

int orr_feed_finish(orr_feed *f, int valid) {
  orr_person feed_author = { NULL, NULL, NULL };
  size_t i;
  read_author(f->f, ORR_F_AUTHOR, ORR_F_AUTHOR_NAME, ORR_F_AUTHOR_EMAIL, ORR_F_AUTHOR_URI);
  if (!has_author(f->f, ORR_F_AUTHOR_NAME, ORR_F_AUTHOR_EMAIL, ORR_F_AUTHOR_URI) && f->nauthors) {
    orr_person all;
    if (!join_authors(f->authors, f->nauthors, &all)) return 0;
    f->f[ORR_F_AUTHOR_NAME] = all.name;
    f->f[ORR_F_AUTHOR_EMAIL] = all.email;
    f->f[ORR_F_AUTHOR_URI] = all.uri;
  }
  if (!unring(f)) return 0;
  feed_author.name = f->f[ORR_F_AUTHOR_NAME];
  feed_author.email = f->f[ORR_F_AUTHOR_EMAIL];
  feed_author.uri = f->f[ORR_F_AUTHOR_URI];
  for (i = 0; i < f->nentries; i++) {
    orr_entry *e = &f->entries[i];
    char **ef = e->f;
    read_author(ef, ORR_E_AUTHOR, ORR_E_AUTHOR_NAME, ORR_E_AUTHOR_EMAIL, ORR_E_AUTHOR_URI);
    if (!has_author(ef, ORR_E_AUTHOR_NAME, ORR_E_AUTHOR_EMAIL, ORR_E_AUTHOR_URI)) {
      /* an entry without an author has its source's (Atom <source>), else the feed's */
      const orr_person *from = e->source_author.name || e->source_author.email || e->source_author.uri
                               ? &e->source_author : &feed_author;
      if (!copy_person(&ef[ORR_E_AUTHOR_NAME], &ef[ORR_E_AUTHOR_EMAIL], &ef[ORR_E_AUTHOR_URI], from))
        return 0;
    }
    if (e->tags_left && !orr_note(&ef[ORR_E_NOTES], "%zu more tags left out (an entry keeps %d)", e->tags_left,
                                  ORR_MAX_TAGS))
      return 0;
    if (e->enc_left && !orr_note(&ef[ORR_E_NOTES], "%zu more enclosures left out (an entry keeps %d)",
                                 e->enc_left, ORR_MAX_ENCLOSURES))
      return 0;
  }
  return make_utf8(f, valid);
}

void orr_feed_free_entries(orr_feed *f) {
  size_t i;
  for (i = 0; i < f->nentries; i++) entry_free(&f->entries[i]);
  free(f->entries);
  f->entries = NULL;
  f->nentries = f->capentries = f->entries_left = 0;
}

void orr_feed_free(orr_feed *f) {
  size_t i, j;
  if (f == NULL) return;
  orr_feed_free_entries(f);
  for (j = 0; j < ORR_F_NFIELDS; j++) free(f->f[j]);
  for (i = 0; i < f->nauthors; i++) orr_person_free(&f->authors[i]);
  free(f->authors);
  free(f->bozo_message);
  free(f);
}
