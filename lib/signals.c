#include "signals.h"

#include <string.h>
#include <unistd.h>

volatile sig_atomic_t signals_stop;

static void on_stop(int sig)
{
	(void)sig;
	if (signals_stop)
		_exit(1); /* second signal: no more waiting */
	signals_stop = 1;
}

void signals_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}
