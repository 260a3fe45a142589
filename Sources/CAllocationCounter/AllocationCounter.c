// Counts heap allocations for `sgdyn-bench` by interposing the C allocator entry points in the
// executable and forwarding to glibc's own implementations. Only the count is added; behaviour is
// unchanged.
#include "AllocationCounter.h"
#include <stddef.h>
#include <stdatomic.h>

#if defined(__linux__) && defined(__GLIBC__)
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);

static _Atomic uint64_t allocation_count = 0;

void *malloc(size_t n) {
    atomic_fetch_add_explicit(&allocation_count, 1, memory_order_relaxed);
    return __libc_malloc(n);
}
void *calloc(size_t a, size_t b) {
    atomic_fetch_add_explicit(&allocation_count, 1, memory_order_relaxed);
    return __libc_calloc(a, b);
}
void *realloc(void *p, size_t n) {
    atomic_fetch_add_explicit(&allocation_count, 1, memory_order_relaxed);
    return __libc_realloc(p, n);
}
void free(void *p) { __libc_free(p); }

uint64_t sgdyn_allocation_count(void) { return atomic_load_explicit(&allocation_count, memory_order_relaxed); }
int sgdyn_allocation_counting_supported(void) { return 1; }
#else
uint64_t sgdyn_allocation_count(void) { return 0; }
int sgdyn_allocation_counting_supported(void) { return 0; }
#endif
