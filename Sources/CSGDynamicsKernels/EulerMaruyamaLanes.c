/* The fused Euler–Maruyama kernel of sgdyn_em_lanes (see EulerMaruyamaLanes.h).
 *
 * Up to 64 paths go together. Per chunk of a few steps the normals of all paths are drawn into a
 * buffer that stays in L1 (Philox on eight counters per AVX-512 vector, four independent vectors in
 * flight, then the ziggurat's fast path with gathers; rejections completed at once by the exact scalar
 * slow path), and the steps of the chunk then run over all paths with the positions in an L1 array,
 * so consecutive paths fill the vectors and the steps of independent paths overlap. The arithmetic of
 * a step is the Swift lane code's, operation for operation, with no contraction into FMA. */
#include "EulerMaruyamaLanes.h"
#include "KernelPrimitives.h"
#include <float.h>

#define MAXP (4 * SGDYN_EM_MAX_GROUPS)   /* paths per call (64) */
#define ZSTEPS 16                         /* normals per path and chunk: steps × d <= ZSTEPS */

/* The drift and the step, shared by every instruction set: `VT` is double, or a vector of doubles
   (clang vector extensions: element-wise IEEE operations, scalars broadcast). xs[i] holds coordinate i,
   zs[i] the normal of component i; xs is updated in place. `D` is the dimension (a constant where the
   caller specializes, so that the arrays live in registers). */
#define EM_STEP(VT, P, D, xs, zs)                                                                      \
    do {                                                                                               \
        VT b_[SGDYN_EM_MAX_DIMENSION];                                                                 \
        const int d_ = (D);                                                                            \
        if ((P)->drift == SGDYN_EM_DRIFT_DOUBLE_WELL) {                                                \
            const double fh_ = 4 * (P)->height;                                                        \
            VT x0_ = xs[0];                                                                            \
            b_[0] = -((fh_ * x0_) * ((x0_ * x0_) - 1));                                                \
            if (d_ == 2) b_[1] = -xs[1];                                                               \
        } else {                                                                                       \
            const double *H_ = (P)->hessian, *c_ = (P)->center;                                        \
            for (int i_ = 0; i_ < d_; i_++) {                                                          \
                VT r_ = zero_;                                                                         \
                for (int j_ = 0; j_ < d_; j_++) r_ = r_ + H_[i_ * d_ + j_] * (xs[j_] - c_[j_]);        \
                b_[i_] = -r_;                                                                          \
            }                                                                                          \
        }                                                                                              \
        for (int i_ = 0; i_ < d_; i_++) {                                                              \
            VT noise_ = (P)->sigma * ((P)->sqrtStepSize * zs[i_]);                                     \
            xs[i_] = xs[i_] + ((P)->stepSize * b_[i_] + noise_);                                       \
        }                                                                                              \
    } while (0)

static inline double bound_of(const sgdyn_em_problem *p) {
    /* finite and not above bound2 <=> r2 <= B (r2 NaN fails either way) */
    return p->bound2 < INFINITY ? p->bound2 : DBL_MAX;
}

/* ------------------------------------------------------------------------------------ portable */

static void normals_portable(const sgdyn_em_problem *p, int64_t firstPath, int paths, int64_t step, int n, double *z) {
    const int d = p->dimension, blocks = (d + 1) / 2;
    const uint32_t k0 = (uint32_t)p->seed, k1 = (uint32_t)(p->seed >> 32);
    for (int s = 0; s < n; s++) {
        for (int b = 0; b < blocks; b++) {
            for (int q = 0; q < paths; q++) {
                int64_t path = firstPath + q;
                uint32_t c[4] = {(uint32_t)b, (uint32_t)(step + s), (uint32_t)path,
                                 p->stream ^ ((uint32_t)((uint64_t)path >> 32) << 16)};
                philox_scalar(c, k0, k1);
                for (int w = 0; w < 2 && 2 * b + w < d; w++) {
                    uint64_t word = w == 0 ? ((uint64_t)c[0] | ((uint64_t)c[1] << 32)) : ((uint64_t)c[2] | ((uint64_t)c[3] << 32));
                    double v = zig_fast(word, p->edges);
                    if (v != v) v = zig_slow(p->seed, p->stream, path, step + s, b, w, word, p->edges, p->heights);
                    z[(s * d + 2 * b + w) * MAXP + q] = v;
                }
            }
        }
    }
}

static int steps_portable(const sgdyn_em_problem *p, int paths, int n, double *X, const double *z, uint64_t alive, uint64_t *bad) {
    const int d = p->dimension;
    const double B = bound_of(p);
    const double zero_ = 0.0;
    for (int s = 0; s < n; s++) {
        uint64_t fail = 0;
        for (int q = 0; q < paths; q++) {
            double xs[SGDYN_EM_MAX_DIMENSION], zs[SGDYN_EM_MAX_DIMENSION];
            for (int i = 0; i < d; i++) { xs[i] = X[i * MAXP + q]; zs[i] = z[(s * d + i) * MAXP + q]; }
            EM_STEP(double, p, d, xs, zs);
            double r2 = 0;
            for (int i = 0; i < d; i++) { X[i * MAXP + q] = xs[i]; r2 = r2 + xs[i] * xs[i]; }
            if (!(r2 <= B)) fail |= (uint64_t)1 << q;
        }
        if (fail & alive) { *bad = fail & alive; return s + 1; }
    }
    *bad = 0;
    return n;
}

#ifdef SGDYN_HAVE_X86
/* ----------------------------------------------------------------------------------------- AVX2 */

typedef double v4d __attribute__((vector_size(32)));

__attribute__((target("avx2")))
static void normals_avx2(const sgdyn_em_problem *p, int64_t firstPath, int paths, int64_t step, int n, double *z) {
    const int d = p->dimension, blocks = (d + 1) / 2, nv = (paths + 3) / 4;
    const uint32_t k0 = (uint32_t)p->seed, k1 = (uint32_t)(p->seed >> 32);
    const __m256i iota = _mm256_setr_epi64x(0, 1, 2, 3), stream = _mm256_set1_epi64x(p->stream);
    for (int s = 0; s < n; s++) {
        for (int b = 0; b < blocks; b++) {
            for (int v0 = 0; v0 < nv; v0 += 4) {
                __m256i c0[4], c1[4], c2[4], c3[4];
                for (int v = 0; v < 4; v++) {
                    __m256i path = _mm256_add_epi64(_mm256_set1_epi64x(firstPath + 4 * (v0 + v)), iota);
                    c0[v] = _mm256_set1_epi64x(b);
                    c1[v] = _mm256_set1_epi64x((uint32_t)(step + s));
                    c2[v] = path;
                    c3[v] = _mm256_xor_si256(stream, _mm256_slli_epi64(_mm256_srli_epi64(path, 32), 16));
                }
                SGDYN_PHILOX_ROUNDS_256(4, c0, c1, c2, c3, k0, k1);
                for (int v = v0; v < v0 + 4 && v < nv; v++) {
                    for (int w = 0; w < 2 && 2 * b + w < d; w++) {
                        __m256i words = w == 0 ? word256(c0[v - v0], c1[v - v0]) : word256(c2[v - v0], c3[v - v0]);
                        int bad;
                        double *out = z + (s * d + 2 * b + w) * MAXP + 4 * v;
                        _mm256_storeu_pd(out, zig_fast256(words, p->edges, &bad));
                        if (bad) {
                            uint64_t raw[4];
                            _mm256_storeu_si256((__m256i *)raw, words);
                            for (int l = 0; l < 4; l++) if (bad & (1 << l))
                                out[l] = zig_slow(p->seed, p->stream, firstPath + 4 * v + l, step + s, b, w, raw[l], p->edges, p->heights);
                        }
                    }
                }
            }
        }
    }
}

#define STEPS_AVX2(D)                                                                                  \
    for (int s = 0; s < n; s++) {                                                                      \
        uint64_t fail = 0;                                                                             \
        for (int v = 0; v < nv; v++) {                                                                 \
            v4d xs[SGDYN_EM_MAX_DIMENSION], zs[SGDYN_EM_MAX_DIMENSION];                                \
            for (int i = 0; i < (D); i++) {                                                            \
                xs[i] = (v4d)_mm256_loadu_pd(X + i * MAXP + 4 * v);                                    \
                zs[i] = (v4d)_mm256_loadu_pd(z + (s * (D) + i) * MAXP + 4 * v);                        \
            }                                                                                          \
            EM_STEP(v4d, p, (D), xs, zs);                                                              \
            v4d r2 = zero_;                                                                            \
            for (int i = 0; i < (D); i++) {                                                            \
                _mm256_storeu_pd(X + i * MAXP + 4 * v, (__m256d)xs[i]);                                \
                r2 = r2 + xs[i] * xs[i];                                                               \
            }                                                                                          \
            int ok = _mm256_movemask_pd(_mm256_cmp_pd((__m256d)r2, B, _CMP_LE_OQ));                    \
            fail |= (uint64_t)(~ok & 15) << (4 * v);                                                   \
        }                                                                                              \
        if (fail & alive) { *bad = fail & alive; return s + 1; }                                       \
    }

__attribute__((target("avx2")))
static int steps_avx2(const sgdyn_em_problem *p, int paths, int n, double *X, const double *z, uint64_t alive, uint64_t *bad) {
    const int d = p->dimension, nv = (paths + 3) / 4;
    const __m256d B = _mm256_set1_pd(bound_of(p));
    const v4d zero_ = {0, 0, 0, 0};
    *bad = 0;
    switch (d) {
    case 1: STEPS_AVX2(1) break;
    case 2: STEPS_AVX2(2) break;
    default: STEPS_AVX2(d) break;
    }
    return n;
}

/* -------------------------------------------------------------------------------------- AVX-512 */

typedef double v8d __attribute__((vector_size(64)));

/* The draws the fast path rejected in one chunk, to be completed by the slow path: their words and
   their indices (s·d + c)·MAXP + q into the chunk's normals (step s, component c, path q). */
typedef struct { uint64_t word[ZSTEPS * MAXP + 8]; int64_t index[ZSTEPS * MAXP + 8]; int count; } pending_draws;

/* The first retry of up to eight rejected draws at once: one Philox call for their retry words, and the
   wedge test y < exp(−z²/2) decided against bounds of exp from a vector polynomial (relative error below
   1e-14, margin 2^-40) so that glibc's exp, which the Swift code calls, is needed only when y falls
   between the bounds. Draws in the base strip, restarts and undecided tests continue in zig_slow_from,
   so every draw ends exactly as CounterRNG.slowGaussian would end it. */
SGDYN_TARGET_AVX512
static void complete_pending512(const sgdyn_em_problem *p, const pending_draws *list, double *out, int64_t firstPath, int64_t step0) {
    const uint32_t k0 = (uint32_t)p->seed, k1 = (uint32_t)(p->seed >> 32);
    const double *x = p->edges, *f = p->heights;
    const int d = p->dimension, count = list->count;
    for (int b0 = 0; b0 < count; b0 += 8) {
        const int n = count - b0 < 8 ? count - b0 : 8;
        int64_t cb[8], cs[8], cp[8], ct[8];
        int lanes[8];
        double zv[8];
        for (int l = 0; l < 8; l++) {
            const int e = b0 + (l < n ? l : 0);
            const int64_t index = list->index[e], row = index / MAXP;
            const int c = (int)(row % d);
            cb[l] = c >> 1; lanes[l] = c & 1;
            cs[l] = (uint32_t)(step0 + row / d); cp[l] = firstPath + index % MAXP;
            ct[l] = (p->stream ^ ((uint32_t)((uint64_t)cp[l] >> 32) << 16)) | 0x80000000u | ((uint32_t)lanes[l] << 30);
            int i = (int)(list->word[e] & 255);
            zv[l] = ((double)(list->word[e] >> 11) * 0x1.0p-53) * x[i];
        }
        __m512i c0[1] = {_mm512_loadu_si512((const void *)cb)}, c1[1] = {_mm512_loadu_si512((const void *)cs)};
        __m512i c2[1] = {_mm512_loadu_si512((const void *)cp)}, c3[1] = {_mm512_loadu_si512((const void *)ct)};
        SGDYN_PHILOX_ROUNDS_512(1, c0, c1, c2, c3, k0, k1);
        uint64_t w1[8], w2[8];
        _mm512_storeu_si512((void *)w1, word512(c0[0], c1[0]));
        _mm512_storeu_si512((void *)w2, word512(c2[0], c3[0]));
        /* exp(t), t = −z²/2 in [−6.7, 0]: t = k ln 2 + r, |r| <= ln2/2, e^r by its Taylor series to r^13 */
        const __m512d z = _mm512_loadu_pd(zv);
        const __m512d t = _mm512_mul_pd(_mm512_mul_pd(_mm512_set1_pd(-0.5), z), z);
        const __m512d k = _mm512_roundscale_pd(_mm512_mul_pd(t, _mm512_set1_pd(1.4426950408889634)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        __m512d r = _mm512_fnmadd_pd(k, _mm512_set1_pd(0x1.62e42fee00000p-1), t);
        r = _mm512_fnmadd_pd(k, _mm512_set1_pd(0x1.a39ef35793c76p-33), r);
        __m512d q = _mm512_set1_pd(1.0 / 6227020800.0);
        static const double taylor[13] = {1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0, 1.0 / 362880.0,
                                          1.0 / 40320.0, 1.0 / 5040.0, 1.0 / 720.0, 1.0 / 120.0, 1.0 / 24.0,
                                          1.0 / 6.0, 0.5, 1.0, 1.0};
        for (int j = 0; j < 13; j++) q = _mm512_fmadd_pd(q, r, _mm512_set1_pd(taylor[j]));
        const __m512d e = _mm512_scalef_pd(q, k);
        double lo[8], hi[8];
        _mm512_storeu_pd(lo, _mm512_mul_pd(e, _mm512_set1_pd(1.0 - 0x1.0p-40)));
        _mm512_storeu_pd(hi, _mm512_mul_pd(e, _mm512_set1_pd(1.0 + 0x1.0p-40)));
        for (int l = 0; l < n; l++) {
            const uint64_t w = list->word[b0 + l];
            double *o = out + list->index[b0 + l];
            const int64_t path = cp[l], step = step0 + (list->index[b0 + l] / MAXP) / d;
            const int i = (int)(w & 255);
            const double sign = (w & 256) == 0 ? 1 : -1;
            if (i != 0) {
                const double u2 = ((double)(w2[l] >> 11) + 0.5) * 0x1.0p-53;
                const double y = f[i + 1] + u2 * (f[i] - f[i + 1]);
                int accept = y < lo[l] ? 1 : y >= hi[l] ? 0 : y < exp(-0.5 * zv[l] * zv[l]);
                *o = accept ? sign * zv[l]
                            : zig_slow_from(p->seed, p->stream, path, step, (int)cb[l], lanes[l], 1, w1[l], 0, 0, x, f);
            } else {
                *o = zig_slow(p->seed, p->stream, path, step, (int)cb[l], lanes[l], w, x, f);
            }
        }
    }
}

SGDYN_TARGET_AVX512
static void normals_avx512(const sgdyn_em_problem *p, int64_t firstPath, int paths, int64_t step, int n, double *z) {
    const int d = p->dimension, blocks = (d + 1) / 2, nv = (paths + 7) / 8;
    const uint32_t k0 = (uint32_t)p->seed, k1 = (uint32_t)(p->seed >> 32);
    const __m512i iota = _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7), stream = _mm512_set1_epi64(p->stream);
    const double *pairs = zig_edge_pairs(p->edges);
    /* the stream word of the counter is the same for all paths unless they straddle a multiple of 2^32 */
    const int sameTag = ((uint64_t)firstPath >> 32) == ((uint64_t)(firstPath + 8 * nv - 1) >> 32);
    const uint32_t tag = p->stream ^ ((uint32_t)((uint64_t)firstPath >> 32) << 16);
    pending_draws pending;
    pending.count = 0;
    for (int s = 0; s < n; s++) {
        for (int b = 0; b < blocks; b++) {
            for (int v0 = 0; v0 < nv; v0 += 4) {
                __m512i c0[4], c1[4], c2[4], c3[4];
                if (sameTag) {
                    /* counters (b, step, path, tag) with only the path varying across lanes: the products
                       M0·b of round 1 and M1·n2 of round 2 are the same in every lane (scalars) */
                    const uint64_t p0 = (uint64_t)PHILOX_M0 * (uint32_t)b;
                    const uint32_t n2 = (uint32_t)(p0 >> 32) ^ tag ^ k1, n3 = (uint32_t)p0;
                    const uint64_t q1 = (uint64_t)PHILOX_M1 * n2;
                    const uint32_t a2 = k0 + PHILOX_W0, b2 = k1 + PHILOX_W1;
                    const __m512i r1 = _mm512_set1_epi64((uint32_t)(step + s) ^ k0);
                    const __m512i h2 = _mm512_set1_epi64((uint32_t)(q1 >> 32) ^ a2), l2 = _mm512_set1_epi64((uint32_t)q1);
                    const __m512i x2 = _mm512_set1_epi64(n3 ^ b2), m0 = _mm512_set1_epi64(PHILOX_M0), m1 = _mm512_set1_epi64(PHILOX_M1);
                    for (int v = 0; v < 4; v++) {
                        __m512i path = _mm512_add_epi64(_mm512_set1_epi64(firstPath + 8 * (v0 + v)), iota);
                        /* round 1 */
                        __m512i p1 = _mm512_mul_epu32(path, m1);
                        __m512i d0 = _mm512_xor_si512(_mm512_srli_epi64(p1, 32), r1), d1 = p1;
                        /* round 2: c2 = n2 and c3 = n3 are scalars */
                        __m512i e0 = _mm512_mul_epu32(d0, m0);
                        c0[v] = _mm512_xor_si512(d1, h2);
                        c1[v] = l2;
                        c2[v] = _mm512_xor_si512(_mm512_srli_epi64(e0, 32), x2);
                        c3[v] = e0;
                    }
                    if (d == 1) SGDYN_PHILOX_ROUNDS_512_FROM(2, 1, 4, c0, c1, c2, c3, k0, k1);
                    else SGDYN_PHILOX_ROUNDS_512_FROM(2, 0, 4, c0, c1, c2, c3, k0, k1);
                } else {
                    for (int v = 0; v < 4; v++) {
                        __m512i path = _mm512_add_epi64(_mm512_set1_epi64(firstPath + 8 * (v0 + v)), iota);
                        c0[v] = _mm512_set1_epi64(b);
                        c1[v] = _mm512_set1_epi64((uint32_t)(step + s));
                        c2[v] = path;
                        c3[v] = _mm512_xor_si512(stream, _mm512_slli_epi64(_mm512_srli_epi64(path, 32), 16));
                    }
                    SGDYN_PHILOX_ROUNDS_512(4, c0, c1, c2, c3, k0, k1);
                }
                for (int v = v0; v < v0 + 4 && v < nv; v++) {
                    for (int w = 0; w < 2 && 2 * b + w < d; w++) {
                        __m512i words = w == 0 ? word512(c0[v - v0], c1[v - v0]) : word512(c2[v - v0], c3[v - v0]);
                        __mmask8 bad;
                        double *out = z + (s * d + 2 * b + w) * MAXP + 8 * v;
                        _mm512_storeu_pd(out, zig_fast512(words, pairs, &bad));
                        /* branch-free: the rejected words and their indices, packed to the front */
                        const __m512i index = _mm512_add_epi64(_mm512_set1_epi64(out - z), iota);
                        _mm512_storeu_si512((void *)(pending.word + pending.count), _mm512_maskz_compress_epi64(bad, words));
                        _mm512_storeu_si512((void *)(pending.index + pending.count), _mm512_maskz_compress_epi64(bad, index));
                        pending.count += __builtin_popcount(bad);
                    }
                }
            }
        }
    }
    complete_pending512(p, &pending, z, firstPath, step);
}

#define STEPS_AVX512(D)                                                                                \
    for (int s = 0; s < n; s++) {                                                                      \
        uint64_t fail = 0;                                                                             \
        for (int v = 0; v < nv; v++) {                                                                 \
            v8d xs[SGDYN_EM_MAX_DIMENSION], zs[SGDYN_EM_MAX_DIMENSION];                                \
            for (int i = 0; i < (D); i++) {                                                            \
                xs[i] = (v8d)_mm512_loadu_pd(X + i * MAXP + 8 * v);                                    \
                zs[i] = (v8d)_mm512_loadu_pd(z + (s * (D) + i) * MAXP + 8 * v);                        \
            }                                                                                          \
            EM_STEP(v8d, p, (D), xs, zs);                                                              \
            v8d r2 = zero_;                                                                            \
            for (int i = 0; i < (D); i++) {                                                            \
                _mm512_storeu_pd(X + i * MAXP + 8 * v, (__m512d)xs[i]);                                \
                r2 = r2 + xs[i] * xs[i];                                                               \
            }                                                                                          \
            __mmask8 ok = _mm512_cmp_pd_mask((__m512d)r2, B, _CMP_LE_OQ);                              \
            fail |= (uint64_t)(uint8_t)~ok << (8 * v);                                                 \
        }                                                                                              \
        if (fail & alive) { *bad = fail & alive; return s + 1; }                                       \
    }

SGDYN_TARGET_AVX512
static int steps_avx512(const sgdyn_em_problem *p, int paths, int n, double *X, const double *z, uint64_t alive, uint64_t *bad) {
    const int d = p->dimension, nv = (paths + 7) / 8;
    const __m512d B = _mm512_set1_pd(bound_of(p));
    const v8d zero_ = {0, 0, 0, 0, 0, 0, 0, 0};
    *bad = 0;
    switch (d) {
    case 1: STEPS_AVX512(1) break;
    case 2: STEPS_AVX512(2) break;
    default: STEPS_AVX512(d) break;
    }
    return n;
}
#endif

int sgdyn_em_lanes(const sgdyn_em_problem *p, int64_t firstPath, int groups, int64_t step, int steps,
                   double *x, const uint8_t *alive, uint8_t *dead) {
    const int d = p->dimension, paths = 4 * groups;
    double X[SGDYN_EM_MAX_DIMENSION * MAXP] __attribute__((aligned(64)));
    double z[ZSTEPS * MAXP] __attribute__((aligned(64)));
    if (d < 1 || d > SGDYN_EM_MAX_DIMENSION || groups < 1 || groups > SGDYN_EM_MAX_GROUPS) return -1;
    uint64_t live = 0;
    for (int g = 0; g < groups; g++) {
        live |= (uint64_t)(alive[g] & 15) << (4 * g);
        for (int i = 0; i < d; i++) for (int q = 0; q < 4; q++) X[i * MAXP + 4 * g + q] = x[(g * d + i) * 4 + q];
    }
    for (int q = paths; q < MAXP; q++) for (int i = 0; i < d; i++) X[i * MAXP + q] = 0;
    const int chunk = ZSTEPS / d;
    int level = sgdyn_kernels_level(), done = 0;
    uint64_t bad = 0;
    while (done < steps) {
        int n = steps - done < chunk ? steps - done : chunk, k;
#ifdef SGDYN_HAVE_X86
        if (level >= SGDYN_LEVEL_AVX512) {
            normals_avx512(p, firstPath, paths, step + done, n, z);
            k = steps_avx512(p, paths, n, X, z, live, &bad);
        } else if (level == SGDYN_LEVEL_AVX2) {
            normals_avx2(p, firstPath, paths, step + done, n, z);
            k = steps_avx2(p, paths, n, X, z, live, &bad);
        } else
#endif
        {
            normals_portable(p, firstPath, paths, step + done, n, z);
            k = steps_portable(p, paths, n, X, z, live, &bad);
        }
        done += k;
        if (bad) break;
    }
    for (int g = 0; g < groups; g++) {
        dead[g] = (uint8_t)((bad >> (4 * g)) & 15);
        for (int i = 0; i < d; i++) for (int q = 0; q < 4; q++) x[(g * d + i) * 4 + q] = X[i * MAXP + 4 * g + q];
    }
    return done;
}
