/*
 * bfctl: the operator's tool.
 *
 *   bfctl [-c FILE] migrate                 apply schema/ (embedded)
 *   bfctl [-c FILE] topology declare        declare exchanges and queues (and the
 *                                           policies, with amqp.management_url)
 *   bfctl [-c FILE] topology definitions    print RabbitMQ definitions JSON
 *   bfctl [-c FILE] dead list|show|discard  look at and remove dead letters
 *   bfctl [-c FILE] wait flush TYPE         waiting messages back to bf.work now
 *
 * usage() below lists every command with its arguments.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/config.h"
#include "lib/db.h"
#include "lib/log.h"
#include "lib/proc.h"
#include "lib/signals.h"
#include "lib/version.h"
#include "protocol/broker.h"
#include "protocol/broker_mgmt.h"
#include "protocol/topology.h"
#include "ops/bfctl/common.h"
#include "ops/bfctl/dead.h"
#include "ops/bfctl/render.h"
#include "ops/bfctl/replay.h"
#include "ops/bfctl/status.h"
#include "ops/bfctl/wait.h"

/* bfctl's -n: the URLs read by the libraries' own parsers. */
static int bfctl_check(const struct bf_config *c, const void *arg, char *err, size_t n)
{
	(void)arg;
	if (broker_urls_check(c->amqp_url, err, n) != 0 ||
	    db_url_check(c->database_url, err, n) != 0)
		return -1;
	return 0;
}

static int cmd_migrate(const struct bf_config *c, int argc, char **argv)
{
	PGconn *db = NULL;
	int applied = 0;

	(void)argc;
	(void)argv;
	if (db_connect(&db, c->database_url, 5, &signals_stop) != 0) {
		log_err("migrate: cannot connect to the database");
		return 1;
	}
	if (db_migrate(db, &applied) != 0) {
		PQfinish(db);
		return 1;
	}
	printf("migrate: %d applied, %zu total\n", applied, db_nmigrations);
	PQfinish(db);
	return 0;
}

/* The policies of the table through the management API, when
 * amqp.management_url is set; otherwise says how else to set them.  A
 * policy the vhost already has is left as it is: operators tune them. */
static int declare_policies(const struct bf_config *c)
{
	struct mgmt *m = NULL;
	char err[512];
	int rc = 0;

	switch (mgmt_open(&m, c, err, sizeof(err))) {
	case 0:
		break;
	case 1:
		printf("policies not set (");
		for (size_t i = 0; i < TOPO_NPOLICIES; i++)
			printf("%s%s", i ? ", " : "", topo_policies[i].name);
		printf("): set amqp.management_url (BF_AMQP_MANAGEMENT_URL) and run this again,"
		       " or import ops/rabbitmq/definitions.json (bfctl topology definitions)\n");
		return 0;
	default:
		log_err("topology declare: %s", err);
		return 1;
	}
	for (size_t i = 0; i < TOPO_NPOLICIES; i++) {
		const char *name = topo_policies[i].name;
		int has = mgmt_policy_exists(m, name);

		if (has == 1) {
			printf("policy %s kept as it is on vhost %s (delete it for bfctl's)\n",
			       name, mgmt_vhost(m));
			continue;
		}
		if (has < 0 || mgmt_policy_set(m, &topo_policies[i]) != 0) {
			log_err("topology declare: policy %s not set at %s: %s", name, mgmt_base(m),
				mgmt_error(m));
			rc = 1;
			continue;
		}
		printf("policy %s set on vhost %s\n", name, mgmt_vhost(m));
	}
	mgmt_close(m);
	return rc;
}

static int cmd_topology(const struct bf_config *c, int argc, char **argv)
{
	struct topology t;

	if (topo_build(&t, c) != 0) {
		log_err("topology: too many queues");
		return 1;
	}
	if (argc >= 1 && strcmp(argv[0], "definitions") == 0) {
		const char *vhost = "/";
		if (argc == 3 && strcmp(argv[1], "--vhost") == 0 && argv[2][0] != '\0') {
			vhost = argv[2];
		} else if (argc != 1) {
			fprintf(stderr, "usage: bfctl topology definitions [--vhost NAME]\n");
			return 2;
		}
		char *json = topo_definitions_json_vhost(&t, vhost);
		if (json == NULL)
			return 1;
		printf("%s\n", json);
		free(json);
		return 0;
	}
	if (argc == 1 && strcmp(argv[0], "declare") == 0) {
		struct broker *b = NULL;
		if (bfctl_broker(c, &t, &b) != 0) {
			log_err("topology declare: cannot connect to the broker");
			return 1;
		}
		printf("topology declared: %zu queues\n", t.nqueues);
		broker_close(b);
		return declare_policies(c);
	}
	fprintf(stderr, "bfctl topology: expected \"declare\" or \"definitions [--vhost NAME]\"\n");
	return 2;
}

static int cmd_config(int argc, char **argv)
{
	if (argc < 1 || strcmp(argv[0], "keys") != 0) {
		fprintf(stderr, "bfctl config: expected \"keys\"\n");
		return 2;
	}
	printf("| key | type | default | environment | meaning |\n|---|---|---|---|---|\n");
	for (size_t i = 0; i < cfg_nkeys; i++) {
		const struct cfg_key *k = &cfg_keys[i];
		printf("| `%s` | %s | %s%s%s | %s | %s |\n", k->name, cfg_type_name(k->type),
		       k->def ? "`" : "", k->def ? (k->def[0] ? k->def : "\"\"") : "",
		       k->def ? "`" : "", k->env ? k->env : "", k->meaning);
	}
	return 0;
}

/* The arguments after the command's name, as these two have always taken them. */
static int run_topology(const struct bf_config *c, int argc, char **argv)
{
	return cmd_topology(c, argc - 1, argv + 1);
}

static int run_config(const struct bf_config *c, int argc, char **argv)
{
	(void)c;
	return cmd_config(argc - 1, argv + 1);
}

/*
 * One row per form of a command, in the order usage() lists them; the first
 * row with the name runs it.  argv[0] is the command's name, its arguments
 * follow.
 */
static const struct command {
	const char *name;
	const char *args;
	int (*run)(const struct bf_config *c, int argc, char **argv);
	const char *help;
} commands[] = {
	{ "migrate", NULL, cmd_migrate, "apply pending schema migrations (embedded in bfctl)" },
	{ "topology", "declare", run_topology,
	  "declare exchanges, queues, bindings; policies with amqp.management_url" },
	{ "topology", "definitions [--vhost NAME]", run_topology,
	  "print the topology as RabbitMQ definitions JSON (vhost \"/\")" },
	{ "config", "keys", run_config,
	  "list every configuration key (default, variable, meaning)" },
	{ "status", "[--json] [--event ID]", cmd_status,
	  "queues, jobs, renders, dead letters, circuit breaker" },
	{ "replay", "--type T [--event ID] [--reason CODE] [--limit N] [--dry-run]", cmd_replay,
	  "move dead letters of type T back to bf.work" },
	{ "dead", "list [--type T] [--limit N] [--json]", cmd_dead,
	  "the dead letters of each dead queue, left in place" },
	{ "dead", "show MESSAGE_ID [--type T]", cmd_dead,
	  "one dead letter in full: properties, headers, body" },
	{ "dead", "discard MESSAGE_ID... [--type T] [--yes]", cmd_dead,
	  "remove those dead letters (asks first, or --yes)" },
	{ "wait", "flush TYPE", cmd_wait, "what waits in TYPE's wait queues back to bf.work now" },
	{ "render", "again SUBJECT", cmd_render,
	  "a new video for SUBJECT (line-up:ID, result:ID, ...), on purpose" },
	{ "render", "follow --submitted | SUBJECT...", cmd_render,
	  "bf-renders follows accepted renders it was not told of (after an upgrade)" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))
#define HELP_COLUMN 24

static void usage(FILE *f)
{
	fprintf(f, "usage: bfctl [-c FILE] [-n] [-h] [-V] COMMAND [ARGS]\n"
		   "\n"
		   "  -c FILE   configuration file (default ./bf.conf, then /etc/bf/bf.conf)\n"
		   "  -n        check the configuration, print \"configuration OK\", exit\n"
		   "  -h        this help\n"
		   "  -V        version\n"
		   "\n"
		   "commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++) {
		const struct command *k = &commands[i];
		char form[128];

		snprintf(form, sizeof(form), "%s%s%s", k->name, k->args ? " " : "",
			 k->args ? k->args : "");
		if (strlen(form) < HELP_COLUMN)
			fprintf(f, "  %-*s%s\n", HELP_COLUMN, form, k->help);
		else
			fprintf(f, "  %s\n  %-*s%s\n", form, HELP_COLUMN, "", k->help);
	}
	/* every variable of the key table, so this list is never short of one */
	fprintf(f, "\nenvironment (overrides the file):");
	for (size_t i = 0, col = 80; i < cfg_nkeys; i++) {
		if (cfg_keys[i].env == NULL)
			continue;
		if (col + strlen(cfg_keys[i].env) + 1 > 78) {
			fprintf(f, "\n ");
			col = 1;
		}
		col += (size_t)fprintf(f, " %s", cfg_keys[i].env);
	}
	fprintf(f, "\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct bf_config cfg;
	const struct command *cmd = NULL;
	const char *path = NULL;
	int check = 0, ch, rc;

	log_init("bfctl");
	/* "+": stop at the command, its own options follow it */
	while ((ch = getopt_long(argc, argv, "+c:nhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'n':
			check = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			version_print();
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc && !check) {
		usage(stderr);
		return 2;
	}
	signals_install();
	proc_config_load(&cfg, path, check, bfctl_check, NULL);
	argc -= optind;
	argv += optind;
	for (size_t i = 0; i < NCOMMANDS && cmd == NULL; i++) {
		if (strcmp(argv[0], commands[i].name) == 0)
			cmd = &commands[i];
	}
	if (cmd != NULL) {
		rc = cmd->run(&cfg, argc, argv);
	} else {
		fprintf(stderr, "bfctl: unknown command \"%s\" (see bfctl -h)\n", argv[0]);
		rc = 2;
	}
	cfg_free(&cfg);
	return rc;
}
