#!/bin/sh
# pg-cluster.sh start DIR | stop DIR: a throw-away PostgreSQL (Debian's postgresql package) for the
# Express end-to-end test. `start` creates a cluster in DIR/data that listens only on a Unix socket
# in DIR (no TCP port, so parallel tests cannot collide), seeds the trip tables and prints
# "PGHOST=DIR PGUSER=... PGDATABASE=postgres". As root (CI), the cluster runs as the `postgres`
# user that the package creates, since PostgreSQL refuses to run as root. `stop` stops it.
set -eu
action=$1
dir=$2

bindir=
for candidate in /usr/lib/postgresql/*/bin; do
    [ -x "$candidate/initdb" ] && bindir=$candidate
done
if [ -z "$bindir" ]; then
    echo "pg-cluster: PostgreSQL is not installed (scripts/setup --tests installs postgresql)" >&2
    exit 3
fi

user=$(id -un)
as_user() { "$@"; }
if [ "$(id -u)" -eq 0 ]; then
    user=postgres
    as_user() { runuser -u postgres -- "$@"; }
fi

case "$action" in
start)
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    as_user "$bindir/initdb" -D "$dir/data" -U "$user" -A trust --no-sync -E UTF8 >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        exit 1
    }
    as_user "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-k $dir -c listen_addresses= -c fsync=off" start >/dev/null || {
        cat "$dir/server.log" >&2
        exit 1
    }
    as_user "$bindir/psql" -h "$dir" -U "$user" -d postgres -v ON_ERROR_STOP=1 -q <<'SQL'
CREATE TABLE trips (id serial PRIMARY KEY, city text NOT NULL);
CREATE TABLE trip_points (trip_id integer NOT NULL REFERENCES trips(id), seq integer NOT NULL,
                          lat double precision, lon double precision, PRIMARY KEY (trip_id, seq));
INSERT INTO trips (city) SELECT 'city ' || n FROM generate_series(1, 20) AS n;
INSERT INTO trip_points SELECT t, s, 48.1 + s / 100.0, 11.5 + t / 100.0
  FROM generate_series(1, 20) AS t, generate_series(1, 10) AS s;
SQL
    echo "PGHOST=$dir PGUSER=$user PGDATABASE=postgres"
    ;;
stop)
    [ -d "$dir/data" ] && as_user "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    ;;
*)
    echo "pg-cluster: use start DIR or stop DIR" >&2
    exit 2
    ;;
esac
