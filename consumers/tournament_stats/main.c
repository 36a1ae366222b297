/* bf-tournament-stats: a video for each completed round. */
#include "consumers/consumer.h"
#include "consumers/tournament_stats/tstats.h"

int main(int argc, char **argv)
{
	static const struct consumer_def def = {
		.prog = "bf-tournament-stats",
		.type = MSG_TSTATS,
		.branch = tstats_branch,
		.prefetch = tstats_prefetch,
		.flush = tstats_flush,
		.db_ahead = true,
		.what = "When a round is complete: standings, round results, top scorers, team and\n"
			"player of the round from PostgreSQL, then a tournament video from Plainly.",
	};

	return consumer_main(&def, argc, argv);
}
