#!/usr/bin/env bash
# Load-tests the client portal: for each engine and size, fills the bench tenant
# (once: the data stays in $BENCH_DATA and a re-run skips filling), serves it with
# `portico serve`, drives every portal page of every bench user with
# `portico bench load` beside a bare net/http page, and prints one Markdown table.
#
# Knobs (environment):
#   BENCH_ENGINES      sqlite and/or postgres            (default "sqlite postgres")
#   BENCH_SIZES        protocols: 100k, 1M, or any NNk/NNM; 100 per client
#                                                        (default "100k 1M")
#   BENCH_DURATION     measured time per page            (default 5s)
#   BENCH_WARMUP       unmeasured load before each page  (default 1s)
#   BENCH_CONNECTIONS  concurrent connections            (default 32)
#   BENCH_USERS        comma-separated bench users       (default all four)
#   BENCH_DATA         where filled data is kept         (default ./bench-data)
#
# PostgreSQL runs as a cluster of its own in $BENCH_DATA (initdb and pg_ctl from
# the postgresql package, as the tests do), started and stopped by this script.
set -euo pipefail

ENGINES=${BENCH_ENGINES:-sqlite postgres}
SIZES=${BENCH_SIZES:-100k 1M}
DURATION=${BENCH_DURATION:-5s}
WARMUP=${BENCH_WARMUP:-1s}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
USERS=${BENCH_USERS:-}
DATA=${BENCH_DATA:-./bench-data}

log() { printf 'bench: %s\n' "$*" >&2; }

mkdir -p "$DATA"
DATA=$(cd "$DATA" && pwd)
BIN="$DATA/portico"
log "building portico"
go build -o "$BIN" ./cmd/portico

# protocols SIZE: 100k → 100000, 1M → 1000000.
protocols() {
	case "$1" in
	*k | *K) echo $((${1%?} * 1000)) ;;
	*m | *M) echo $((${1%?} * 1000000)) ;;
	*) echo "$1" ;;
	esac
}

# free_port: a TCP port nothing listens on now, below the kernel's range of
# ephemeral ports (32768 and up on Linux), which any outgoing connection may
# take between this check and the server's bind.
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 12000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
}

PG_BIN=
AS_PG=()
pg_setup() {
	local d
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		PG_BIN=$d
		break
	done
	if [[ -z $PG_BIN ]]; then
		PG_BIN=$(dirname "$(command -v initdb || echo /missing/initdb)")
	fi
	[[ -x $PG_BIN/initdb ]] || {
		log "PostgreSQL is not installed: run scripts/install-deps.sh"
		exit 1
	}
	# initdb refuses to run as root.
	if ((EUID == 0)); then AS_PG=(runuser -u postgres --); fi
}

PG_DIR=
SERVER_PID=
cleanup() {
	if [[ -n $SERVER_PID ]]; then
		kill "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
		SERVER_PID=
	fi
	if [[ -n $PG_DIR ]]; then
		"${AS_PG[@]}" "$PG_BIN/pg_ctl" stop --pgdata="$PG_DIR/data" -m fast >/dev/null 2>&1 || true
		PG_DIR=
	fi
}
trap cleanup EXIT

# pg_start DIR: initialises a cluster in DIR once, starts it on a free port and
# sets PG_URL to the URL of its database "portico". (Not called in $(…): the
# subshell would keep PG_DIR from cleanup.)
PG_URL=
pg_start() {
	local dir=$1 port
	if [[ ! -f $dir/data/PG_VERSION ]]; then
		rm -rf "$dir"
		mkdir -p "$dir/data"
		chmod 700 "$dir/data"
		((EUID == 0)) && chown -R postgres: "$dir"
		"${AS_PG[@]}" "$PG_BIN/initdb" --pgdata="$dir/data" --username=postgres --auth=trust \
			--encoding=UTF8 --locale=C --no-sync >/dev/null
		# Throwaway data: no fsync, like the test clusters; the portal's pages read.
		cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
max_connections = 200
shared_buffers = 256MB
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
	fi
	PG_DIR=$dir
	# Another process may still bind the port first: try a few.
	local try
	for try in 1 2 3 4 5; do
		port=$(free_port)
		if "${AS_PG[@]}" "$PG_BIN/pg_ctl" start --pgdata="$dir/data" --log="$dir/postgres.log" --wait --timeout=120 \
			-o "-p $port" >/dev/null; then
			break
		fi
		((try < 5)) || {
			tail -n 20 "$dir/postgres.log" >&2
			log "PostgreSQL did not start"
			exit 1
		}
	done
	if ! "${AS_PG[@]}" "$PG_BIN/psql" -h 127.0.0.1 -p "$port" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'portico'" postgres | grep -q 1; then
		"${AS_PG[@]}" "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres portico >/dev/null
	fi
	PG_URL="postgres://postgres@127.0.0.1:$port/portico?sslmode=disable"
}

RESULTS="$DATA/results"
rm -rf "$RESULTS"
mkdir -p "$RESULTS"
status=0
files=()
for engine in $ENGINES; do
	[[ $engine == postgres ]] && pg_setup
	for size in $SIZES; do
		n=$(protocols "$size")
		clients=$((n / 100))
		dir="$DATA/$engine-$size"
		mkdir -p "$dir"
		db=()
		if [[ $engine == postgres ]]; then
			pg_start "$dir/pg"
			db=(--database "$PG_URL")
		elif [[ $engine != sqlite ]]; then
			log "unknown engine $engine"
			exit 1
		fi
		log "$engine $size: filling $clients clients and $n protocols (skipped when already filled)"
		start=$(date +%s)
		if ! "$BIN" bench fill --data "$dir" "${db[@]}" --clients "$clients" --protocols "$n" --log-level warn >"$dir/fill.log" 2>&1; then
			cat "$dir/fill.log" >&2
			log "$engine $size: fill failed; remove $dir and run again"
			exit 1
		fi
		grep -q 'already filled' "$dir/fill.log" || log "$engine $size: filled in $(($(date +%s) - start)) s"

		"$BIN" serve --data "$dir" "${db[@]}" --addr 127.0.0.1:0 >"$dir/serve.log" 2>&1 &
		SERVER_PID=$!
		addr=
		for _ in $(seq 1 300); do
			addr=$(grep -o 'msg=listening addr=[0-9.:]*' "$dir/serve.log" | head -n 1 | sed 's/.*addr=//') || true
			[[ -n $addr ]] && break
			kill -0 "$SERVER_PID" 2>/dev/null || break
			sleep 0.1
		done
		if [[ -z $addr ]]; then
			cat "$dir/serve.log" >&2
			log "$engine $size: the server did not start"
			exit 1
		fi
		log "$engine $size: serving on $addr; driving each page for $DURATION at $CONNECTIONS connections"
		users=()
		[[ -n $USERS ]] && users=(--users "$USERS")
		"$BIN" bench load --url "http://$addr" --engine "$engine" --size "$size" "${users[@]}" \
			--connections "$CONNECTIONS" --duration "$DURATION" --warmup "$WARMUP" \
			--out "$RESULTS/$engine-$size.md" >/dev/null || status=1
		files+=("$RESULTS/$engine-$size.md")
		cleanup
	done
done

# One table: the header once, then every run's rows, then any errors.
table="$DATA/latest.md"
first=1
{
	for f in "${files[@]}"; do
		[[ -e $f ]] || continue
		if ((first)); then head -n 2 "$f"; first=0; fi
		tail -n +3 "$f" | grep '^| '
	done
	for f in "${files[@]}"; do
		[[ -e $f ]] && grep -v '^|' "$f" | grep -v '^$' || true
	done
} >"$table"
echo
cat "$table"
echo
log "table also in $table"
exit $status
