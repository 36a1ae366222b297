# ops/dev/services.d/common.sh: the helpers of ops/dev/services (sourced by it, not run):
# messages, ports, our processes (found by MARKER or by their working folder), waiting for
# them to end, and the leftovers a stop must not leave.
# shellcheck shell=bash

say() { printf 'services: %s\n' "$*" >&2; }
die() {
	say "$*"
	exit 1
}

# port_busy PORT: true when something accepts connections on 127.0.0.1:PORT.
port_busy() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Our ports lie inside Linux's ephemeral range (32768-60999). While a server is down (a
# restart), an outgoing connection may get its port as source port; its TIME_WAIT then
# blocks the server's bind() for 60 s ("Address already in use"). As root, reserve the
# ports so the kernel never hands them out (a setting of the network namespace, kept
# until reboot; harmless for others). Skipped where /proc/sys is read-only.
reserve_ports() {
	local file=/proc/sys/net/ipv4/ip_local_reserved_ports current
	if ((EUID != 0)) || [[ ! -w $file ]]; then
		return 0
	fi
	read -r current <"$file" || true
	printf '%s\n' "${current:+$current,}$AMQP_PORT,$MGMT_PORT,$DIST_PORT,$EPMD_PORT,$PG_PORT${AMQPS_PORT:+,$AMQPS_PORT}" \
		2>/dev/null >"$file" || true
}

# is_ours PID: true when PID is alive and was started by this script for this var dir.
is_ours() {
	[[ -r /proc/$1/environ ]] && grep -qzxF "$MARKER" "/proc/$1/environ" 2>/dev/null
}

# alive PID: true while PID runs. A zombie (dead, not yet reaped: the init process of
# some containers reaps orphans lazily) counts as gone, unlike with `kill -0`.
alive() {
	local _pid _comm state=
	read -r _pid _comm state _ 2>/dev/null <"/proc/$1/stat" || return 1
	[[ $state != Z ]]
}

# wait_gone SECONDS PID...: wait until none of the PIDs is alive; false on timeout.
wait_gone() {
	local deadline=$((SECONDS + $1)) pid any
	shift
	while :; do
		any=0
		for pid in "$@"; do
			if alive "$pid"; then
				any=1
			fi
		done
		((any)) || return 0
		((SECONDS < deadline)) || return 1
		sleep 0.1
	done
}

# --- Leftovers -----------------------------------------------------------------------

# pids_named NAME...: pids of the processes whose command name is one of NAMEs. (One
# `ps` call: pgrep's pattern is limited to 15 characters.)
pids_named() {
	local pid comm name
	while read -r pid comm; do
		for name in "$@"; do
			if [[ $comm == "$name" ]]; then
				echo "$pid"
			fi
		done
	done < <(ps -e -o pid= -o comm=)
}

# leftovers rabbitmq|postgres: print the pids of processes of ours that still run.
# RabbitMQ's (the wrapper script, beam.smp, its helpers, epmd) carry MARKER; PostgreSQL
# processes are recognised by their working folder, which is the data folder.
leftovers() {
	local pid data
	case $1 in
	rabbitmq)
		for pid in $(pids_named rabbitmq-server beam.smp epmd erl_child_setup inet_gethost); do
			if is_ours "$pid"; then
				# An epmd that still has nodes registered serves other nodes sharing
				# BF_DEV_EPMD_PORT (a cluster on loopback): not a leftover.
				if [[ $(ps -o comm= -p "$pid" 2>/dev/null) == epmd ]] && epmd_in_use; then
					continue
				fi
				echo "$pid"
			fi
		done
		;;
	postgres)
		[[ -d $PG_DATA ]] || return 0
		data=$(cd "$PG_DATA" && pwd -P)
		for pid in $(pids_named postgres pg_ctl initdb); do
			if [[ $(readlink "/proc/$pid/cwd" 2>/dev/null) == "$data" ]]; then
				echo "$pid"
			fi
		done
		;;
	esac
}

# kill_leftovers rabbitmq|postgres: the last resort after an orderly stop (or before a
# start, after a crash): terminate what is left, then kill what still resists.
kill_leftovers() {
	local pids
	mapfile -t pids < <(leftovers "$1")
	((${#pids[@]})) || return 0
	say "$1: terminating leftover processes: ${pids[*]}"
	kill -TERM "${pids[@]}" 2>/dev/null || true
	if ! wait_gone 10 "${pids[@]}"; then
		kill -KILL "${pids[@]}" 2>/dev/null || true
		wait_gone 5 "${pids[@]}" || true
	fi
}
