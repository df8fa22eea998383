/*
** url.h — URLs from feeds: resolution against a base, and the two safety policies.
**
** Pure C (libxml2's URI code for the unusual cases).  Two policies, one per place a URL
** from a feed can end up:
**   - inside entry HTML (href, src, ...): orr_url_clean, feedparser's list of schemes that
**     cannot run script (http, https, ftp, mailto, ...);
**   - in a field of the feed model (an entry's link, a feed's site, an enclosure, an icon:
**     what templates put in href and src): orr_url_field, web addresses only (http and
**     https, and mailto where an email address belongs), read as a browser reads them.
*/
#ifndef ORR_URL_H
#define ORR_URL_H

#include <stddef.h>

/* Resolve ref against base without any safety check.  What RFC 3986 leaves out but
** browsers follow (spaces, '{', '|', '"' ...) is %-escaped first, and '\' read as '/' in the
** path against an http(s) base; escapes already there stay as written.  Returns a malloc'd
** URL (absolute, or ref as written when there is no base or it cannot be parsed); NULL if
** out of memory. */
char *orr_url_resolve(const char *ref, const char *base);

/* The policy for URLs inside entry HTML: ref resolved against base, with the characters
** browsers ignore removed, read as a browser reads it (orr_url_resolve; "https:host" as
** "https://host", "http:/\host" as "http://host").  Returns a malloc'd URL, absolute
** whenever base is an http(s) URL, or NULL if its scheme can run script (javascript:,
** data:, vbscript:, anything off the list), if it names no host or does not resolve
** against such a base (it would be read against the planet's own address), or out of
** memory. */
char *orr_url_clean(const char *ref, const char *base);

/* 1 if orr_url_clean(ref, base) would return ref unchanged whatever the base: an absolute
** URL with a safe scheme and nothing to remove (the sanitizer's fast path). */
int orr_url_clean_absolute(const char *ref);

/* 1 if url has no scheme or one orr_url_clean allows. */
int orr_url_scheme_ok(const char *url);

/* What a field may hold (orr_url_field). */
enum { ORR_URL_WEB = 0,        /* http and https */
       ORR_URL_WEB_OR_MAIL };  /* those and mailto (an author's address) */

/* The policy for URLs in the fields of the feed model.  ref is read the way a browser
** reads an href: spaces and C0 controls at the ends and tabs and newlines anywhere are
** ignored, character references in the scheme are decoded, the scheme compares without
** case.  A relative ref is resolved against base, which must then be a web address (with
** no base at all it is kept relative: it has no scheme).  The result is an http(s) URL
** with a host (no user:password@, no control characters, spaces or quotes) or, for
** ORR_URL_WEB_OR_MAIL, a mailto: URL.  Returns it
** (malloc'd), or NULL with why (a short phrase naming the cause, e.g. "a javascript: URL")
** written to why[whylen], also when out of memory ("out of memory"). */
char *orr_url_field(const char *ref, const char *base, int kind, char *why, size_t whylen);

#endif
