/* bf-renders: follows each render Plainly accepted until it is a video (or failed). */
#include <stddef.h>
#include <stdio.h>

#include "consumers/consumer.h"
#include "consumers/renders/renders.h"
#include "consumers/renders/webhook.h"

static struct webhook *hook;

/* With renders.webhook_listen: Plainly's webhooks trigger a check at once. */
static int start(const struct consumer_ctx *ctx, const char *conn_name)
{
	char name[300];

	if (ctx->cfg->renders_webhook_listen[0] == '\0')
		return 0;
	snprintf(name, sizeof(name), "%s webhook", conn_name);
	return webhook_start(&hook, ctx->cfg, name);
}

static void stop(void)
{
	webhook_stop(hook);
	hook = NULL;
}

int main(int argc, char **argv)
{
	static const struct consumer_def def = {
		.prog = "bf-renders",
		.type = MSG_RENDER,
		.branch = renders_branch,
		.check = webhook_check,
		.start = start,
		.stop = stop,
		.what = "Follows each render Plainly accepted (GET /renders/{id}) until it is final:\n"
			"a finished video is recorded (and archived with renders.archive_dir) and\n"
			"announced on bf.videos; a failed one sends its work message to the dead queue\n"
			"(render-failed) to be replayed.  With renders.webhook_listen, Plainly's webhook\n"
			"makes it check at once.",
	};

	return consumer_main(&def, argc, argv);
}
