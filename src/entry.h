/*
** entry.h — the feed model: one normalized shape for every format (RSS, Atom, CDF, JSON
** Feed), its builders, and the rules every parsed feed goes through before anyone sees it.
**
** The parsers (feed.c for XML, jsonfeed.c for JSON) fill an orr_feed with the builders
** below, which apply the model's rules as values come in and at the end (orr_feed_finish):
** the URL policy on every URL field (orr_url_take: web addresses only; anything else is
** dropped and the entry gets a note saying so), enclosures without a usable URL dropped,
** at most ORR_MAX_TAGS tags and ORR_MAX_ENCLOSURES enclosures an entry (and notes of
** ORR_NOTES_MAX bytes),
** authors split into name, email and URI and inherited from the feed where an entry has
** none, every string valid UTF-8.  Parsers depend on this unit; it depends on none of them.
*/
#ifndef ORR_ENTRY_H
#define ORR_ENTRY_H

#include <stddef.h>
#include <stdint.h>

/* String fields of an entry; names in orr_entry_field_names (same order).  AUTHOR is the
** author as the document wrote it ("me@example.com (Jo)", feedparser's `author`); the
** model's reading of it is AUTHOR_NAME / AUTHOR_EMAIL / AUTHOR_URI.  NOTES: what the
** model's rules dropped, one line each. */
enum {
  ORR_E_ID, ORR_E_TITLE, ORR_E_LINK, ORR_E_AUTHOR, ORR_E_SUMMARY, ORR_E_CONTENT,
  ORR_E_CONTENT_TYPE, ORR_E_PUBLISHED_TEXT, ORR_E_UPDATED_TEXT, ORR_E_COMMENTS,
  ORR_E_SUMMARY_TYPE, ORR_E_AUTHOR_NAME, ORR_E_AUTHOR_EMAIL, ORR_E_AUTHOR_URI, ORR_E_NOTES,
  ORR_E_NFIELDS
};
/* String fields of a feed; names in orr_feed_field_names. */
enum {
  ORR_F_TITLE, ORR_F_LINK, ORR_F_SUBTITLE, ORR_F_AUTHOR, ORR_F_LANGUAGE, ORR_F_ID,
  ORR_F_UPDATED_TEXT, ORR_F_ICON, ORR_F_RIGHTS, ORR_F_GENERATOR, ORR_F_SUBTITLE_TYPE,
  ORR_F_AUTHOR_NAME, ORR_F_AUTHOR_EMAIL, ORR_F_AUTHOR_URI, ORR_F_NOTES,
  ORR_F_NFIELDS
};
extern const char *const orr_entry_field_names[ORR_E_NFIELDS];
extern const char *const orr_feed_field_names[ORR_F_NFIELDS];

typedef struct orr_enclosure {
  char *href, *type, *length;      /* any may be NULL */
} orr_enclosure;

/* An author as the parsers find one: any field may be NULL. */
typedef struct orr_person { char *name, *email, *uri; } orr_person;

/* What one entry keeps at most (what comes after is left out, and its notes say how much):
** no post has more, and each is stored, rendered and (tags) compared with the others. */
#define ORR_MAX_TAGS 256
#define ORR_MAX_ENCLOSURES 64
#define ORR_NOTES_MAX 4096         /* bytes of notes of one entry or feed */
/* Entries one document gives at most: its first half and its last half of these (feeds list
** their newest first, some their oldest first: either way the newest are kept).  Each costs
** about 2 kB until stored; 7 MB of minimal items were 240,000 entries and 430 MB. */
#define ORR_MAX_ENTRIES 10000

typedef struct orr_entry {
  char   *f[ORR_E_NFIELDS];        /* NULL = absent */
  int64_t published, updated;      /* UTC seconds, valid when has_* */
  int     has_published, has_updated;
  orr_enclosure *enc;  size_t nenc, capenc;
  char  **tags;        size_t ntags, captags;
  size_t  tags_left, enc_left;     /* past ORR_MAX_TAGS, ORR_MAX_ENCLOSURES: not kept */
  orr_person source_author;        /* Atom <source>'s author: inherited before the feed's */
} orr_entry;

typedef struct orr_feed {
  const char *format;              /* "rss20", "atom10", "json11", ... (static string) */
  int     bozo;                    /* not well-formed, recovered */
  char   *bozo_message;
  char   *f[ORR_F_NFIELDS];
  int64_t updated;
  int     has_updated;
  orr_entry *entries;  size_t nentries, capentries;
  size_t  entries_left;            /* past ORR_MAX_ENTRIES: left out (see orr_feed_add_entry) */
  orr_person *authors; size_t nauthors;   /* JSON Feed 1.1's list, inherited by items */
} orr_feed;

typedef struct orr_feed_opts {
  const char *url;                 /* document URL: the base of relative links (may be NULL) */
  const char *encoding;            /* charset from HTTP Content-Type (may be NULL) */
  int sanitize;                    /* sanitize HTML fields and resolve their URLs */
  int title_html;                  /* titles as feedparser gives them (sanitized HTML when the
                                      title is HTML) instead of plain text */
  int plain;                       /* set no text aside (xmlinput.h): for the checks that
                                      compare the two readings */
} orr_feed_opts;

/* ---- builders: each returns 0 when out of memory (and frees what it was given) ---- */

orr_feed  *orr_feed_new(void);
/* A zeroed entry to fill (valid until the next call); NULL if out of memory.  Past
** ORR_MAX_ENTRIES it is the oldest of the last half, emptied: that one is left out. */
orr_entry *orr_feed_add_entry(orr_feed *f);
int  orr_entry_add_tag(orr_entry *e, char *term);  /* takes term; a repeated term is dropped */
int  orr_entry_add_enclosure(orr_entry *e, char *href, char *type, char *length);
/* Append a line to a NOTES field (*slot), which keeps ORR_NOTES_MAX bytes (then one line
** says that more were left out); 0 if out of memory. */
int  orr_note(char **slot, const char *fmt, ...);

/* A URL field's value from the document: raw (taken; NULL is fine) read under the URL
** policy (url.h: orr_url_field of kind, relative to base).  Returns the URL to keep
** (malloc'd), or NULL: raw was NULL, or refused (then a note "what: why, dropped" goes to
** *notes), or out of memory (then *oom is set). */
char *orr_url_take(char *raw, const char *base, int kind, char **notes, const char *what, int *oom);

/* *slot = v unless it already has a value (the first wins); v is freed otherwise. */
void orr_set_first(char **slot, char *v);
/* *slot = v, freeing what was there (the last wins).  NULL v changes nothing. */
void orr_set_last(char **slot, char *v);
/* A date's text v (taken): the last readable one wins, as in feedparser; text is kept even
** when unreadable, unless a readable one was seen. */
void orr_set_date(char *v, char **text, int64_t *t, int *has);

void orr_person_free(orr_person *p);

/* An author written as text, the ways feeds write one: "jo@example.com (Jo Bloggs)",
** "Jo Bloggs (jo@example.com)", "Jo Bloggs <jo@example.com>", an address alone, a name
** alone.  Fills the name and email of p that are still NULL (malloc'd). */
void orr_author_read(const char *text, orr_person *p);

/* Apply the model's rules (see the header) to a feed the parser has built; valid tells that
** every string is already valid UTF-8 (then only C1 controls are looked for).  Returns 0 if
** out of memory. */
int orr_feed_finish(orr_feed *f, int valid);

void orr_feed_free(orr_feed *f);   /* NULL is fine */
/* Free f's entries (only): f has none after it. */
void orr_feed_free_entries(orr_feed *f);

#endif
