# ops/dev/services.d/postgres.sh: the PostgreSQL cluster of ops/dev/services (sourced by
# it, not run): where its data lives (a private folder under /tmp when the postgres user
# cannot reach var/), initdb, start, stop.
# shellcheck shell=bash

# Newest installed version, 15 when present.
PG_BIN=/usr/lib/postgresql/15/bin
if [[ ! -x $PG_BIN/postgres ]]; then
	PG_BIN=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null |
		sort -V | tail -n 1)
	[[ -n $PG_BIN ]] || PG_BIN=/usr/lib/postgresql/15/bin
fi

# PG_DATA (the cluster) and PG_SOCK (socket folder) are physical paths: when
# var/postgres is a symlink into /tmp, the postgres user can only use the target's path.
pg_resolve() {
	local home
	home=$(readlink -f "$PG_DIR" 2>/dev/null) || home=$PG_DIR
	PG_DATA=$home/data
	PG_SOCK=$home/run
}
pg_resolve

# pg_run COMMAND...: initdb and pg_ctl refuse to run as root, so root runs them as the
# postgres user (from /, a folder that user can always enter).
pg_run() {
	if ((EUID == 0)); then
		(cd / && runuser -u postgres -- "$@")
	else
		"$@"
	fi
}

# psql_admin ARGS...: psql as the postgres superuser over TCP (trust authentication).
psql_admin() {
	"$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres \
		-d postgres "$@"
}

# pg_pid: print the postmaster's pid (first line of postmaster.pid) when it runs; false
# otherwise. Cheap, no pg_ctl: the pid must be alive (not a zombie) and be a process
# whose working folder is our data folder.
pg_pid() {
	local pid='' data
	[[ -f $PG_DATA/PG_VERSION ]] || return 1
	read -r pid 2>/dev/null <"$PG_DATA/postmaster.pid" || return 1
	if [[ ! $pid =~ ^[0-9]+$ ]] || ! alive "$pid"; then
		return 1
	fi
	data=$(cd "$PG_DATA" && pwd -P)
	[[ $(readlink "/proc/$pid/cwd" 2>/dev/null) == "$data" ]] || return 1
	echo "$pid"
}

pg_running() { pg_pid >/dev/null; }

# The private folder used when the postgres user cannot reach var/: one per var dir
# and per calling user.
pg_tmp_dir() {
	local hash
	hash=$(printf '%s' "$VAR" | sha256sum | cut -c1-12)
	echo "/tmp/bf-pg-$EUID-$hash"
}

# pg_make_private DIR: create DIR (or accept an existing one) as a folder that only the
# postgres user can use. /tmp is world-writable, so refuse anything we did not make.
pg_make_private() {
	local dir=$1
	if [[ ! -e $dir && ! -L $dir ]]; then
		mkdir -m 700 "$dir"
		chown postgres:postgres "$dir"
	fi
	[[ -d $dir && ! -L $dir ]] || die "postgres: $dir is not a plain folder"
	[[ $(stat -c %U "$dir") == postgres ]] || die "postgres: $dir is not owned by postgres"
}

# Make PG_DIR usable by the server's user. As a normal user the user owns var/ already.
# As root the server runs as postgres, which must be able to reach var/postgres: not so
# when the project sits under a folder it cannot traverse (/root is mode 700; CI may
# clone anywhere). Then the cluster lives in a private folder under /tmp and
# var/postgres is a symlink to it, so everything is still reachable from var/.
# (A /tmp folder does not survive a reboot: the next start makes a fresh cluster.)
pg_prepare_dir() {
	mkdir -p "$VAR" "$PG_LOG_DIR"
	if ((EUID != 0)); then
		mkdir -p "$PG_DIR"
		chmod 700 "$PG_DIR"
		pg_resolve
		mkdir -p "$PG_SOCK"
		return 0
	fi
	id -u postgres >/dev/null 2>&1 || die "postgres: no 'postgres' user (is the postgresql package installed?)"

	if [[ -L $PG_DIR ]]; then
		pg_make_private "$(readlink "$PG_DIR")"
	elif [[ -d $PG_DIR ]]; then
		if ! runuser -u postgres -- test -w "$PG_DIR" -a -x "$PG_DIR" 2>/dev/null; then
			# Unusable; replace it with the symlink if nothing is inside yet.
			rmdir "$PG_DIR" 2>/dev/null ||
				die "postgres: user postgres cannot use $PG_DIR, which is not empty"
		fi
	fi
	if [[ ! -e $PG_DIR && ! -L $PG_DIR ]]; then
		mkdir -m 700 "$PG_DIR"
		chown postgres:postgres "$PG_DIR"
		if ! runuser -u postgres -- test -w "$PG_DIR" -a -x "$PG_DIR" 2>/dev/null; then
			rmdir "$PG_DIR"
			local tmp
			tmp=$(pg_tmp_dir)
			say "postgres: user postgres cannot reach $VAR; the cluster lives in $tmp"
			pg_make_private "$tmp"
			ln -s "$tmp" "$PG_DIR"
		fi
	fi
	pg_resolve
	pg_run mkdir -p -m 700 "$PG_SOCK"
}

# A postmaster killed with -9 stays a zombie until the init process reaps it, which some
# containers do lazily (or never); meanwhile `kill -0` succeeds, and a new server refuses
# to start ("lock file ... already exists"). A zombie is dead: drop its lock files.
pg_remove_stale_locks() {
	local lock pid state
	for lock in "$PG_DATA/postmaster.pid" "$PG_SOCK/.s.PGSQL.$PG_PORT.lock"; do
		pid='' state=''
		read -r pid 2>/dev/null <"$lock" || continue
		[[ $pid =~ ^[0-9]+$ ]] || continue
		read -r _ _ state _ 2>/dev/null <"/proc/$pid/stat" || continue
		if [[ $state == Z ]]; then
			pg_run rm -f "$lock"
		fi
	done
}

pg_show_log() {
	if [[ -s $PG_LOG ]]; then
		say "--- last lines of $PG_LOG"
		tail -n 30 "$PG_LOG" >&2
	fi
}

pg_start() {
	if pg_running; then
		return 0
	fi
	[[ -x $PG_BIN/pg_ctl ]] || die "postgres: no PostgreSQL under /usr/lib/postgresql (run ops/dev/deps)"
	tls_check
	kill_leftovers postgres
	if port_busy "$PG_PORT"; then
		die "postgres: port $PG_PORT is already in use by another program (see BF_DEV_PG_PORT)"
	fi
	pg_prepare_dir
	pg_remove_stale_locks

	# The log is opened here, by us, and inherited by initdb, pg_ctl and the server:
	# that works even where the postgres user may not write under var/log.
	if [[ ! -f $PG_DATA/PG_VERSION ]]; then
		say "postgres: creating the cluster in $PG_DATA"
		if ! pg_run "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 \
			--locale=C.UTF-8 --no-sync >>"$PG_LOG" 2>&1 9>&-; then
			say "postgres: initdb failed"
			pg_show_log
			exit 1
		fi
	fi

	[[ $PG_SOCK != *\'* ]] || die "postgres: a quote in the path $PG_SOCK is not supported"
	local opts="-k '$PG_SOCK' -p $PG_PORT -c listen_addresses=127.0.0.1"
	if [[ ${BF_DEV_PG_FAST:-0} == 1 ]]; then
		opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
	fi
	if [[ -n $TLS_DIR ]]; then
		pg_install_tls
		# relative paths: inside the data folder
		opts+=" -c ssl=on -c ssl_cert_file=$PG_TLS_CERT -c ssl_key_file=$PG_TLS_KEY"
	fi
	say "postgres: starting on 127.0.0.1:$PG_PORT"
	local deadline=$((SECONDS + 70)) log_size
	while :; do
		log_size=$(stat -c %s "$PG_LOG" 2>/dev/null || echo 0)
		if pg_run "$PG_BIN/pg_ctl" -D "$PG_DATA" -w -t 60 -o "$opts" start \
			>>"$PG_LOG" 2>&1 </dev/null 9>&-; then
			break
		fi
		# The port may be held by a TIME_WAIT left by an outgoing connection that got it
		# as source port (see reserve_ports): that clears within 60 s.
		if ((SECONDS < deadline)) &&
			tail -c +"$((log_size + 1))" "$PG_LOG" | grep -q 'could not bind'; then
			say "postgres: port $PG_PORT not bindable yet (TIME_WAIT?); retrying"
			sleep 2
			continue
		fi
		say "postgres: the server did not start"
		pg_show_log
		kill_leftovers postgres
		exit 1
	done

	if [[ $(psql_admin -tA -c "select 1 from pg_database where datname = 'bf'") != 1 ]]; then
		psql_admin -c 'create database bf owner postgres'
	fi
	if [[ -n $TLS_DIR ]]; then
		say "postgres: running (pid $(pg_pid)), ssl=on"
	else
		say "postgres: running (pid $(pg_pid))"
	fi
}

pg_stop() {
	if pg_running; then
		say "postgres: stopping"
		if ! pg_run "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop \
			>>"$PG_LOG" 2>&1 </dev/null 9>&-; then
			pg_run "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate -w -t 30 stop \
				>>"$PG_LOG" 2>&1 </dev/null 9>&- || true
		fi
	fi
	kill_leftovers postgres
}
