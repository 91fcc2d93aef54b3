#!/usr/bin/env python3
"""Reference outputs the C kernel (langevin_step.c) checks itself against, from plain Python
reimplementations of the published algorithms:

- xoshiro256++ (Blackman & Vigna, https://prng.di.unimi.it/xoshiro256plusplus.c):
  result = rotl(s0 + s3, 23) + s0; t = s1 << 17; s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3;
  s2 ^= t; s3 = rotl(s3, 45).
- Philox4x64-10 (Salmon et al., SC 2011; Random123 philox.h): ten rounds of
  (hi0, lo0) = M0 * c0, (hi1, lo1) = M1 * c2,  c = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0),
  the key bumped by the Weyl constants (W0, W1) between rounds.

Run it to print the vectors (the C program has them as constants, and its --selftest checks
them); it also checks its own Philox against Random123's known-answer vectors (kat_vectors).
"""
MASK = (1 << 64) - 1
M0, M1 = 0xD2E7470EE14C6C93, 0xCA5A826395121157
W0, W1 = 0x9E3779B97F4A7C15, 0xBB67AE8584CAA73B


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK


def xoshiro(s, count):
    s = list(s)
    out = []
    for _ in range(count):
        out.append((rotl((s[0] + s[3]) & MASK, 23) + s[0]) & MASK)
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
    return out


def philox(ctr, key):
    c = list(ctr)
    k0, k1 = key
    for _ in range(10):
        p0, p1 = M0 * c[0], M1 * c[2]
        c = [(p1 >> 64) ^ c[1] ^ k0, p1 & MASK, (p0 >> 64) ^ c[3] ^ k1, p0 & MASK]
        k0, k1 = (k0 + W0) & MASK, (k1 + W1) & MASK
    return c


# Random123 kat_vectors, philox4x64 10 rounds: counter, key, expected output.
KAT = [
    ((0, 0, 0, 0), (0, 0),
     (0x16554d9eca36314c, 0xdb20fe9d672d0fdc, 0xd7e772cee186176b, 0x7e68b68aec7ba23b)),
    ((MASK, MASK, MASK, MASK), (MASK, MASK),
     (0x87b092c3013fe90b, 0x438c3c67be8d0224, 0x9cc7d7c69cd777b6, 0xa09caebf594f0ba0)),
    ((0x243f6a8885a308d3, 0x13198a2e03707344, 0xa4093822299f31d0, 0x082efa98ec4e6c89),
     (0x452821e638d01377, 0xbe5466cf34e90c6c),
     (0xa528f45403e61d95, 0x38c72dbd566e9788, 0xa5a1610e72fd18b5, 0x57bd43b5e52b7fe6)),
]

if __name__ == '__main__':
    for ctr, key, want in KAT:
        got = tuple(philox(ctr, key))
        print('philox KAT', 'ok' if got == want else 'FAILED', ' '.join('%016x' % w for w in got))
        assert got == want
    print('xoshiro256++ {1,2,3,4}:', ' '.join('%d' % w for w in xoshiro((1, 2, 3, 4), 6)))
    # The kernel's philox variant: key (seed, 0), counter (0, particle, step, stage << 32 | stream).
    for seed, particle, step, word3 in [(7, 0, 0, 0), (7, 12345, 3, (1 << 32) | 2)]:
        st = philox((0, particle, step, word3), (seed, 0))
        print('philox seed %d particle %d step %d word3 %x:' % (seed, particle, step, word3),
              ' '.join('%016x' % w for w in st), '-> xoshiro', ' '.join('%016x' % w for w in xoshiro(st, 3)))
