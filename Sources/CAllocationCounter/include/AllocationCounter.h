#ifndef SGDYN_ALLOCATION_COUNTER_H
#define SGDYN_ALLOCATION_COUNTER_H
#include <stdint.h>
/// Number of malloc/calloc/realloc calls in this process so far (0 forever where counting is unsupported).
uint64_t sgdyn_allocation_count(void);
/// 1 if this platform's allocator calls are being counted (glibc on Linux), else 0.
int sgdyn_allocation_counting_supported(void);
#endif
