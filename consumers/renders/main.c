/* bf-renders: follows each render Plainly accepted until it is a video (or failed). */
#include "consumers/consumer.h"
#include "consumers/renders/renders.h"

int main(int argc, char **argv)
{
	static const struct consumer_def def = {
		.prog = "bf-renders",
		.type = MSG_RENDER,
		.branch = renders_branch,
		.what = "Follows each render Plainly accepted (GET /renders/{id}) until it is final:\n"
			"a finished video is recorded and announced on bf.videos; a failed one\n"
			"sends its work message to the dead queue (render-failed) to be replayed.",
	};

	return consumer_main(&def, argc, argv);
}
