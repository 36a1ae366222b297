/*
 * strmap.h: the string -> index hash table both fakes use for their per-request lookups
 * (routes, counters, renders). Header-only, included by fake_sofascore.c and fake_plainly.c.
 */
#ifndef FAKES_STRMAP_H
#define FAKES_STRMAP_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NO_INDEX ((size_t)-1)

/* String -> array index, open addressing with linear probing. The keys are borrowed from the
 * indexed array (they must outlive the map); the first index stored for a key is kept. */
struct hslot {
    const char *key; /* NULL = empty */
    size_t idx;
};

struct hmap {
    struct hslot *s;
    size_t cap; /* 0 or a power of two */
    size_t n;
};

static size_t fnv1a(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ull;
    }
    return (size_t)h;
}

/* The index stored for key, or NO_INDEX. */
static size_t hmap_get(const struct hmap *m, const char *key)
{
    if (!m->cap)
        return NO_INDEX;
    for (size_t i = fnv1a(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (!m->s[i].key)
            return NO_INDEX;
        if (strcmp(m->s[i].key, key) == 0)
            return m->s[i].idx;
    }
}

/* Stores key -> idx unless key is already there; keeps the load factor <= 1/2. */
static void hmap_put(struct hmap *m, const char *key, size_t idx)
{
    size_t i;
    if ((m->n + 1) * 2 > m->cap) {
        struct hmap big = {NULL, m->cap ? m->cap * 2 : 16, 0};
        big.s = calloc(big.cap, sizeof *big.s);
        if (!big.s) {
            fputs("out of memory (hash table)\n", stderr);
            exit(1);
        }
        for (size_t k = 0; k < m->cap; k++)
            if (m->s[k].key)
                hmap_put(&big, m->s[k].key, m->s[k].idx);
        free(m->s);
        *m = big;
    }
    for (i = fnv1a(key) & (m->cap - 1); m->s[i].key; i = (i + 1) & (m->cap - 1))
        if (strcmp(m->s[i].key, key) == 0)
            return;
    m->s[i].key = key;
    m->s[i].idx = idx;
    m->n++;
}

static void hmap_free(struct hmap *m)
{
    free(m->s);
    m->s = NULL;
    m->cap = m->n = 0;
}

#endif
