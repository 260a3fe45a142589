/* Private to CSGDynamicsKernels: Philox4x32-10 and the ziggurat's fast path in three instruction sets
 * (portable C, AVX2, AVX-512), shared by NormalBlocks.c and EulerMaruyamaLanes.c.
 *
 * Every variant computes the same bits: Philox is integer arithmetic, the ziggurat's fast path is one
 * exact integer-to-double conversion, one multiplication and one comparison, and nothing is ever
 * contracted into a fused multiply-add (the pragma below), so a draw does not depend on the path that
 * made it. The exact slow path (wedges and tail) is scalar C, the same operations as the Swift
 * `CounterRNG.slowGaussian`, calling the same libm `exp` and `log`.
 *
 * Vector Philox keeps one counter per 64-bit lane (the 32-bit word in the low half, the high half is
 * ignored): vpmuludq then gives the full 32x32->64 product in place, with no shuffles or blends. */
#ifndef SGDYN_KERNEL_PRIMITIVES_H
#define SGDYN_KERNEL_PRIMITIVES_H
#include <math.h>
#include <stdint.h>
#include <string.h>

#pragma clang fp contract(off)

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define SGDYN_HAVE_X86 1
#endif

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

/* Instruction-set levels of the kernels. */
#define SGDYN_LEVEL_PORTABLE 0
#define SGDYN_LEVEL_AVX2 1
#define SGDYN_LEVEL_AVX512 2

/* The level in use (set by sgdyn_normal_blocks_set_level, else the best the processor has). */
int sgdyn_kernels_level(void);

/* x[i], x[i+1] side by side for i = 0...255, made once from the edge table `x` (the table is a fixed
   function of the ziggurat's constants, so every caller passes the same numbers). */
const double *zig_edge_pairs(const double *x);

/* ------------------------------------------------------------------------------------- scalar */

static inline __attribute__((always_inline)) void philox_scalar(uint32_t c[4], uint32_t k0, uint32_t k1) {
    uint32_t c0 = c[0], c1 = c[1], c2 = c[2], c3 = c[3], a = k0, b = k1;
    for (int r = 0; r < 10; r++) {
        if (r > 0) { a += PHILOX_W0; b += PHILOX_W1; }
        uint64_t p0 = (uint64_t)PHILOX_M0 * c0, p1 = (uint64_t)PHILOX_M1 * c2;
        uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ a, n1 = (uint32_t)p1;
        uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3 ^ b, n3 = (uint32_t)p0;
        c0 = n0; c1 = n1; c2 = n2; c3 = n3;
    }
    c[0] = c0; c[1] = c1; c[2] = c2; c[3] = c3;
}

/* Ziggurat fast path: layer i = w & 255, sign bit 8, uniform from the top 53 bits; NaN when rejected. */
static inline __attribute__((always_inline)) double zig_fast(uint64_t w, const double *x) {
    int i = (int)(w & 255);
    double u = (double)(w >> 11) * 0x1.0p-53;
    double z = u * x[i];
    int accept = z < x[i + 1];
    uint64_t bits;
    memcpy(&bits, &z, 8);
    bits ^= (w & 256) << 55;   /* branch-free sign */
    memcpy(&z, &bits, 8);
    return accept ? z : NAN;
}

/* One tail trial beyond r (Ziggurat.tail): 1 and the value when accepted, else 0. */
static inline int zig_tail(uint64_t w, double *out) {
    const double r = 3.6541528853610088;
    double t1 = ((double)(w >> 32) + 0.5) * 0x1.0p-32, t2 = ((double)(w & 0xFFFFFFFFu) + 0.5) * 0x1.0p-32;
    double x = -log(t1) / r;
    double y = -log(t2);
    if (2 * y > x * x) { *out = r + x; return 1; }
    return 0;
}

/* The exact retry loop of one rejected draw: CounterRNG.slowGaussian, operation for operation, resumed at
   retry `attempt` with the word `w` of the current attempt (attempt 0: the first word, rejected by the
   fast path), in the tail with `tailSign` when `inTail`. `x` are the ziggurat edges x[0...256], `f` the
   heights f(x_i). */
static double __attribute__((noinline, unused))
zig_slow_from(uint64_t seed, uint32_t stream, int64_t path, int64_t step, int block, int lane, uint32_t attempt,
              uint64_t w, int inTail, double tailSign, const double *x, const double *f) {
    const uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
    const uint32_t tag = (stream ^ ((uint32_t)((uint64_t)path >> 32) << 16)) | 0x80000000u | ((uint32_t)lane << 30);
    double t;
    for (;;) {
        uint32_t c[4] = {(uint32_t)block ^ (attempt << 24), (uint32_t)step, (uint32_t)path, tag};
        philox_scalar(c, k0, k1);
        uint64_t w1 = (uint64_t)c[0] | ((uint64_t)c[1] << 32), w2 = (uint64_t)c[2] | ((uint64_t)c[3] << 32);
        attempt += 1;
        if (inTail) {
            if (zig_tail(w1, &t)) return tailSign * t;
            if (zig_tail(w2, &t)) return tailSign * t;
            continue;
        }
        int i = (int)(w & 255);
        double sign = (w & 256) == 0 ? 1 : -1;
        double u = (double)(w >> 11) * 0x1.0p-53;
        double z = u * x[i];
        if (z < x[i + 1]) return sign * z;
        if (i == 0) {
            if (zig_tail(w2, &t)) return sign * t;
            inTail = 1; tailSign = sign;
            if (zig_tail(w1, &t)) return sign * t;
            continue;
        }
        double u2 = ((double)(w2 >> 11) + 0.5) * 0x1.0p-53;
        double y = f[i + 1] + u2 * (f[i] - f[i + 1]);
        if (y < exp(-0.5 * z * z)) return sign * z;
        w = w1;
    }
}

static inline double zig_slow(uint64_t seed, uint32_t stream, int64_t path, int64_t step, int block, int lane,
                              uint64_t first, const double *x, const double *f) {
    return zig_slow_from(seed, stream, path, step, block, lane, 0, first, 0, 0, x, f);
}

#ifdef SGDYN_HAVE_X86
/* ---------------------------------------------------------------------------------------- AVX2 */

/* Philox on four counters per vector, N independent vectors interleaved (N <= 4). */
#define SGDYN_PHILOX_ROUNDS_256(N, C0, C1, C2, C3, K0, K1)                                                 \
    do {                                                                                                  \
        const __m256i m0_ = _mm256_set1_epi64x(PHILOX_M0), m1_ = _mm256_set1_epi64x(PHILOX_M1);           \
        uint32_t a_ = (K0), b_ = (K1);                                                                    \
        for (int r_ = 0; r_ < 10; r_++) {                                                                 \
            if (r_ > 0) { a_ += PHILOX_W0; b_ += PHILOX_W1; }                                             \
            const __m256i ka_ = _mm256_set1_epi64x(a_), kb_ = _mm256_set1_epi64x(b_);                     \
            for (int v_ = 0; v_ < (N); v_++) {                                                            \
                __m256i p0_ = _mm256_mul_epu32(C0[v_], m0_), p1_ = _mm256_mul_epu32(C2[v_], m1_);         \
                C0[v_] = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p1_, 32), C1[v_]), ka_);     \
                C2[v_] = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p0_, 32), C3[v_]), kb_);     \
                C1[v_] = p1_; C3[v_] = p0_;                                                               \
            }                                                                                             \
        }                                                                                                 \
    } while (0)

/* The 64-bit word lo | hi << 32 of each lane. */
__attribute__((target("avx2"), always_inline))
static inline __m256i word256(__m256i lo, __m256i hi) {
    return _mm256_or_si256(_mm256_and_si256(lo, _mm256_set1_epi64x(0xFFFFFFFFLL)), _mm256_slli_epi64(hi, 32));
}

/* Ziggurat fast path on four words, bitwise equal to zig_fast (NaN where rejected; mask bit q set
   then). The 53-bit integer w >> 11 is converted exactly as 2·double(w >> 12) + bit 11. */
__attribute__((target("avx2"), always_inline))
static inline __m256d zig_fast256(__m256i w, const double *x, int *rejectMask) {
    const __m256i magic = _mm256_set1_epi64x(0x4330000000000000LL);
    const __m256d two52 = _mm256_set1_pd(4503599627370496.0);
    uint64_t wq[4];
    _mm256_storeu_si256((__m256i *)wq, w);
    /* table lookups by scalar loads (hardware gathers are slow on AMD Zen before Zen 4) */
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

/* ------------------------------------------------------------------------------------- AVX-512 */

#define SGDYN_TARGET_AVX512 __attribute__((target("avx512f,avx512dq,avx512vl")))

/* Philox on eight counters per vector, N independent vectors interleaved; the three-way xor is one
   vpternlogq (0x96). */
#define SGDYN_PHILOX_ROUNDS_512(N, C0, C1, C2, C3, K0, K1) SGDYN_PHILOX_ROUNDS_512_FROM(0, 0, N, C0, C1, C2, C3, K0, K1)

/* Rounds FIRST ... 9 only (the state after FIRST rounds is in C0 ... C3); with ONLY_FIRST_WORD the last
   round computes only C0 and C1 (the first 64-bit word; C2 and C3 are then not Philox output). */
#define SGDYN_PHILOX_ROUNDS_512_FROM(FIRST, ONLY_FIRST_WORD, N, C0, C1, C2, C3, K0, K1)                    \
    do {                                                                                                  \
        const __m512i m0_ = _mm512_set1_epi64(PHILOX_M0), m1_ = _mm512_set1_epi64(PHILOX_M1);             \
        uint32_t a_ = (K0) + (FIRST) * PHILOX_W0, b_ = (K1) + (FIRST) * PHILOX_W1;                        \
        for (int r_ = (FIRST); r_ < 10; r_++) {                                                           \
            if (r_ > (FIRST)) { a_ += PHILOX_W0; b_ += PHILOX_W1; }                                       \
            const __m512i ka_ = _mm512_set1_epi64(a_), kb_ = _mm512_set1_epi64(b_);                       \
            for (int v_ = 0; v_ < (N); v_++) {                                                            \
                __m512i p1_ = _mm512_mul_epu32(C2[v_], m1_);                                              \
                if (!(ONLY_FIRST_WORD) || r_ < 9) {                                                       \
                    __m512i p0_ = _mm512_mul_epu32(C0[v_], m0_);                                          \
                    C2[v_] = _mm512_ternarylogic_epi64(_mm512_srli_epi64(p0_, 32), C3[v_], kb_, 0x96);    \
                    C3[v_] = p0_;                                                                         \
                }                                                                                         \
                C0[v_] = _mm512_ternarylogic_epi64(_mm512_srli_epi64(p1_, 32), C1[v_], ka_, 0x96);        \
                C1[v_] = p1_;                                                                             \
            }                                                                                             \
        }                                                                                                 \
    } while (0)

SGDYN_TARGET_AVX512 __attribute__((always_inline))
static inline __m512i word512(__m512i lo, __m512i hi) {
    /* (lo & 0xFFFFFFFF) | (hi << 32): bit-select with the low-half mask (0xCA = a ? b : c, a the mask) */
    return _mm512_ternarylogic_epi64(_mm512_set1_epi64(0xFFFFFFFFLL), lo, _mm512_slli_epi64(hi, 32), 0xCA);
}

/* Ziggurat fast path on eight words, bitwise equal to zig_fast (the 53-bit integer converts exactly);
   rejected lanes are NaN and set in the returned mask. `pairs[2i], pairs[2i+1]` = x[i], x[i+1]
   (zig_edge_pairs): one 16-byte load per lane fetches both, then two permutes sort them into the
   vectors of x[i] and x[i+1] (cheaper than two hardware gathers). */
SGDYN_TARGET_AVX512 __attribute__((always_inline))
static inline __m512d zig_fast512(__m512i w, const double *pairs, __mmask8 *rejected) {
    const __m512i i2 = _mm512_slli_epi64(_mm512_and_si512(w, _mm512_set1_epi64(255)), 1);
    uint64_t ix[8];
    _mm512_storeu_si512((void *)ix, i2);
    __m512d a = _mm512_castpd128_pd512(_mm_loadu_pd(pairs + ix[0]));
    a = _mm512_insertf64x2(a, _mm_loadu_pd(pairs + ix[1]), 1);
    a = _mm512_insertf64x2(a, _mm_loadu_pd(pairs + ix[2]), 2);
    a = _mm512_insertf64x2(a, _mm_loadu_pd(pairs + ix[3]), 3);
    __m512d b = _mm512_castpd128_pd512(_mm_loadu_pd(pairs + ix[4]));
    b = _mm512_insertf64x2(b, _mm_loadu_pd(pairs + ix[5]), 1);
    b = _mm512_insertf64x2(b, _mm_loadu_pd(pairs + ix[6]), 2);
    b = _mm512_insertf64x2(b, _mm_loadu_pd(pairs + ix[7]), 3);
    const __m512d xi = _mm512_permutex2var_pd(a, _mm512_setr_epi64(0, 2, 4, 6, 8, 10, 12, 14), b);
    const __m512d xi1 = _mm512_permutex2var_pd(a, _mm512_setr_epi64(1, 3, 5, 7, 9, 11, 13, 15), b);
    __m512d u = _mm512_mul_pd(_mm512_cvtepu64_pd(_mm512_srli_epi64(w, 11)), _mm512_set1_pd(0x1.0p-53));
    __m512d z = _mm512_mul_pd(u, xi);
    __mmask8 accept = _mm512_cmp_pd_mask(z, xi1, _CMP_LT_OQ);
    __m512i sign = _mm512_slli_epi64(_mm512_and_si512(w, _mm512_set1_epi64(256)), 55);
    z = _mm512_castsi512_pd(_mm512_xor_si512(_mm512_castpd_si512(z), sign));
    *rejected = (__mmask8)~accept;
    return _mm512_mask_blend_pd(accept, _mm512_set1_pd(NAN), z);
}
#endif

#endif
