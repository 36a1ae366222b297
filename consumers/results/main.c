/* bf-results: result videos, and the match data stored for aggregation. */
#include "consumers/consumer.h"
#include "consumers/results/result.h"

int main(int argc, char **argv)
{
	static const struct consumer_def def = {
		.prog = "bf-results",
		.type = MSG_RESULT,
		.branch = result_branch,
		.prefetch = result_prefetch,
		.flush = result_flush,
		.what = "After the final whistle: stores the final score, line-ups with ratings,\n"
			"statistics and incidents in PostgreSQL, then asks Plainly for a result video.",
	};

	return consumer_main(&def, argc, argv);
}
