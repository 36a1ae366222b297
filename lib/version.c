#include "version.h"

#include <amqp.h>
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <libconfig.h>
#include <libpq-fe.h>
#include <stdio.h>

#include "log.h"

const char *version_libs(void)
{
	static char buf[256];

	snprintf(buf, sizeof(buf), "rabbitmq-c=%s libcurl=%s cjson=%s libpq=%d libconfig=%d.%d",
		 amqp_version(), curl_version_info(CURLVERSION_NOW)->version, cJSON_Version(),
		 PQlibVersion(), LIBCONFIG_VER_MAJOR, LIBCONFIG_VER_MINOR);
	return buf;
}

void version_print(void)
{
	printf("%s %s (%s)\n", log_prog(), BF_VERSION, version_libs());
}
