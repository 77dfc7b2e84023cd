# Sourced by the scripts in scripts/ (after they cd to the repository): what they share about
# PostgreSQL's binaries and local ports. The sourcing script defines `die MESSAGE`.

# Prints PostgreSQL's bin folder: $PG_BINDIR when set, else the newest
# /usr/lib/postgresql/*/bin that has initdb. Dies when there is none.
postgres_bindir() {
    local bindir=${PG_BINDIR:-} dir
    if [ -z "$bindir" ]; then
        for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
            if [ -x "$dir/initdb" ]; then bindir=$dir; break; fi
        done
    fi
    [ -n "$bindir" ] && [ -x "$bindir/initdb" ] ||
        die "PostgreSQL server binaries not found (install the 'postgresql' package or set PG_BINDIR)"
    echo "$bindir"
}

# Prints a TCP port on 127.0.0.1 that is free right now.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
