#ifndef SGDYN_NORMAL_BLOCKS_H
#define SGDYN_NORMAL_BLOCKS_H
#include <stdint.h>

/// Standard normals for 4 consecutive paths x `steps` consecutive steps x `components` components, by
/// Philox4x32-10 and the 256-layer ziggurat's fast path (the Swift `CounterRNG` layout):
/// counter (block, step, path mod 2^32, stream ^ ((path >> 32) << 16)), key (seed mod 2^32, seed >> 32);
/// words w0 = r0 | r1 << 32 and w1 = r2 | r3 << 32 give components 2*block and 2*block + 1.
///
/// out[(s * components + c) * 4 + q] holds the normal of path firstPath + q, step firstStep + s,
/// component c. A draw that the fast path rejects (about 1.2%) is written as NaN; its index into `out`
/// and its raw word are appended to rejectedAt and rawOut (each with room for all draws), and the count
/// is returned, so that the caller completes those draws with the exact slow path.
/// `table` is the ziggurat edge table x[0...256]. Bitwise equal to the scalar Swift code.
/// Uses AVX-512 (F, DQ, VL) or AVX2 when the processor has them (checked once at run time), portable C
/// otherwise; every path gives the same bits.
int sgdyn_normal_blocks4(uint64_t seed, uint32_t stream, int64_t firstPath, int64_t firstStep,
                         int steps, int components, const double *table, double *out, uint64_t *rawOut,
                         int32_t *rejectedAt);

/// The instruction set in use: 0 portable C, 1 AVX2, 2 AVX-512.
int sgdyn_normal_blocks_level(void);

/// The best instruction set this processor has (0, 1 or 2).
int sgdyn_normal_blocks_best_level(void);

/// Use instruction set `level` (0, 1, 2), or the best the processor has when it lacks `level` or
/// `level` is negative (for tests: every level must give the same draws).
void sgdyn_normal_blocks_set_level(int level);

/// Whether a SIMD path (AVX2 or AVX-512) is in use.
int sgdyn_normal_blocks_uses_avx2(void);

/// The best SIMD path when `enabled`, else the portable path (for tests: both must give the same draws).
void sgdyn_normal_blocks_set_avx2(int enabled);

#endif
