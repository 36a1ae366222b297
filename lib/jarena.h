/*
 * jarena: a bump allocator for cJSON trees that live and die within one
 * step: parse an answer, copy out what is needed, delete the tree; or
 * build a document, print it, delete it.  A 56 KB line-ups answer is
 * about 5,000 cJSON allocations, and malloc/free were a third of a
 * consumer's CPU.
 *
 * Between jarena_begin() and the matching jarena_end() (they nest), every
 * cJSON allocation comes from one block and cJSON's frees are no-ops;
 * jarena_end() drops what was allocated since its jarena_begin() at once,
 * an inner scope's memory too.  Nothing cJSON allocated inside may be used
 * after its scope, or freed with free(): pass a printed
 * string that must outlive the scope through jarena_own().  Outside a
 * scope cJSON allocates with malloc as usual, and a block that does not
 * fit in the arena comes from malloc too.  Each thread has its own arena
 * (another thread's cJSON calls, in a scope or not, never touch it).  Under
 * AddressSanitizer the arena is poisoned but for the blocks in use, each
 * with a red zone: overflows, uses after the scope and free() of arena
 * memory are reported as for malloc.
 */
#ifndef BF_JARENA_H
#define BF_JARENA_H

#include <stdbool.h>

void jarena_begin(void);
void jarena_end(void);
/* s itself, or a malloc'd copy if s lies in the arena (then NULL if out
 * of memory); free() the result. */
char *jarena_own(char *s);
/* Inside a scope (for tests). */
bool jarena_active(void);

#endif
