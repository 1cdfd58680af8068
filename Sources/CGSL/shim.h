// GSL, reached from Swift through this one header.
//
// Two things Swift cannot do directly live here as tiny inline C:
//  * turning off GSL's default error handler (which aborts the process); Swift code checks
//    results and status codes instead;
//  * giving GSL's samplers (gsl_ran_*) a generator that draws from DeadSalmon's own seeded,
//    path-derived xoshiro256** streams, so no sampler ever touches a global generator.
//
// xoshiro256** is from D. Blackman and S. Vigna, "Scrambled linear pseudorandom number
// generators", ACM Trans. Math. Softw. 47(4), 2021; reference code at prng.di.unimi.it.
#ifndef SALMON_CGSL_SHIM_H
#define SALMON_CGSL_SHIM_H

#include <stdint.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_erf.h>

/// Turns GSL's abort-on-error handler off; callers check return values instead.
static inline void salmon_gsl_error_handler_off(void) { (void)gsl_set_error_handler_off(); }

static inline uint64_t salmon_rotl64(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/// One xoshiro256** step on a 4-word state.
static inline uint64_t salmon_xoshiro256ss_next(uint64_t *s) {
    const uint64_t result = salmon_rotl64(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = salmon_rotl64(s[3], 45);
    return result;
}

static unsigned long salmon_xoshiro_gsl_get(void *state) {
    return (unsigned long)salmon_xoshiro256ss_next((uint64_t *)state);
}

/// Uniform on [0, 1) from the top 53 bits, as GSL expects of get_double.
static double salmon_xoshiro_gsl_get_double(void *state) {
    return (double)(salmon_xoshiro256ss_next((uint64_t *)state) >> 11) * 0x1.0p-53;
}

/// GSL's set hook (used only if someone calls gsl_rng_set): SplitMix64 expansion of the seed.
static void salmon_xoshiro_gsl_set(void *state, unsigned long seed) {
    uint64_t *s = (uint64_t *)state;
    uint64_t z = (uint64_t)seed;
    for (int i = 0; i < 4; i++) {
        z += 0x9E3779B97F4A7C15ULL;
        uint64_t x = z;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
        s[i] = x ^ (x >> 31);
    }
}

/// The GSL generator type whose state is a DeadSalmon stream's four xoshiro256** words.
static inline const gsl_rng_type *salmon_xoshiro256ss_gsl_type(void) {
    static const gsl_rng_type type = {
        "xoshiro256**", 0xFFFFFFFFFFFFFFFFUL, 0UL, 4 * sizeof(uint64_t),
        &salmon_xoshiro_gsl_set, &salmon_xoshiro_gsl_get, &salmon_xoshiro_gsl_get_double
    };
    return &type;
}

#endif
