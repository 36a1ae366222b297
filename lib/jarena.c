#include "jarena.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#define JARENA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define JARENA_ASAN 1
#endif
#endif

#ifdef JARENA_ASAN
#include <sanitizer/asan_interface.h>
/* Under AddressSanitizer the arena is poisoned except for the blocks handed
 * out, each followed by a poisoned red zone: an overflow, a use after the
 * scope ended and a free() of arena memory are all reported. */
#define REDZONE 16u
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define REDZONE 0u
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* Enough for the largest answer parsed (the tree of a 56 KB line-ups
 * answer takes about 190 KB); the pages never touched are never resident. */
#define JARENA_SIZE (1024u * 1024u)

/* Scopes deeper than this release their memory with the enclosing one. */
#define JARENA_DEPTH 16

/* Each thread its own arena: cJSON's hooks are global, so a thread that
 * is not in a scope (bf-renders' webhook thread, while the consume loop
 * is in one) must get malloc, and its frees free(). */
static _Thread_local struct {
	char *base;
	size_t used;
	int depth;
	size_t mark[JARENA_DEPTH]; /* used at each scope's begin */
} A;

static pthread_once_t hooks_once = PTHREAD_ONCE_INIT;

static bool in_arena(const void *p)
{
	uintptr_t u = (uintptr_t)p, b = (uintptr_t)A.base;

	return A.base != NULL && u >= b && u < b + JARENA_SIZE;
}

static void *ja_malloc(size_t n)
{
	if (A.depth > 0 && n > 0) {
		size_t need = ((n + 15) & ~(size_t)15) + REDZONE; /* malloc's alignment */
		/* need >= n: the rounding did not wrap (equal for multiples of 16) */
		if (need >= n && need <= JARENA_SIZE - A.used) {
			void *p = A.base + A.used;
			A.used += need;
			UNPOISON(p, n);
			return p;
		}
	}
	return malloc(n);
}

static void ja_free(void *p)
{
	if (!in_arena(p))
		free(p);
}

/* Once per process: outside this thread's scopes they are malloc and free. */
static void hook(void)
{
	cJSON_Hooks h = { .malloc_fn = ja_malloc, .free_fn = ja_free };

	cJSON_InitHooks(&h);
}

void jarena_begin(void)
{
	if (A.base == NULL) {
		A.base = malloc(JARENA_SIZE);
		if (A.base == NULL)
			return; /* plain malloc then */
		POISON(A.base, JARENA_SIZE);
		pthread_once(&hooks_once, hook);
	}
	if (A.depth == 0)
		A.used = 0;
	if (A.depth < JARENA_DEPTH)
		A.mark[A.depth] = A.used;
	A.depth++;
}

void jarena_end(void)
{
	if (A.depth == 0)
		return;
	if (--A.depth < JARENA_DEPTH && A.base != NULL) {
		/* what this scope allocated is free again, for the rest of the
		 * enclosing one (32 Plainly answers parsed in one batch's scope
		 * once filled the arena) */
		POISON(A.base + A.mark[A.depth], A.used - A.mark[A.depth]);
		A.used = A.mark[A.depth];
	}
}

bool jarena_active(void)
{
	return A.depth > 0;
}

char *jarena_own(char *s)
{
	return s != NULL && in_arena(s) ? strdup(s) : s;
}
