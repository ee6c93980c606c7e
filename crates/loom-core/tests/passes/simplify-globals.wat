;; loom: --pass simplify-globals
;; Reads of globals whose value can never change become their constant;
;; writes nothing can read become drops of the written value.
(module
  (import "env" "imported_const" (global $imported_const i32))
  (import "env" "imported_mut" (global $imported_mut (mut i32)))
  (import "env" "effect" (func $effect (result i32)))
  ;; immutable with a constant: reads become the constant
  (global $const i32 (i32.const 42))
  (global $const_i64 i64 (i64.const -7))
  (global $const_f32 f32 (f32.const 1.5))
  (global $const_f64 f64 (f64.const -2.25))
  (global $const_v128 v128 (v128.const i32x4 1 2 3 4))
  (global $null funcref (ref.null func))
  (global $func funcref (ref.func $effect))
  ;; mutable but never written, not exported: as good as immutable
  (global $never_written (mut i32) (i32.const 7))
  ;; chains: the value of the global it reads
  (global $chain i32 (global.get $const))
  (global $chain2 (mut i32) (global.get $chain))
  ;; reads an immutable import: reads become reads of the import
  (global $alias i32 (global.get $imported_const))
  ;; the shadow-stack pointer: mutable and written, never a constant
  (global $sp (mut i32) (i32.const 1024))
  ;; exported mutable: the host can write it, never a constant
  (global $exported_mut (mut i32) (i32.const 5))
  ;; exported immutable: still a constant
  (global $exported_const i32 (i32.const 6))
  ;; written, never read: its writes become drops (the value's effects stay)
  (global $write_only (mut i32) (i32.const 0))
  ;; written, read only by an export: kept
  (global $write_exported (mut i32) (i32.const 0))
  ;; written and read in code: kept
  (global $counter (mut i32) (i32.const 0))
  ;; written only with the value it starts with: still fixed
  (global $reset (mut i32) (i32.const 0))
  (global $alias_reset (mut i32) (global.get $imported_const))
  ;; written with another value: kept
  (global $changed (mut i32) (i32.const 0))
  (memory 1)
  ;; offsets are left as they are (sections are written as read)
  (data (offset (global.get $const)) "x")
  (export "exported_mut" (global $exported_mut))
  (export "exported_const" (global $exported_const))
  (export "write_exported" (global $write_exported))

  (func (export "constants") (result i32)
    (drop (global.get $const_i64))
    (drop (global.get $const_f32))
    (drop (global.get $const_f64))
    (drop (global.get $const_v128))
    (drop (global.get $null))
    (drop (global.get $func))
    (drop (global.get $exported_const))
    (i32.add (global.get $const) (global.get $never_written)))

  (func (export "chains") (result i32)
    (i32.add (global.get $chain) (global.get $chain2)))

  (func (export "alias") (result i32)
    (i32.add (global.get $alias) (global.get $imported_const)))

  ;; none of these reads may change
  (func (export "not_constant") (result i32)
    (global.set $sp (i32.sub (global.get $sp) (i32.const 16)))
    (drop (global.get $imported_mut))
    (drop (global.get $exported_mut))
    (global.get $sp))

  (func (export "write_only")
    ;; the call stays, its result is dropped
    (global.set $write_only (call $effect))
    (global.set $write_only (i32.const 3))
    (global.set $write_exported (i32.const 4))
    ;; written and read: kept
    (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
    ;; imported mutable: the host can read it, kept
    (global.set $imported_mut (i32.const 9)))

  ;; in a loop and under a branch
  (func (export "nested") (param i32) (result i32)
    (loop $l (result i32)
      (br_if $l (i32.eq (local.get 0) (global.get $const)))
      (if (result i32) (local.get 0)
        (then (global.get $chain2))
        (else (global.set $write_only (local.get 0)) (global.get $never_written)))))

  ;; writes of the initial value are drops; reads become it
  (func (export "same_value") (result i32)
    (global.set $reset (i32.const 0))
    (global.set $alias_reset (global.get $imported_const))
    (global.set $changed (i32.const 0))
    (global.set $changed (i32.const 1))
    (i32.add (i32.add (global.get $reset) (global.get $alias_reset))
      (global.get $changed))))
