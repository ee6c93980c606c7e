#!/usr/bin/env bash
# Seeds fuzz/corpus/read_pipeline with the repository's own small modules:
# each .wat file of crates/loom-core/tests/*/ and examples/, as text and as
# binary (encoded by LOOM's CLI at -O0), each behind a level-selector byte.
# smith_pipeline and differential get random inputs of 1-16 KiB instead:
# libFuzzer grows inputs slowly from its longest seed, and wasm-smith turns
# a few bytes into near-empty modules.
# Usage: fuzz/seed.sh            (LOOM=path/to/loom to skip building the CLI)
set -euo pipefail
fuzz="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$fuzz")"
out="$fuzz/corpus/read_pipeline"
mkdir -p "$out"
if [ -z "${LOOM:-}" ]; then
    cargo build -q --release --manifest-path "$root/Cargo.toml" -p loom-cli
    LOOM="$root/target/release/loom"
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
level=0
for wat in "$root"/crates/loom-core/tests/*/*.wat "$root"/examples/*.wat; do
    name="$(basename "$(dirname "$wat")")-$(basename "$wat" .wat)"
    # Text: selector byte, then the .wat source.
    { printf "\\x$(printf %02x "$level")"; cat "$wat"; } > "$out/$name.wat.seed"
    # Binary: the next level's selector byte, then the encoded module.
    if "$LOOM" -q -O0 "$wat" -o "$tmp/$name.wasm" 2>/dev/null; then
        { printf "\\x$(printf %02x "$(( (level + 1) % 7 ))")"; cat "$tmp/$name.wasm"; } > "$out/$name.wasm.seed"
    fi
    level=$(( (level + 2) % 7 ))
done
ls "$out" | wc -l
for target in smith_pipeline differential; do
    mkdir -p "$fuzz/corpus/$target"
    for size in 1024 2048 3072 4096 6144 8192 12288 16384; do
        head -c "$size" /dev/urandom > "$fuzz/corpus/$target/random-$size"
    done
done
