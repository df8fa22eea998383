/*
** date.h — feed date parsing: RFC 822/1123 (RSS), RFC 3339/W3CDTF/ISO 8601 (Atom, dc:date)
** and the broken variants seen in the wild.  Results are seconds since the epoch, UTC.
*/
#ifndef ORR_DATE_H
#define ORR_DATE_H

#include <stdint.h>

/* Parse s; on success store UTC seconds in *out and return 1.  Return 0 if s is not a
** date we can read (the caller then decides the fallback; we never guess "now"). */
int orr_date_parse(const char *s, int64_t *out);

/* Seconds since the epoch for a proleptic Gregorian UTC date and time (no range checks). */
int64_t orr_date_from_civil(int64_t y, int mon, int d, int h, int mi, int s);

#endif
