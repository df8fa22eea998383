/*
** feed.h — a feed document (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, CDF, JSON Feed 1.0/1.1) to the
** feed model (entry.h).
**
** Pure C over libxml2 and jansson.  The XML parser never loads external entities or DTDs,
** never touches the network, never substitutes entities (those a document declares itself
** are expanded beforehand, bounded: xmlinput.h), and keeps libxml2's default limits on depth
** and text size.  Ill-formed documents are recovered where possible and flagged (bozo, as
** feedparser calls it).
*/
#ifndef ORR_FEED_H
#define ORR_FEED_H

#include <stddef.h>

#include "entry.h"

/* Parse len bytes.  Returns a feed (free with orr_feed_free), or NULL with a message in
** err (size errlen) when the bytes are not a feed at all: not XML or JSON, an HTML page, an
** unknown root element, JSON that is no JSON Feed. */
orr_feed *orr_feed_parse(const char *data, size_t len, const orr_feed_opts *opts,
                         char *err, size_t errlen);

#endif
