/*
** jsonfeed.h — JSON Feed 1.0 and 1.1 (jsonfeed.org) to the feed model (entry.h).
*/
#ifndef ORR_JSONFEED_H
#define ORR_JSONFEED_H

#include <stddef.h>

#include "entry.h"

/* Parse len bytes of JSON.  Returns a feed (orr_feed_free), or NULL with a message in err
** when they are no JSON, or JSON but no JSON Feed. */
orr_feed *orr_jsonfeed_parse(const char *data, size_t len, const orr_feed_opts *opts,
                             char *err, size_t errlen);

#endif
