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

/* A word: ASCII letters, and the bytes of letters past ASCII (UTF-8). */
static size_t word_len(const char *p) {
  size_t n = 0;
  while (isalpha((unsigned char)p[n]) || (unsigned char)p[n] >= 0x80) n++;
  return n;
}

/* The month a name gives: English, or the names in the languages whose blogs translate
** RFC 822's (a CMS's translation of "Mon, 07 Dec": "Mo, 07 Dez", "lun., 07 déc.", "Пн, 07
** дек"), which feedparser does not read either; a date with such a name was no date.  The
** longest name the word starts with wins ("juil" July over "juin"; full and genitive names
** start with these).  Other scripts than Latin are listed in the case dates write them. */
static int month_of(const char *p, size_t n) {
  static const struct { const char *name; unsigned char month; } names[] = {
    {"jan", 1}, {"jän", 1}, {"ene", 1}, {"gen", 1}, {"sty", 1}, {"led", 1}, {"tammi", 1}, {"oca", 1},
    {"feb", 2}, {"fév", 2}, {"fev", 2}, {"lut", 2}, {"úno", 2}, {"uno", 2}, {"helmi", 2}, {"şub", 2},
    {"mar", 3}, {"mär", 3}, {"mrt", 3}, {"bře", 3}, {"maalis", 3},
    {"apr", 4}, {"avr", 4}, {"abr", 4}, {"kwi", 4}, {"dub", 4}, {"huhti", 4}, {"nis", 4},
    {"may", 5}, {"mai", 5}, {"mei", 5}, {"mag", 5}, {"maj", 5}, {"kvě", 5}, {"touko", 5},
    {"jun", 6}, {"juin", 6}, {"giu", 6}, {"cze", 6}, {"čvn", 6}, {"čer", 6}, {"kesä", 6}, {"haz", 6},
    {"jul", 7}, {"juil", 7}, {"lug", 7}, {"lip", 7}, {"čvc", 7}, {"heinä", 7}, {"tem", 7},
    {"aug", 8}, {"aoû", 8}, {"aou", 8}, {"ago", 8}, {"sie", 8}, {"srp", 8}, {"elo", 8}, {"ağu", 8},
    {"sep", 9}, {"set", 9}, {"wrz", 9}, {"zář", 9}, {"syys", 9}, {"eyl", 9},
    {"oct", 10}, {"okt", 10}, {"ott", 10}, {"out", 10}, {"paź", 10}, {"říj", 10}, {"loka", 10}, {"eki", 10},
    {"nov", 11}, {"lis", 11}, {"marras", 11}, {"kas", 11},
    {"dec", 12}, {"déc", 12}, {"dez", 12}, {"dic", 12}, {"gru", 12}, {"pro", 12}, {"joulu", 12}, {"ara", 12},
    {"янв", 1}, {"Янв", 1}, {"фев", 2}, {"Фев", 2}, {"мар", 3}, {"Мар", 3}, {"апр", 4}, {"Апр", 4},
    {"мая", 5}, {"май", 5}, {"Май", 5}, {"мае", 5}, {"июн", 6}, {"Июн", 6}, {"июл", 7}, {"Июл", 7},
    {"авг", 8}, {"Авг", 8}, {"сен", 9}, {"Сен", 9}, {"окт", 10}, {"Окт", 10}, {"ноя", 11}, {"Ноя", 11},
    {"дек", 12}, {"Дек", 12},
  };
  size_t i, best_len = 0;
  int best = 0;
  unsigned char first = (unsigned char)p[0];
  if (n == 0) return 0;
  if (first >= 'A' && first <= 'Z') first |= 0x20;
  for (i = 0; i < sizeof names / sizeof *names; i++) {
    size_t len;
    if ((unsigned char)names[i].name[0] != first && (unsigned char)names[i].name[0] != (unsigned char)p[0]) continue;
    len = strlen(names[i].name);       /* (only a few names start with the word's letter) */
    if (len <= n && len > best_len && strncasecmp(p, names[i].name, len) == 0) {
      best = names[i].month;
      best_len = len;
    }
  }
  return best;
}

/* Does p go on ", DD Mon"? */
static int day_and_month(const char *p) {
  if (*p != ',') return 0;
  p = skip_ws(p);
  if (!isdigit((unsigned char)*p)) return 0;
  while (isdigit((unsigned char)*p)) p++;
  while (*p == ' ' || *p == '-' || *p == '.') p++;
  return month_of(p, word_len(p)) != 0;
}

/* RFC 822 and relatives: "[Wdy,] DD Mon YYYY hh:mm[:ss] [zone]" and the asctime-like
** "Wdy Mon DD hh:mm:ss [zone] YYYY". */
static int parse_rfc822(const char *p, int64_t *out) {
  int d = 0, mon = 0, y = -1, h = 0, mi = 0, s = 0, off = 0, n;
  p = skip_ws(p);
  /* weekday: a leading word that is not a month, or one that is but comes before a day and
  ** a month ("mar., 08 déc.": Tuesday in French and Spanish) */
  {
    size_t len = word_len(p), end = len + (p[len] == '.');
    if (len && (!month_of(p, len) || day_and_month(p + end))) p = skip_ws(p + end);
  }
  if (isdigit((unsigned char)*p)) {            /* DD Mon YYYY */
    digits(&p, 2, &d);
    while (*p == ' ' || *p == '-' || *p == ',') p++;
    {
      size_t len = word_len(p);
      if (!(mon = month_of(p, len))) return 0;
      p += len;
    }
    while (*p == ' ' || *p == '-' || *p == ',' || *p == '.') p++;
    n = digits(&p, 4, &y);
    if (n == 0) return 0;
    if (n <= 2) y += y < 50 ? 2000 : 1900;
    else if (n == 3) y += 1900;
  } else {                                     /* Mon DD [YYYY] (asctime and friends) */
    size_t len = word_len(p);
    if (!(mon = month_of(p, len))) return 0;
    p = skip_ws(p + len + (p[len] == '.'));
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
