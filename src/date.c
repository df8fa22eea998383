/*
** date.c — feed date parsing (see date.h).
**
** Two grammars, tried in order: ISO 8601 family (starts with 4 digits) and RFC 822 family
** (optional weekday, day, month name, year, time, zone).  Both accept the usual breakage:
** missing seconds, two-digit years, lowercase or full month names, zone names and
** military letters, "+hh:mm" in RFC 822 and "+hhmm" in ISO.  No locale, no TZ variable.
*/
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "date.h"

/* Days since 1970-01-01 of a civil date (H. Hinnant's algorithm, valid for all years). */
static int64_t days_from_civil(int64_t y, int m, int d) {
  int64_t era, yoe, doy, doe;
  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int64_t orr_date_from_civil(int64_t y, int mon, int d, int h, int mi, int s) {
  return days_from_civil(y, mon, d) * 86400 + (int64_t)h * 3600 + mi * 60 + s;
}

static const char *skip_ws(const char *p) {
  while (*p && (isspace((unsigned char)*p) || *p == ',')) p++;
  return p;
}

/* Read up to max digits; return count read (0 if none). */
static int digits(const char **pp, int max, int *val) {
  const char *p = *pp;
  int n = 0, v = 0;
  while (n < max && isdigit((unsigned char)*p)) { v = v * 10 + (*p - '0'); p++; n++; }
  if (n) { *val = v; *pp = p; }
  return n;
}

static int valid(int y, int mon, int d, int h, int mi, int s) {
  static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1 || mon < 1 || mon > 12 || d < 1 || d > mdays[mon - 1]) return 0;
  if (mon == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 0;
  return h >= 0 && h <= 24 && mi >= 0 && mi <= 59 && s >= 0 && s <= 60;
}

/* A numeric zone "+hh:mm", "+hhmm", "+hh"; returns offset seconds via *off. */
static int numeric_zone(const char **pp, int *off) {
  const char *p = *pp;
  int sign, hh = 0, mm = 0, n;
  if (*p != '+' && *p != '-') return 0;
  sign = *p == '-' ? -1 : 1;
  p++;
  n = digits(&p, 4, &hh);
  if (n == 4) { mm = hh % 100; hh /= 100; }
  else if (n == 3) { mm = hh % 100; hh /= 100; }
  else if (n >= 1) { if (*p == ':') { p++; if (!digits(&p, 2, &mm)) return 0; } }
  else return 0;
  if (hh > 23 || mm > 59) return 0;
  *off = sign * (hh * 3600 + mm * 60);
  *pp = p;
  return 1;
}

/* Named zones.  Unknown alphabetic zones are treated as UTC (as feedparser does). */
static int named_zone(const char **pp, int *off) {
  static const struct { const char *name; int hours; } zones[] = {
    {"UT", 0}, {"UTC", 0}, {"GMT", 0}, {"Z", 0},
    {"EST", -5}, {"EDT", -4}, {"CST", -6}, {"CDT", -5},
    {"MST", -7}, {"MDT", -6}, {"PST", -8}, {"PDT", -7},
    {"AST", -4}, {"ADT", -3}, {"HST", -10}, {"AKST", -9}, {"AKDT", -8},
    {"CET", 1}, {"CEST", 2}, {"EET", 2}, {"EEST", 3}, {"BST", 1}, {"IST", 5},
    {"JST", 9}, {"KST", 9}, {"AEST", 10}, {"AEDT", 11}, {"NZST", 12}, {"NZDT", 13},
  };
  const char *p = *pp;
  char name[8];
  size_t n = 0, i;
  while (isalpha((unsigned char)p[n]) && n < sizeof name - 1) { name[n] = p[n]; n++; }
  if (n == 0) return 0;
  name[n] = '\0';
  *pp = p + n;
  for (i = 0; i < sizeof zones / sizeof zones[0]; i++)
    if (strcasecmp(name, zones[i].name) == 0) { *off = zones[i].hours * 3600; goto tail; }
  if (n == 1) {          /* RFC 822 military zones: A-I = -1..-9, K-M = -10..-12, N-Y = +1..+12 */
    int c = toupper((unsigned char)name[0]);
    if (c >= 'A' && c <= 'I') *off = -(c - 'A' + 1) * 3600;
    else if (c >= 'K' && c <= 'M') *off = -(c - 'K' + 10) * 3600;
    else if (c >= 'N' && c <= 'Y') *off = (c - 'N' + 1) * 3600;
    else *off = 0;
  } else {
    *off = 0;
  }
tail:
  /* "GMT+2", "UTC-05:00" */
  p = *pp;
  if (*p == '+' || *p == '-') {
    int extra;
    if (numeric_zone(&p, &extra)) { *off += extra; *pp = p; }
  }
  return 1;
}

static int finish(int64_t y, int mon, int d, int h, int mi, int s, int off, int64_t *out) {
  if (!valid((int)y, mon, d, h, mi, s)) return 0;
  *out = orr_date_from_civil(y, mon, d, h, mi, s) - off;
  return 1;
}

/* Time "hh:mm[:ss[.frac]]"; returns 1 on success. */
static int clock_time(const char **pp, int *h, int *mi, int *s) {
  const char *p = *pp;
  *s = 0;
  if (digits(&p, 2, h) == 0 || *p != ':') return 0;
  p++;
  if (digits(&p, 2, mi) != 2) return 0;
  if (*p == ':') {
    p++;
    if (digits(&p, 2, s) != 2) return 0;
    if (*p == '.' || *p == ',') { p++; while (isdigit((unsigned char)*p)) p++; }
  }
  *pp = p;
  return 1;
}

/* ISO 8601 / RFC 3339 / W3CDTF, including compact "20040105T101010Z". */
static int parse_iso(const char *p, int64_t *out) {
  int y, mon = 1, d = 1, h = 0, mi = 0, s = 0, off = 0, n;
  n = digits(&p, 4, &y);
  if (n != 4) return 0;
  if (*p == '-') {
    p++;
    if (digits(&p, 2, &mon) == 0) return 0;
    if (*p == '-') { p++; if (digits(&p, 2, &d) == 0) return 0; }
  } else if (isdigit((unsigned char)*p)) {
    if (digits(&p, 2, &mon) != 2 || digits(&p, 2, &d) != 2) return 0;
  }
  if (*p == 'T' || *p == 't' || *p == ' ') {
    const char *q = p + 1;
    while (*q == ' ') q++;
    if (isdigit((unsigned char)*q)) {
      p = q;
      if (isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2])) {   /* compact hhmmss */
        if (digits(&p, 2, &h) != 2 || digits(&p, 2, &mi) != 2) return 0;
        digits(&p, 2, &s);
      } else if (!clock_time(&p, &h, &mi, &s)) {
        return 0;
      }
      while (*p == ' ') p++;
      if (*p == 'Z' || *p == 'z') p++;
      else if (*p == '+' || *p == '-') { if (!numeric_zone(&p, &off)) return 0; }
      else if (isalpha((unsigned char)*p)) named_zone(&p, &off);
    }
  } else if (*p == 'Z') {
    p++;
  }
  while (isspace((unsigned char)*p)) p++;
  if (*p) return 0;
  return finish(y, mon, d, h, mi, s, off, out);
}

static int month_of(const char *p, size_t n) {
  static const char *months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                 "jul", "aug", "sep", "oct", "nov", "dec"};
  int i;
  if (n < 3) return 0;
  for (i = 0; i < 12; i++)
    if (strncasecmp(p, months[i], 3) == 0) return i + 1;
  return 0;
}

/* RFC 822 and relatives: "[Wdy,] DD Mon YYYY hh:mm[:ss] [zone]" and the asctime-like
** "Wdy Mon DD hh:mm:ss [zone] YYYY". */
static int parse_rfc822(const char *p, int64_t *out) {
  int d = 0, mon = 0, y = -1, h = 0, mi = 0, s = 0, off = 0, n;
  p = skip_ws(p);
  /* weekday (or any leading word that is not a month) */
  {
    size_t len = 0;
    while (isalpha((unsigned char)p[len])) len++;
    if (len && !month_of(p, len)) p = skip_ws(p + len);
  }
  if (isdigit((unsigned char)*p)) {            /* DD Mon YYYY */
    digits(&p, 2, &d);
    while (*p == ' ' || *p == '-' || *p == ',') p++;
    {
      size_t len = 0;
      while (isalpha((unsigned char)p[len])) len++;
      if (!(mon = month_of(p, len))) return 0;
      p += len;
    }
    while (*p == ' ' || *p == '-' || *p == ',' || *p == '.') p++;
    n = digits(&p, 4, &y);
    if (n == 0) return 0;
    if (n <= 2) y += y < 50 ? 2000 : 1900;
    else if (n == 3) y += 1900;
  } else {                                     /* Mon DD [YYYY] (asctime and friends) */
    size_t len = 0;
    while (isalpha((unsigned char)p[len])) len++;
    if (!(mon = month_of(p, len))) return 0;
    p = skip_ws(p + len);
    if (!digits(&p, 2, &d)) return 0;
    p = skip_ws(p);
    if (isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2])) {
      digits(&p, 4, &y);
    }
  }
  p = skip_ws(p);
  if (isdigit((unsigned char)*p)) {
    if (!clock_time(&p, &h, &mi, &s)) return 0;
  }
  p = skip_ws(p);
  if (*p == '+' || *p == '-') { if (!numeric_zone(&p, &off)) return 0; }
  else if (isalpha((unsigned char)*p)) named_zone(&p, &off);
  p = skip_ws(p);
  if (y < 0) {                                 /* asctime: year after the zone */
    if (digits(&p, 4, &y) != 4) return 0;
    p = skip_ws(p);
  }
  if (*p == '(') { while (*p && *p != ')') p++; if (*p) p++; }   /* "(PST)" comments */
  p = skip_ws(p);
  if (*p) return 0;
  return finish(y, mon, d, h, mi, s, off, out);
}

int orr_date_parse(const char *s, int64_t *out) {
  const char *p;
  if (s == NULL) return 0;
  p = s;
  while (isspace((unsigned char)*p)) p++;
  if (*p == '\0') return 0;
  if (isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) &&
      isdigit((unsigned char)p[2]) && isdigit((unsigned char)p[3]))
    return parse_iso(p, out);
  return parse_rfc822(p, out);
}
