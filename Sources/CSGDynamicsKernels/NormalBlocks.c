#include "NormalBlocks.h"
#include <math.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define SGDYN_HAVE_X86 1
#endif

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

/* Ziggurat fast path: layer i = w & 255, sign bit 8, uniform from the top 53 bits. */
static inline double zig_fast(uint64_t w, const double *x) {
    int i = (int)(w & 255);
    double u = (double)(w >> 11) * 0x1.0p-53;
    double z = u * x[i];
    int accept = z < x[i + 1];
    /* branch-free sign: bit 8 of w moved to the sign bit (the sign is a coin flip, a branch on it mispredicts half the time) */
    uint64_t bits;
    memcpy(&bits, &z, 8);
    bits ^= (w & 256) << 55;
    memcpy(&z, &bits, 8);
    return accept ? z : NAN;
}

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

#ifdef SGDYN_HAVE_X86
__attribute__((target("avx2"), always_inline))
static inline void philox8_avx2(const uint32_t in0[8], const uint32_t in1[8], const uint32_t in2[8], const uint32_t in3[8],
                         uint32_t k0, uint32_t k1, uint32_t o0[8], uint32_t o1[8], uint32_t o2[8], uint32_t o3[8]) {
    __m256i c0 = _mm256_loadu_si256((const __m256i *)in0), c1 = _mm256_loadu_si256((const __m256i *)in1);
    __m256i c2 = _mm256_loadu_si256((const __m256i *)in2), c3 = _mm256_loadu_si256((const __m256i *)in3);
    const __m256i m0 = _mm256_set1_epi64x(PHILOX_M0), m1 = _mm256_set1_epi64x(PHILOX_M1);
    uint32_t a = k0, b = k1;
    for (int r = 0; r < 10; r++) {
        if (r > 0) { a += PHILOX_W0; b += PHILOX_W1; }
        /* 32x32 -> 64 products of the even lanes and (shifted down) of the odd lanes */
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
    _mm256_storeu_si256((__m256i *)o0, c0); _mm256_storeu_si256((__m256i *)o1, c1);
    _mm256_storeu_si256((__m256i *)o2, c2); _mm256_storeu_si256((__m256i *)o3, c3);
}
#endif

static int avx2_state = -1;   /* -1 unknown; written with relaxed atomics (every thread writes the same value) */

int sgdyn_normal_blocks_uses_avx2(void) {
    int state = __atomic_load_n(&avx2_state, __ATOMIC_RELAXED);
    if (state < 0) {
#ifdef SGDYN_HAVE_X86
        __builtin_cpu_init();
        state = __builtin_cpu_supports("avx2") ? 1 : 0;
#else
        state = 0;
#endif
        __atomic_store_n(&avx2_state, state, __ATOMIC_RELAXED);
    }
    return state;
}

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
__attribute__((target("avx2")))
static int normal_blocks4_avx2(uint64_t seed, uint32_t stream, int64_t firstPath, int64_t firstStep,
                                int steps, int components, const double *table, double *out, uint64_t *rawOut, int32_t *rejectedAt) {
    NORMAL_BLOCKS_BODY(philox8_avx2)
}
#endif

int sgdyn_normal_blocks4(uint64_t seed, uint32_t stream, int64_t firstPath, int64_t firstStep,
                          int steps, int components, const double *table, double *out, uint64_t *rawOut, int32_t *rejectedAt) {
#ifdef SGDYN_HAVE_X86
    if (sgdyn_normal_blocks_uses_avx2()) {
        return normal_blocks4_avx2(seed, stream, firstPath, firstStep, steps, components, table, out, rawOut, rejectedAt);
    }
#endif
    return normal_blocks4_portable(seed, stream, firstPath, firstStep, steps, components, table, out, rawOut, rejectedAt);
}
