# ops/dev/services.d/rabbitmq.sh: the RabbitMQ node of ops/dev/services (sourced by it,
# not run): its environment, configuration, start with the bf user, stop, and the private
# epmd.
# shellcheck shell=bash

# The CLI tools (rabbitmqctl, rabbitmq-plugins) start an Erlang node of their own that
# listens on RABBITMQ_CTL_DIST_PORT_MIN..MAX, 35672-35682 by default: that range holds
# our own ports, so move it next to the distribution port.
CTL_PORT_MIN=$((DIST_PORT + 10000))
if ((CTL_PORT_MIN > 65525)); then
	CTL_PORT_MIN=$((DIST_PORT - 10020))
fi

# The one environment shared by the server and every CLI call: the same HOME (Erlang
# cookie), node name, epmd port and files. /etc/rabbitmq/rabbitmq-env.conf is ignored
# thanks to the empty RABBITMQ_CONF_ENV_FILE.
RMQ_ENV=(
	"$MARKER"
	"HOME=$RMQ_DIR/home"
	LANG=C.UTF-8
	LC_ALL=C.UTF-8
	"RABBITMQ_NODENAME=$RMQ_NODE"
	RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
	"RABBITMQ_NODE_PORT=$AMQP_PORT"
	"RABBITMQ_DIST_PORT=$DIST_PORT"
	"RABBITMQ_CONF_ENV_FILE=$RMQ_DIR/rabbitmq-env.conf"
	"RABBITMQ_CONFIG_FILE=$RMQ_DIR/rabbitmq.conf"
	"RABBITMQ_ADVANCED_CONFIG_FILE=$RMQ_DIR/advanced.config"
	"RABBITMQ_ENABLED_PLUGINS_FILE=$RMQ_DIR/enabled_plugins"
	"RABBITMQ_MNESIA_BASE=$RMQ_DIR/mnesia"
	"RABBITMQ_LOG_BASE=$RMQ_LOG_DIR"
	"RABBITMQ_PID_FILE=$RMQ_PID_FILE"
	"RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS=-kernel inet_dist_use_interface {127,0,0,1}"
	"RABBITMQ_CTL_ERL_ARGS=-kernel inet_dist_use_interface {127,0,0,1}"
	"RABBITMQ_CTL_DIST_PORT_MIN=$CTL_PORT_MIN"
	"RABBITMQ_CTL_DIST_PORT_MAX=$((CTL_PORT_MIN + 10))"
	"ERL_EPMD_PORT=$EPMD_PORT"
	ERL_EPMD_ADDRESS=127.0.0.1
)

# rmq_env COMMAND...: run COMMAND with the node's environment.
rmq_env() {
	env "${RMQ_ENV[@]}" "$@"
}

# rmq_pid: print the pid of our running node; false when it is not running. Cheap: a
# pid file read and one look at /proc, no CLI call (each costs about a second).
rmq_pid() {
	local pid=''
	# The node writes its pid without a newline: read fails at EOF but sets pid.
	read -r pid 2>/dev/null <"$RMQ_PID_FILE" || [[ -n $pid ]] || return 1
	[[ $pid =~ ^[0-9]+$ ]] && is_ours "$pid" || return 1
	echo "$pid"
}

rmq_running() { rmq_pid >/dev/null; }

# Write the configuration. Rewritten at every start so port changes take effect.
# default_user creates bf/bf (instead of guest) when the node boots with an empty
# database; rmq_ensure_user checks it afterwards.
rmq_configure() {
	mkdir -p "$RMQ_DIR/home" "$RMQ_DIR/mnesia" "$RMQ_LOG_DIR"
	: >"$RMQ_DIR/rabbitmq-env.conf"
	echo '[].' >"$RMQ_DIR/advanced.config"
	cat >"$RMQ_DIR/rabbitmq.conf" <<-EOF
		# Written by ops/dev/services; edits are lost at the next start.
		listeners.tcp.default = 127.0.0.1:$AMQP_PORT
		management.tcp.ip = 127.0.0.1
		management.tcp.port = $MGMT_PORT
		log.console = false
		log.file.level = info
		default_vhost = /
		default_user = $RMQ_USER
		default_pass = $RMQ_PASSWORD
		default_user_tags.administrator = true
		default_permissions.configure = .*
		default_permissions.read = .*
		default_permissions.write = .*
	EOF
	if [[ -n $TLS_DIR && -n $AMQPS_PORT ]]; then
		cat >>"$RMQ_DIR/rabbitmq.conf" <<-EOF
			# amqps (BF_DEV_TLS_DIR, BF_DEV_AMQPS_PORT)
			listeners.ssl.default = 127.0.0.1:$AMQPS_PORT
			ssl_options.cacertfile = $TLS_DIR/ca.pem
			ssl_options.certfile = $TLS_DIR/server.pem
			ssl_options.keyfile = $TLS_DIR/server.key
			ssl_options.verify = verify_peer
			ssl_options.fail_if_no_peer_cert = $TLS_REQUIRE_CLIENT_CERT
		EOF
	fi

	# Enable the plugins offline, once (the CLI call costs a couple of seconds).
	local plugin missing=0
	for plugin in "${RMQ_PLUGINS[@]}"; do
		grep -qw "$plugin" "$RMQ_DIR/enabled_plugins" 2>/dev/null || missing=1
	done
	if ((missing)); then
		rmq_env "$RMQ_BIN/rabbitmq-plugins" -q enable --offline "${RMQ_PLUGINS[@]}" \
			>/dev/null 9>&-
	fi
}

# Print the end of the logs after a failed start.
rmq_show_logs() {
	local log
	for log in "$RMQ_STARTUP_LOG" "$RMQ_LOG_DIR/$RMQ_NODE.log"; do
		if [[ -s $log ]]; then
			say "--- last lines of $log"
			tail -n 30 "$log" >&2
		fi
	done
}

# Make sure the bf user exists with its password, tag and permissions. The management
# API answers in milliseconds; the CLI fallback only runs when the node was created
# before default_user was configured, or someone changed the user.
rmq_ensure_user() {
	if curl -fsS -o /dev/null --max-time 5 -u "$RMQ_USER:$RMQ_PASSWORD" \
		"http://127.0.0.1:$MGMT_PORT/api/whoami" 2>/dev/null; then
		return 0
	fi
	say "rabbitmq: creating user $RMQ_USER"
	local ctl=("$RMQ_BIN/rabbitmqctl" -q)
	rmq_env "${ctl[@]}" add_user "$RMQ_USER" "$RMQ_PASSWORD" >/dev/null 2>&1 ||
		rmq_env "${ctl[@]}" change_password "$RMQ_USER" "$RMQ_PASSWORD" >/dev/null
	rmq_env "${ctl[@]}" set_user_tags "$RMQ_USER" administrator >/dev/null
	rmq_env "${ctl[@]}" set_permissions -p / "$RMQ_USER" '.*' '.*' '.*' >/dev/null
}

# rmq_boot: launch the node once and wait until it has booted. Returns 0 when it runs;
# 1 when it failed (reported, leftovers gone); 2 when it failed to bind a port.
rmq_boot() {
	local wrapper deadline
	rm -f "$RMQ_PID_FILE"
	# setsid: the node gets its own session, away from our terminal and its signals.
	# Not -detached: it would hide boot errors that startup.log keeps.
	(cd "$RMQ_DIR" && exec env "${RMQ_ENV[@]}" setsid "$RMQ_BIN/rabbitmq-server") \
		>"$RMQ_STARTUP_LOG" 2>&1 </dev/null 9>&- &
	wrapper=$!

	# The node writes its pid file early; await_startup fails at once before that.
	deadline=$((SECONDS + 60))
	until [[ -s $RMQ_PID_FILE ]]; do
		if ! alive "$wrapper"; then
			rmq_boot_failed "the server exited during start-up" || return $?
		fi
		if ((SECONDS >= deadline)); then
			rmq_boot_failed "no pid file after 60 s" || return $?
		fi
		sleep 0.1
	done
	if ! rmq_env timeout 90 "$RMQ_BIN/rabbitmqctl" -q await_startup --timeout 60 \
		>/dev/null 2>&1 9>&-; then
		# A node whose boot failed takes a moment to halt.
		wait_gone 5 "$wrapper" || true
		if alive "$wrapper"; then
			rmq_boot_failed "the node did not finish booting within 60 s" || return $?
		else
			rmq_boot_failed "the server exited during start-up" || return $?
		fi
	fi
	return 0
}

# rmq_boot_failed MESSAGE: clean up after a failed boot; return 2 when a port could not
# be bound (worth a retry), else report MESSAGE and the logs and return 1.
rmq_boot_failed() {
	kill_leftovers rabbitmq
	if grep -qs eaddrinuse "$RMQ_STARTUP_LOG"; then
		return 2
	fi
	say "rabbitmq: $1"
	rmq_show_logs
	return 1
}

rmq_start() {
	if rmq_running; then
		return 0
	fi
	tls_check
	# A node killed with -9 leaves its helpers (epmd, ...) and its pid file behind.
	kill_leftovers rabbitmq
	local port
	for port in "$AMQP_PORT" "$MGMT_PORT" "$DIST_PORT" ${AMQPS_PORT:+"$AMQPS_PORT"}; do
		if port_busy "$port"; then
			die "rabbitmq: port $port is already in use by another program (see BF_DEV_*_PORT)"
		fi
	done
	rmq_configure

	say "rabbitmq: starting node $RMQ_NODE (a first start takes about 10 s)"
	local deadline=$((SECONDS + 70)) rc
	while :; do
		rc=0
		rmq_boot || rc=$?
		((rc == 2)) || break
		# A TIME_WAIT left by an outgoing connection that got one of our ports as source
		# port holds it for up to 60 s (see reserve_ports).
		if ((SECONDS >= deadline)); then
			say "rabbitmq: a port stayed in use (Address already in use)"
			rmq_show_logs
			exit 1
		fi
		say "rabbitmq: a port is not bindable yet (TIME_WAIT?); retrying"
		sleep 3
	done
	((rc == 0)) || exit 1
	rmq_ensure_user
	if [[ -n $TLS_DIR && -n $AMQPS_PORT ]]; then
		say "rabbitmq: running (pid $(rmq_pid)), amqps on 127.0.0.1:$AMQPS_PORT (client certificate required: $TLS_REQUIRE_CLIENT_CERT)"
	else
		say "rabbitmq: running (pid $(rmq_pid))"
	fi
}

# epmd_in_use: true when a node is registered in the epmd on our port.
epmd_in_use() {
	local names
	# `epmd -names` is a pure client: it does not start an epmd when none runs.
	names=$(epmd -port "$EPMD_PORT" -names 2>/dev/null) || return 1
	grep -q '^name ' <<<"$names"
}

# Stop the private epmd once no node is registered in it any more.
epmd_stop_if_idle() {
	local names
	# `epmd -names` is a pure client: it does not start an epmd when none runs.
	names=$(epmd -port "$EPMD_PORT" -names 2>/dev/null) || return 0
	if grep -q '^name ' <<<"$names"; then
		return 0
	fi
	epmd -port "$EPMD_PORT" -kill >/dev/null 2>&1 || true
}

rmq_stop() {
	local pid
	if pid=$(rmq_pid); then
		say "rabbitmq: stopping"
		# `stop PIDFILE` returns once the process is gone (8-11 s).
		if ! rmq_env timeout 60 "$RMQ_BIN/rabbitmqctl" -q stop "$RMQ_PID_FILE" \
			>/dev/null 2>&1 9>&-; then
			say "rabbitmq: rabbitmqctl stop failed; terminating pid $pid"
			kill -TERM "$pid" 2>/dev/null || true
			wait_gone 30 "$pid" || kill -KILL "$pid" 2>/dev/null || true
		fi
	fi
	rm -f "$RMQ_PID_FILE"
	epmd_stop_if_idle
	kill_leftovers rabbitmq
}
