/*
** clock.h — CPU time of the calling thread, for the per-stage accounts of a refresh
** (which thread spent how long parsing, sanitizing, fetching).
*/
#ifndef ORR_CLOCK_H
#define ORR_CLOCK_H

/* Seconds of CPU the calling thread has used (CLOCK_THREAD_CPUTIME_ID: nanoseconds, not
** the scheduler's ticks). */
double orr_thread_cpu(void);

#endif
