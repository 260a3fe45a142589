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


static int avx2_state = -1;   /* -1 unknown; written with relaxed atomics (every thread writes the same value) */

void sgdyn_normal_blocks_set_avx2(int enabled) {
    int state = 0;
#ifdef SGDYN_HAVE_X86
    __builtin_cpu_init();
    state = enabled && __builtin_cpu_supports("avx2") ? 1 : 0;
#endif
    __atomic_store_n(&avx2_state, state, __ATOMIC_RELAXED);
}

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

/* Ziggurat fast path on four 64-bit words, bitwise equal to zig_fast: the 53-bit integer w >> 11 is
   converted exactly as 2·double(w >> 12) + (bit 11), with double(w >> 12) < 2^52 by the 2^52 trick. */
__attribute__((target("avx2"), always_inline))
static inline __m256d zig_fast4(__m256i w, const double *x, int *rejectMask) {
    const __m256i magic = _mm256_set1_epi64x(0x4330000000000000LL);
    const __m256d two52 = _mm256_set1_pd(4503599627370496.0);
    /* table lookups by scalar loads (hardware gathers are slow on AMD Zen) */
    uint64_t wq[4];
    _mm256_storeu_si256((__m256i *)wq, w);
    const int i0 = (int)(wq[0] & 255), i1 = (int)(wq[1] & 255), i2 = (int)(wq[2] & 255), i3 = (int)(wq[3] & 255);
    __m256d xi = _mm256_setr_pd(x[i0], x[i1], x[i2], x[i3]), xi1 = _mm256_setr_pd(x[i0 + 1], x[i1 + 1], x[i2 + 1], x[i3 + 1]);
    __m256d hi = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(_mm256_srli_epi64(w, 12), magic)), two52);
    __m256i bit = _mm256_and_si256(_mm256_srli_epi64(w, 11), _mm256_set1_epi64x(1));
    __m256d low = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(bit, magic)), two52);
    __m256d u = _mm256_mul_pd(_mm256_add_pd(_mm256_add_pd(hi, hi), low), _mm256_set1_pd(0x1.0p-53));
    __m256d z = _mm256_mul_pd(u, xi);
    __m256d accept = _mm256_cmp_pd(z, xi1, _CMP_LT_OQ);
    __m256i sign = _mm256_slli_epi64(_mm256_and_si256(w, _mm256_set1_epi64x(256)), 55);
    z = _mm256_castsi256_pd(_mm256_xor_si256(_mm256_castpd_si256(z), sign));
    *rejectMask = (~_mm256_movemask_pd(accept)) & 15;
    return _mm256_blendv_pd(_mm256_set1_pd(NAN), z, accept);
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
                    __m256d z = zig_fast4(words, table, &mask);
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
