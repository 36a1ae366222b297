/*
 * test_jarena: lib/jarena.c, the cJSON arena (scopes, nesting, what
 * escapes through jarena_own, a tree too big for the arena); under
 * AddressSanitizer, that a use of arena memory after its scope is caught.
 */
#include <cjson/cJSON.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/jarena.h"
#include "tests/support/t.h"

#if defined(__SANITIZE_ADDRESS__)
#define ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ASAN 1
#endif
#endif

/* A document of n players, printed. */
static char *players_json(int n)
{
	cJSON *a = cJSON_CreateArray();
	char *s;

	for (int i = 0; i < n; i++) {
		cJSON *p = cJSON_CreateObject();
		cJSON_AddNumberToObject(p, "id", 1000 + i);
		cJSON_AddStringToObject(p, "name", "Rúben Dias");
		cJSON_AddNumberToObject(p, "rating", 7.3);
		cJSON_AddItemToArray(a, p);
	}
	s = cJSON_PrintUnformatted(a);
	cJSON_Delete(a);
	return s;
}

static void scope_parse_copy_out(void)
{
	char *text = players_json(50);
	char *kept, *printed;
	cJSON *root;

	REQUIRE(text != NULL);
	CHECK(!jarena_active());
	jarena_begin();
	CHECK(jarena_active());
	root = cJSON_Parse(text);
	REQUIRE(root != NULL);
	CHECK_INT(cJSON_GetArraySize(root), 50);
	CHECK_STR(cJSON_GetArrayItem(root, 49)->child->next->valuestring, "Rúben Dias");
	printed = cJSON_PrintUnformatted(root);
	kept = jarena_own(printed);
	REQUIRE(kept != NULL);
	/* in the arena: jarena_own copies */
	CHECK(kept != printed);
	CHECK_STR(kept, printed);
	cJSON_free(printed); /* a no-op in the arena */
	cJSON_Delete(root);
	jarena_end();
	CHECK(!jarena_active());

	/* the copy outlives the scope: a new scope reuses the arena from the start */
	jarena_begin();
	char *other = players_json(50);
	CHECK_STR(kept, text);
	cJSON_free(other);
	jarena_end();
	CHECK_STR(kept, text);
	free(kept);
	free(text);
}

static void nested_scopes_keep_the_outer_tree(void)
{
	cJSON *outer, *inner;

	jarena_begin();
	outer = cJSON_Parse("{\"a\": \"outer value\"}");
	REQUIRE(outer != NULL);
	jarena_begin();
	inner = cJSON_Parse("{\"b\": \"inner value\"}");
	REQUIRE(inner != NULL);
	cJSON_Delete(inner);
	jarena_end();
	/* the inner end does not drop the outer scope's memory */
	CHECK(jarena_active());
	for (int i = 0; i < 100; i++)
		cJSON_Delete(cJSON_Parse("{\"c\": \"more allocations after the inner scope\"}"));
	CHECK_STR(cJSON_GetObjectItem(outer, "a")->valuestring, "outer value");
	cJSON_Delete(outer);
	jarena_end();
	CHECK(!jarena_active());
	jarena_end(); /* one too many: harmless */
	CHECK(!jarena_active());
}

static void too_big_for_the_arena_falls_back_to_malloc(void)
{
	/* about 3 MB of tree: more than the arena holds */
	char *text = players_json(20000);
	cJSON *root;
	int n = 0;
	const cJSON *p;

	REQUIRE(text != NULL);
	jarena_begin();
	root = cJSON_Parse(text);
	REQUIRE(root != NULL);
	cJSON_ArrayForEach (p, root)
		n += cJSON_GetObjectItem(p, "id")->valueint == 1000 + n;
	CHECK_INT(n, 20000);
	char *s = jarena_own(cJSON_PrintUnformatted(root));
	CHECK_STR(s, text);
	cJSON_Delete(root); /* frees the malloc'd part, skips the arena part */
	jarena_end();
	free(s);
	free(text);
}

static void outside_a_scope_plain_malloc(void)
{
	char *s;

	jarena_begin(); /* hooks installed */
	jarena_end();
	s = cJSON_PrintUnformatted(cJSON_GetArrayItem(NULL, 0));
	CHECK(s == NULL);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "k", "v");
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	CHECK(jarena_own(s) == s);
	CHECK_STR(s, "{\"k\":\"v\"}");
	free(s); /* plain free is right outside a scope */
	CHECK(jarena_own(NULL) == NULL);
}

/* An inner scope's memory is free again at its end: a batch's scope that
 * parses one Plainly answer after another in inner scopes does not run
 * out of arena (32 answers once filled it and the rest went to malloc). */
static void inner_scopes_give_their_memory_back(void)
{
	char *text = players_json(300); /* a tree of about 100 KB */
	cJSON *outer, *t;
	char *probe, *own;

	REQUIRE(text != NULL);
	jarena_begin();
	outer = cJSON_Parse("{\"a\": \"outer value\"}");
	REQUIRE(outer != NULL);
	for (int i = 0; i < 40; i++) { /* 4 MB in all: four times the arena */
		jarena_begin();
		t = cJSON_Parse(text);
		REQUIRE(t != NULL);
		cJSON_Delete(t);
		jarena_end();
	}
	probe = cJSON_malloc(64);
	REQUIRE(probe != NULL);
	memcpy(probe, "probe", sizeof("probe"));
	own = jarena_own(probe);
	CHECK(own != probe); /* still arena memory: there was room */
	if (own != probe)
		free(own);
	else
		cJSON_free(probe);
	CHECK_STR(cJSON_GetObjectItem(outer, "a")->valuestring, "outer value");
	cJSON_Delete(outer);
	jarena_end();
	free(text);
}

/* Every size lands in the arena while it has room: a cJSON node is 64 bytes,
 * a multiple of the alignment, and those once all went to malloc. */
static void every_size_lands_in_the_arena(void)
{
	int outside = 0;

	jarena_begin();
	for (size_t n = 1; n <= 256; n++) {
		char *p = cJSON_malloc(n), *own;
		REQUIRE(p != NULL);
		memset(p, 'x', n - 1);
		p[n - 1] = '\0';
		own = jarena_own(p); /* a copy only when p is arena memory */
		if (own == p) {
			printf("# %zu bytes went to malloc\n", n);
			outside++;
			cJSON_free(p);
		} else {
			free(own);
		}
	}
	jarena_end();
	CHECK_INT(outside, 0);
}

/* Under ASan: a node read after its scope ended is reported (the child dies). */
static void use_after_scope_is_caught_under_asan(void)
{
#ifdef ASAN
	pid_t pid;
	int st = 0, fd[2];
	char report[4096];
	ssize_t got, n = 0;

	REQUIRE(pipe(fd) == 0);
	fflush(NULL);
	pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		cJSON *root;
		volatile char c;

		/* the report goes to the parent, not to the test output */
		close(fd[0]);
		dup2(fd[1], 2);
		jarena_begin();
		root = cJSON_Parse("{\"name\": \"Erling Haaland\"}");
		jarena_end();
		if (root == NULL)
			_exit(3);
		c = root->child->valuestring[0]; /* use after the scope: ASan aborts here */
		(void)c;
		_exit(0);
	}
	close(fd[1]);
	while (n < (ssize_t)sizeof(report) - 1 &&
	       (got = read(fd[0], report + n, sizeof(report) - 1 - (size_t)n)) > 0)
		n += got;
	report[n] = '\0';
	close(fd[0]);
	REQUIRE(waitpid(pid, &st, 0) == pid);
	CHECK(!(WIFEXITED(st) && WEXITSTATUS(st) == 0));
	CHECK(!(WIFEXITED(st) && WEXITSTATUS(st) == 3));
	CHECK(strstr(report, "use-after-poison") != NULL);
#else
	printf("# not an ASan build: nothing to check\n");
#endif
}

/*
 * Another thread's cJSON trees are its own: bf-renders' webhook thread
 * parses a call while the consume loop is inside a scope.  The thread
 * parses while the main thread's scope is open, the main thread ends that
 * scope and fills the arena again, and the thread's tree must be intact
 * (it was bump-allocated in the main thread's arena, and overwritten).
 */
static sem_t parsed, refilled;
static int other_ok;

static bool str_is(const cJSON *o, const char *key, const char *want)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));

	return v != NULL && strcmp(v, want) == 0;
}

static void *other_thread(void *arg)
{
	cJSON *t = cJSON_Parse("{\"subject\":\"line-up:40000001\",\"id\":\"5e5532fb\"}");

	(void)arg;
	sem_post(&parsed);
	sem_wait(&refilled);
	other_ok = t != NULL && str_is(t, "subject", "line-up:40000001") &&
		   str_is(t, "id", "5e5532fb");
	/* a tree that is not in this thread's arena is freed with free(): a
	 * tree bump-allocated elsewhere is left alone then (it cannot be
	 * deleted safely) */
	if (other_ok)
		cJSON_Delete(t);
	return NULL;
}

static void other_threads_allocate_their_own(void)
{
	pthread_t th;
	cJSON *mine;

	REQUIRE(sem_init(&parsed, 0, 0) == 0 && sem_init(&refilled, 0, 0) == 0);
	jarena_begin();
	REQUIRE(pthread_create(&th, NULL, other_thread, NULL) == 0);
	sem_wait(&parsed);
	jarena_end();
	jarena_begin();
	mine = cJSON_Parse("{\"output\":\"http://cdn.example/videos/aaaaaaaaaaaaaaaaaaaa.mp4\","
			   "\"state\":\"DONE\",\"expirationDate\":\"2026-12-14T00:17:34.156Z\"}");
	REQUIRE(mine != NULL);
	sem_post(&refilled);
	pthread_join(th, NULL);
	CHECK(other_ok);
	CHECK(str_is(mine, "state", "DONE"));
	cJSON_Delete(mine);
	jarena_end();
	sem_destroy(&parsed);
	sem_destroy(&refilled);
}

int main(void)
{
	T_RUN(scope_parse_copy_out);
	T_RUN(nested_scopes_keep_the_outer_tree);
	T_RUN(too_big_for_the_arena_falls_back_to_malloc);
	T_RUN(every_size_lands_in_the_arena);
	T_RUN(inner_scopes_give_their_memory_back);
	T_RUN(outside_a_scope_plain_malloc);
	T_RUN(use_after_scope_is_caught_under_asan);
	T_RUN(other_threads_allocate_their_own);
	return t_done();
}
