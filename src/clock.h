/*
** clock.h — CPU time of the calling thread, and a steady clock, for the per-stage accounts
** of a refresh (which thread spent how long parsing, sanitizing, fetching).
*/
#ifndef ORR_CLOCK_H
#define ORR_CLOCK_H

/* Seconds of CPU the calling thread has used (CLOCK_THREAD_CPUTIME_ID: nanoseconds, not
** the scheduler's ticks). */
double orr_thread_cpu(void);

/* Seconds on a steady clock (CLOCK_MONOTONIC: read without a system call, where the CPU
** clocks cost one, about 0.4 µs, too much around each of tens of thousands of short calls). */
double orr_clock_now(void);

#endif
