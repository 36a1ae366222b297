/* bf-lineups: line-up videos shortly before kick-off. */
#include "consumers/consumer.h"
#include "consumers/lineups/lineup.h"

int main(int argc, char **argv)
{
	static const struct consumer_def def = {
		.prog = "bf-lineups",
		.type = MSG_LINEUP,
		.branch = lineup_branch,
		.prefetch = lineup_prefetch,
		.what = "Fetches an event's line-ups; once they are official, asks Plainly for a\n"
			"line-up video; until then re-checks from the bf.line-up.wait.* tiers.",
	};

	return consumer_main(&def, argc, argv);
}
