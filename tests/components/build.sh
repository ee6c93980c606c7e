#!/usr/bin/env bash
# Rebuilds the components in this folder (checked in, so tests need none of
# these tools). Needs Debian's clang, lld and wasi-libc (apt-get install clang
# lld wasi-libc libclang-rt-dev-wasm32; clang 14, wasi-libc 0.0~git20220510),
# wasm-tools 1.262 (pip install wasm-tools) and the corpus's WASI adapter
# (loom-corpus fetch wasi-adapter: wasi_snapshot_preview1.command.wasm of
# npm @bytecodealliance/jco 1.35.0).
#
# cprog.wasm: a C program (wasi-libc, printf, malloc) with the WASI
#   preview1 adapter, exporting `process` and `checksum` with the canonical
#   ABI written by hand, and wasi:cli/run from the adapter.
# composed.wasm: compose-app.c, which imports test:compose/text, composed
#   with compose-lib.c, which exports it, each a component with the adapter
#   (wasm-tools compose; `wac plug` does the same).
set -euo pipefail
cd "$(dirname "$0")"
adapter=${WASI_ADAPTER:-$HOME/.cache/loom-corpus/wasi-adapter.wasm}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
component() { # c-file wit world out
  clang --target=wasm32-wasi -Os -Wl,--strip-all -o "$tmp/core.wasm" "$1"
  wasm-tools component embed "$2" -w "$3" "$tmp/core.wasm" -o "$tmp/embed.wasm"
  wasm-tools component new "$tmp/embed.wasm" \
    --adapt wasi_snapshot_preview1="$adapter" -o "$4"
}
component cprog.c cprog.wit cprog cprog.wasm
component compose-lib.c compose.wit lib "$tmp/lib.wasm"
component compose-app.c compose.wit app "$tmp/app.wasm"
wasm-tools compose "$tmp/app.wasm" -d "$tmp/lib.wasm" -o composed.wasm
