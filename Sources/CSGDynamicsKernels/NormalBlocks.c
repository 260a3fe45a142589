#include "NormalBlocks.h"
#include "KernelPrimitives.h"
#include <pthread.h>

/* Fill counters for 8 lanes: lane l = (s, q) with q = l & 3 (path), s = l >> 2 (step offset within a pair). */
static inline void lane_counters(int64_t firstPath, int64_t step0, int pairSteps, uint32_t stream,
                                 uint32_t c1[8], uint32_t c2[8], uint32_t c3[8]) {
    for (int l = 0; l < 8; l++) {
        int q = l & 3, s = l >> 2;
        int64_t p = firstPath + q;
        c1[l] = (uint32_t)(step0 + (s < pairSteps ? s : 0));
        c2[l] = (uint32_t)p;
        c3[l] = stream ^ ((uint32_t)(p >> 32) << 16);
    }
}

static inline __attribute__((always_inline)) void philox8_portable(const uint32_t in0[8], const uint32_t in1[8], const uint32_t in2[8], const uint32_t in3[8],
                             uint32_t k0, uint32_t k1, uint32_t o0[8], uint32_t o1[8], uint32_t o2[8], uint32_t o3[8]) {
    for (int l = 0; l < 8; l++) {
        uint32_t c0 = in0[l], c1 = in1[l], c2 = in2[l], c3 = in3[l], a = k0, b = k1;
        for (int r = 0; r < 10; r++) {
            if (r > 0) { a += PHILOX_W0; b += PHILOX_W1; }
            uint64_t p0 = (uint64_t)PHILOX_M0 * c0, p1 = (uint64_t)PHILOX_M1 * c2;
            uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ a, n1 = (uint32_t)p1;
            uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3 ^ b, n3 = (uint32_t)p0;
            c0 = n0; c1 = n1; c2 = n2; c3 = n3;
        }
        o0[l] = c0; o1[l] = c1; o2[l] = c2; o3[l] = c3;
    }
}


static int kernel_level = -1;   /* -1 unknown; written with relaxed atomics (every thread writes the same value) */

/* The best level this processor has. */
static int best_level(void) {
#ifdef SGDYN_HAVE_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
        return SGDYN_LEVEL_AVX512;
    if (__builtin_cpu_supports("avx2")) return SGDYN_LEVEL_AVX2;
#endif
    return SGDYN_LEVEL_PORTABLE;
}

static double edge_pairs[512] __attribute__((aligned(64)));
static const double *pair_source;
static pthread_once_t pairs_once = PTHREAD_ONCE_INIT;
static void make_pairs(void) {
    const double *x = __atomic_load_n(&pair_source, __ATOMIC_RELAXED);
    for (int i = 0; i < 256; i++) { edge_pairs[2 * i] = x[i]; edge_pairs[2 * i + 1] = x[i + 1]; }
}

const double *zig_edge_pairs(const double *x) {
    /* every caller stores the same pointer; make_pairs runs once, before any caller returns */
    __atomic_store_n(&pair_source, x, __ATOMIC_RELAXED);
    pthread_once(&pairs_once, make_pairs);
    return edge_pairs;
}

int sgdyn_kernels_level(void) {
    int level = __atomic_load_n(&kernel_level, __ATOMIC_RELAXED);
    if (level < 0) {
        level = best_level();
        __atomic_store_n(&kernel_level, level, __ATOMIC_RELAXED);
    }
    return level;
}

int sgdyn_normal_blocks_level(void) { return sgdyn_kernels_level(); }

int sgdyn_normal_blocks_best_level(void) { return best_level(); }

void sgdyn_normal_blocks_set_level(int level) {
    int best = best_level();
    if (level < 0 || level > best) level = best;
    __atomic_store_n(&kernel_level, level, __ATOMIC_RELAXED);
}

void sgdyn_normal_blocks_set_avx2(int enabled) {
    sgdyn_normal_blocks_set_level(enabled ? best_level() : SGDYN_LEVEL_PORTABLE);
}

int sgdyn_normal_blocks_uses_avx2(void) { return sgdyn_kernels_level() >= SGDYN_LEVEL_AVX2; }

/* The loop over step pairs and blocks, instantiated once with each Philox kernel so that the AVX2
   version is compiled as a whole for AVX2 (the Philox outputs stay in registers/L1). */
#define NORMAL_BLOCKS_BODY(PHILOX8)                                                                  \
    const uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);                                 \
    const int width = components, blocks = (components + 1) / 2;                                     \
    uint32_t c0[8], c1[8], c2[8], c3[8], r0[8], r1[8], r2[8], r3[8];                                 \
    int rejected = 0;                                                                                \
    for (int s0 = 0; s0 < steps; s0 += 2) {                                                          \
        int pair = steps - s0 >= 2 ? 2 : 1;                                                          \
        lane_counters(firstPath, firstStep + s0, pair, stream, c1, c2, c3);                          \
        for (int b = 0; b < blocks; b++) {                                                           \
            for (int l = 0; l < 8; l++) c0[l] = (uint32_t)b;                                         \
            PHILOX8(c0, c1, c2, c3, k0, k1, r0, r1, r2, r3);                                         \
            for (int l = 0; l < 4 * pair; l++) {                                                     \
                int q = l & 3, s = s0 + (l >> 2);                                                    \
                uint64_t wa = (uint64_t)r0[l] | ((uint64_t)r1[l] << 32);                             \
                int ia = ((s * width) + 2 * b) * 4 + q;                                              \
                double za = zig_fast(wa, table);                                                     \
                out[ia] = za;                                                                        \
                if (za != za) { rawOut[rejected] = wa; rejectedAt[rejected++] = ia; }                \
                if (2 * b + 1 < components) {                                                        \
                    uint64_t wb = (uint64_t)r2[l] | ((uint64_t)r3[l] << 32);                         \
                    double zb = zig_fast(wb, table);                                                 \
                    out[ia + 4] = zb;                                                                \
                    if (zb != zb) { rawOut[rejected] = wb; rejectedAt[rejected++] = ia + 4; }        \
                }                                                                                    \
            }                                                                                        \
        }                                                                                            \
    }                                                                                                \
    return rejected;

static int normal_blocks4_portable(uint64_t seed, uint32_t stream, int64_t firstPath, int64_t firstStep,
                                    int steps, int components, const double *table, double *out, uint64_t *rawOut, int32_t *rejectedAt) {
    NORMAL_BLOCKS_BODY(philox8_portable)
}

#ifdef SGDYN_HAVE_X86
/* Philox4x32-10 on 8 counters held in registers. */
__attribute__((target("avx2"), always_inline))
static inline void philox8_registers(__m256i *x0, __m256i *x1, __m256i *x2, __m256i *x3, uint32_t k0, uint32_t k1) {
    __m256i c0 = *x0, c1 = *x1, c2 = *x2, c3 = *x3;
    const __m256i m0 = _mm256_set1_epi64x(PHILOX_M0), m1 = _mm256_set1_epi64x(PHILOX_M1);
    uint32_t a = k0, b = k1;
    for (int r = 0; r < 10; r++) {
        if (r > 0) { a += PHILOX_W0; b += PHILOX_W1; }
        __m256i e0 = _mm256_mul_epu32(c0, m0), d0 = _mm256_mul_epu32(_mm256_srli_epi64(c0, 32), m0);
        __m256i e1 = _mm256_mul_epu32(c2, m1), d1 = _mm256_mul_epu32(_mm256_srli_epi64(c2, 32), m1);
        __m256i lo0 = _mm256_blend_epi32(e0, _mm256_slli_epi64(d0, 32), 0xAA);
        __m256i hi0 = _mm256_blend_epi32(_mm256_srli_epi64(e0, 32), d0, 0xAA);
        __m256i lo1 = _mm256_blend_epi32(e1, _mm256_slli_epi64(d1, 32), 0xAA);
        __m256i hi1 = _mm256_blend_epi32(_mm256_srli_epi64(e1, 32), d1, 0xAA);
        __m256i n0 = _mm256_xor_si256(_mm256_xor_si256(hi1, c1), _mm256_set1_epi32((int)a));
        __m256i n2 = _mm256_xor_si256(_mm256_xor_si256(hi0, c3), _mm256_set1_epi32((int)b));
        c0 = n0; c1 = lo1; c2 = n2; c3 = lo0;
    }
    *x0 = c0; *x1 = c1; *x2 = c2; *x3 = c3;
}

__attribute__((target("avx2")))
static int normal_blocks4_avx2(uint64_t seed, uint32_t stream, int64_t firstPath, int64_t firstStep,
                               int steps, int components, const double *table, double *out, uint64_t *rawOut,
                               int32_t *rejectedAt) {
    const uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
    const int width = components, blocks = (components + 1) / 2;
    uint32_t c1[8], c2[8], c3[8];
    int rejected = 0;
    for (int s0 = 0; s0 < steps; s0 += 2) {
        int pair = steps - s0 >= 2 ? 2 : 1;
        lane_counters(firstPath, firstStep + s0, pair, stream, c1, c2, c3);
        const __m256i v1 = _mm256_loadu_si256((const __m256i *)c1), v2 = _mm256_loadu_si256((const __m256i *)c2);
        const __m256i v3 = _mm256_loadu_si256((const __m256i *)c3);
        for (int b = 0; b < blocks; b++) {
            __m256i r0 = _mm256_set1_epi32(b), r1 = v1, r2 = v2, r3 = v3;
            philox8_registers(&r0, &r1, &r2, &r3, k0, k1);
            for (int w = 0; w < 2 && 2 * b + w < components; w++) {
                __m256i lo32 = w == 0 ? r0 : r2, hi32 = w == 0 ? r1 : r3;
                /* 64-bit words lo | hi << 32 of lanes (0,1,4,5) and (2,3,6,7); then lanes 0-3 and 4-7 */
                __m256i a = _mm256_unpacklo_epi32(lo32, hi32), c = _mm256_unpackhi_epi32(lo32, hi32);
                __m256i first = _mm256_permute2x128_si256(a, c, 0x20), second = _mm256_permute2x128_si256(a, c, 0x31);
                for (int s = 0; s < pair; s++) {
                    __m256i words = s == 0 ? first : second;
                    int mask;
                    __m256d z = zig_fast256(words, table, &mask);
                    int base = (((s0 + s) * width) + 2 * b + w) * 4;
                    _mm256_storeu_pd(out + base, z);
                    if (mask) {
                        uint64_t raw[4];
                        _mm256_storeu_si256((__m256i *)raw, words);
                        for (int q = 0; q < 4; q++) if (mask & (1 << q)) { rawOut[rejected] = raw[q]; rejectedAt[rejected++] = base + q; }
                    }
                }
            }
        }
    }
    return rejected;
}

/* Eight counters per vector: lanes (s, q) as in lane_counters, 64-bit lanes holding the 32-bit words;
   up to four (step pair, block) vectors go through Philox together. */
SGDYN_TARGET_AVX512
static int normal_blocks4_avx512(uint64_t seed, uint32_t stream, int64_t firstPath, int64_t firstStep,
                                 int steps, int components, const double *table, double *out, uint64_t *rawOut,
                                 int32_t *rejectedAt) {
    const uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
    const int width = components, blocks = (components + 1) / 2;
    const int pairs = (steps + 1) / 2, jobs = pairs * blocks;
    const double *edgePairs = zig_edge_pairs(table);
    int rejected = 0;
    for (int j0 = 0; j0 < jobs; j0 += 4) {
        const int n = jobs - j0 < 4 ? jobs - j0 : 4;
        __m512i c0[4], c1[4], c2[4], c3[4];
        int s0v[4], bv[4], pairv[4];
        for (int v = 0; v < 4; v++) {
            int job = j0 + (v < n ? v : 0), s0 = 2 * (job / blocks), b = job % blocks;
            int pair = steps - s0 >= 2 ? 2 : 1;
            uint32_t l1[8], l2[8], l3[8];
            lane_counters(firstPath, firstStep + s0, pair, stream, l1, l2, l3);
            c0[v] = _mm512_set1_epi64(b);
            c1[v] = _mm512_cvtepu32_epi64(_mm256_loadu_si256((const __m256i *)l1));
            c2[v] = _mm512_cvtepu32_epi64(_mm256_loadu_si256((const __m256i *)l2));
            c3[v] = _mm512_cvtepu32_epi64(_mm256_loadu_si256((const __m256i *)l3));
            s0v[v] = s0; bv[v] = b; pairv[v] = pair;
        }
        SGDYN_PHILOX_ROUNDS_512(4, c0, c1, c2, c3, k0, k1);
        for (int v = 0; v < n; v++) {
            const int s0 = s0v[v], b = bv[v], pair = pairv[v];
            for (int w = 0; w < 2 && 2 * b + w < components; w++) {
                __m512i words = w == 0 ? word512(c0[v], c1[v]) : word512(c2[v], c3[v]);
                __mmask8 bad;
                __m512d z = zig_fast512(words, edgePairs, &bad);
                double zs[8];
                _mm512_storeu_pd(zs, z);
                for (int s = 0; s < pair; s++) {
                    int base = (((s0 + s) * width) + 2 * b + w) * 4;
                    memcpy(out + base, zs + 4 * s, 4 * sizeof(double));
                }
                if (pair == 1) bad &= 15;
                if (bad) {
                    uint64_t raw[8];
                    _mm512_storeu_si512((void *)raw, words);
                    for (int l = 0; l < 8; l++) if (bad & (1 << l)) {
                        rawOut[rejected] = raw[l];
                        rejectedAt[rejected++] = (((s0 + (l >> 2)) * width) + 2 * b + w) * 4 + (l & 3);
                    }
                }
            }
        }
    }
    return rejected;
}
#endif

int sgdyn_normal_blocks4(uint64_t seed, uint32_t stream, int64_t firstPath, int64_t firstStep,
                          int steps, int components, const double *table, double *out, uint64_t *rawOut, int32_t *rejectedAt) {
#ifdef SGDYN_HAVE_X86
    int level = sgdyn_kernels_level();
    if (level >= SGDYN_LEVEL_AVX512) {
        return normal_blocks4_avx512(seed, stream, firstPath, firstStep, steps, components, table, out, rawOut, rejectedAt);
    }
    if (level == SGDYN_LEVEL_AVX2) {
        return normal_blocks4_avx2(seed, stream, firstPath, firstStep, steps, components, table, out, rawOut, rejectedAt);
    }
#endif
    return normal_blocks4_portable(seed, stream, firstPath, firstStep, steps, components, table, out, rawOut, rejectedAt);
}
