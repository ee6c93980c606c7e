;; Found at e8c4a72 by a hand-written probe while setting up `loom-check
;; fuzz` (whose wasm-smith modules carry no name section). Fixed by dropping a
;; name section that cannot be renumbered (reported in --stats).
;;
;; A custom section's contents never make a module invalid: a malformed
;; `name` section is still a valid module, and engines ignore it. When
;; reorder-functions changes function indices, the writer re-encodes the name
;; section with the new indices and fails to parse this one, so the pass
;; (alone) fails with
;;   cannot encode module: unexpected end-of-file (at offset 0x3e)
;; (`loom --pass reorder-functions` exits 1). Every level succeeds, since the
;; levels run no pass that moves functions yet.
;;
;; Expected: every level and pass succeeds; a name section that cannot be
;; remapped is dropped (and reported in the stats), like `linking` and
;; `reloc.*` sections are. `a` returns 1 and `b` returns 4.
(module
  (func $a (export "a") (result i32) (i32.const 1))
  (func $b (export "b") (result i32) (call $c) (call $c) (i32.add))
  (func $c (result i32) (i32.const 2))
  ;; A name section with a function-names subsection (id 1) that claims 5
  ;; bytes but holds 3, each 0xff: not even a complete LEB128 count.
  (@custom "name" "\01\05\ff\ff\ff"))
