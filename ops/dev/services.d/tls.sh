# ops/dev/services.d/tls.sh: opt-in TLS for both servers (BF_DEV_TLS_DIR, see the header
# of ops/dev/services; sourced by it, not run): the settings, their check before a start,
# and PostgreSQL's copies of the certificate and key. RabbitMQ's amqps listener is written
# by rmq_configure (rabbitmq.sh).
# shellcheck shell=bash disable=SC2034 # its settings are read by the other parts

# Opt-in TLS (see the header). Empty = off.
TLS_DIR=${BF_DEV_TLS_DIR:-}
AMQPS_PORT=${BF_DEV_AMQPS_PORT:-}
TLS_REQUIRE_CLIENT_CERT=${BF_DEV_TLS_REQUIRE_CLIENT_CERT:-false}
if [[ -n $TLS_DIR && $TLS_DIR != /* ]]; then
	TLS_DIR=$PWD/$TLS_DIR
fi
if [[ -z $TLS_DIR ]]; then
	AMQPS_PORT= # no listener without certificates (tls_check says so)
fi

# tls_check: before a server starts with TLS, make sure the settings hold together (a
# half-configured server is worse than none). Only start paths call it: stop and status
# must work whatever the environment says.
tls_check() {
	if [[ -z $TLS_DIR ]]; then
		if [[ -n ${BF_DEV_AMQPS_PORT:-} ]]; then
			say "BF_DEV_AMQPS_PORT is set without BF_DEV_TLS_DIR: no TLS listener"
		fi
		return 0
	fi
	[[ -d $TLS_DIR ]] || die "BF_DEV_TLS_DIR: $TLS_DIR is not a folder"
	# rabbitmq.conf takes the paths unquoted
	[[ $TLS_DIR != *[[:space:]\'\"]* ]] ||
		die "BF_DEV_TLS_DIR: a space or quote in the path $TLS_DIR is not supported"
	local f
	for f in ca.pem server.pem server.key; do
		[[ -r $TLS_DIR/$f ]] || die "BF_DEV_TLS_DIR: $TLS_DIR/$f is missing or unreadable"
	done
	case $TLS_REQUIRE_CLIENT_CERT in
	true | false) ;;
	*) die "BF_DEV_TLS_REQUIRE_CLIENT_CERT: must be true or false, not '$TLS_REQUIRE_CLIENT_CERT'" ;;
	esac
}

# The copies of the TLS certificate and key inside the data folder (names relative to it).
PG_TLS_CERT=bf-dev-server.crt
PG_TLS_KEY=bf-dev-server.key

# pg_install_tls: copy server.pem and server.key of BF_DEV_TLS_DIR into the data folder.
# PostgreSQL refuses a key readable by group or others, or not owned by the user it runs
# as (postgres, when we are root): the copies are made by that user's rules.
pg_install_tls() {
	local owner=()
	if ((EUID == 0)); then
		owner=(-o postgres -g postgres)
	fi
	install -m 0644 "${owner[@]}" "$TLS_DIR/server.pem" "$PG_DATA/$PG_TLS_CERT" ||
		die "postgres: cannot copy $TLS_DIR/server.pem into $PG_DATA"
	install -m 0600 "${owner[@]}" "$TLS_DIR/server.key" "$PG_DATA/$PG_TLS_KEY" ||
		die "postgres: cannot copy $TLS_DIR/server.key into $PG_DATA"
}
