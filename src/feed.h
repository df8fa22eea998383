/*
** feed.h — feed documents (RSS 0.9x/1.0/2.0, Atom 0.3/1.0) to one normalized shape.
**
** Pure C over libxml2.  The parser never loads external entities or DTDs, never touches the
** network, never substitutes entities (declared entities are expanded only when small and
** plain), and keeps libxml2's default limits on depth and text size.  Ill-formed documents
** are recovered where possible and flagged (bozo, as feedparser calls it).
*/
#ifndef ORR_FEED_H
#define ORR_FEED_H

#include <stddef.h>
#include <stdint.h>

/* String fields of an entry; names in orr_entry_field_names (same order). */
enum {
  ORR_E_ID, ORR_E_TITLE, ORR_E_LINK, ORR_E_AUTHOR, ORR_E_SUMMARY, ORR_E_CONTENT,
  ORR_E_CONTENT_TYPE, ORR_E_PUBLISHED_TEXT, ORR_E_UPDATED_TEXT, ORR_E_COMMENTS,
  ORR_E_SUMMARY_TYPE,
  ORR_E_NFIELDS
};
/* String fields of a feed; names in orr_feed_field_names. */
enum {
  ORR_F_TITLE, ORR_F_LINK, ORR_F_SUBTITLE, ORR_F_AUTHOR, ORR_F_LANGUAGE, ORR_F_ID,
  ORR_F_UPDATED_TEXT, ORR_F_ICON, ORR_F_RIGHTS, ORR_F_GENERATOR, ORR_F_SUBTITLE_TYPE,
  ORR_F_NFIELDS
};
extern const char *const orr_entry_field_names[ORR_E_NFIELDS];
extern const char *const orr_feed_field_names[ORR_F_NFIELDS];

typedef struct orr_enclosure {
  char *href, *type, *length;      /* any may be NULL */
} orr_enclosure;

typedef struct orr_entry {
  char   *f[ORR_E_NFIELDS];        /* NULL = absent */
  int64_t published, updated;      /* UTC seconds, valid when has_* */
  int     has_published, has_updated;
  orr_enclosure *enc;  size_t nenc, capenc;
  char  **tags;        size_t ntags, captags;
} orr_entry;

typedef struct orr_feed {
  const char *format;              /* "rss20", "atom10", ... (static string) */
  int     bozo;                    /* not well-formed, recovered */
  char   *bozo_message;
  char   *f[ORR_F_NFIELDS];
  int64_t updated;
  int     has_updated;
  orr_entry *entries;  size_t nentries, capentries;
} orr_feed;

typedef struct orr_feed_opts {
  const char *url;                 /* document URL: the base of relative links (may be NULL) */
  const char *encoding;            /* charset from HTTP Content-Type (may be NULL) */
  int sanitize;                    /* sanitize HTML fields and resolve their URLs */
  int title_html;                  /* titles as feedparser gives them (sanitized HTML when the
                                      title is HTML) instead of plain text */
} orr_feed_opts;

/* Parse len bytes.  Returns a feed (free with orr_feed_free), or NULL with a message in
** err (size errlen) when the bytes are not a feed at all: not XML, an HTML page, or an
** unknown root element. */
orr_feed *orr_feed_parse(const char *data, size_t len, const orr_feed_opts *opts,
                         char *err, size_t errlen);
void orr_feed_free(orr_feed *feed);   /* NULL is fine */

/* JSON Feed 1.0/1.1 (jsonfeed.c); orr_feed_parse hands JSON documents to it. */
orr_feed *orr_jsonfeed_parse(const char *data, size_t len, const orr_feed_opts *opts,
                             char *err, size_t errlen);

#endif
