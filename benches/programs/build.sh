#!/bin/sh
# Builds LOOM's benchmark programs in the sightglass layout: for each NAME below,
# NAME.c is compiled for wasm32-wasi at -O0 and -O2 into NAME/O0.wasm and
# NAME/O2.wasm, its run-time parameters go to NAME/default.input, and each
# program's expected output (NAME/O0.stdout.expected and NAME/O2.stdout.expected,
# empty .stderr.expected: sightglass pairs FOO.wasm with FOO.stdout.expected in
# the program's folder) is produced by a native build of the same source (cc), an
# oracle independent of any wasm tool.
#
# Needs Debian's clang, lld, wasi-libc and libclang-rt-dev-wasm32
# (apt-get install -y clang lld wasi-libc libclang-rt-dev-wasm32), and cc.
# CC and WASI_SYSROOT override the compiler and sysroot (e.g. a wasi-sdk install).
#
# Compile and link are separate steps on purpose: given -O at link time, clang
# runs a `wasm-opt` it finds on PATH, and these must be plain clang output.
set -eu
cd "$(dirname "$0")"

CC=${CC:-clang}
WASI_SYSROOT=${WASI_SYSROOT:-/usr}
CFLAGS="--target=wasm32-wasi --sysroot=$WASI_SYSROOT -Wall"

# name | parameters
PROGRAMS='
fib       | 27 5
tak       | 18 12 6 200
sieve     | 1000000 5
arith     | 10000000
fib_loop  | 1000 20000
gcd       | 200000 700000
hashtable | 100000 5
sort      | 100000 5
interp    | 10000 5
'

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "$PROGRAMS" | while IFS='|' read -r name params; do
    name=$(echo $name)
    [ -n "$name" ] || continue
    mkdir -p "$name"
    echo $params > "$name/default.input"
    cc -O1 -o "$tmp/$name.native" "$name.c"
    (cd "$name" && "$tmp/$name.native") > "$tmp/$name.stdout"
    for opt in O0 O2; do
        cp "$tmp/$name.stdout" "$name/$opt.stdout.expected"
        : > "$name/$opt.stderr.expected"
        $CC $CFLAGS -$opt -c "$name.c" -o "$tmp/$name.$opt.o"
        $CC $CFLAGS "$tmp/$name.$opt.o" -Wl,--strip-debug -o "$name/$opt.wasm"
    done
    echo "built $name: $(wc -c < "$name/O0.wasm") bytes at -O0, $(wc -c < "$name/O2.wasm") at -O2; expects $(cat "$tmp/$name.stdout")"
done
