;; loom: --pass directize
;; call_indirect with a constant index into a table whose contents are known
;; (defined here, not exported, never written, filled by active segments with
;; constant offsets) becomes a direct call; a slot that would trap (out of
;; bounds, null, another type) becomes the arguments' effects then
;; unreachable. Anything else is left alone.
(module
  (type $ii (func (param i32) (result i32)))
  (type $v (func))
  (type $ll (func (param i64) (result i64)))
  (import "env" "g" (global $g (mut i32)))
  (import "env" "c" (global $c i32))
  (import "env" "imported" (table $imported 2 funcref))
  (table $t 6 funcref)
  (table $exported 2 funcref)
  (table $written 2 funcref)
  (table $grown 2 funcref)
  (table $offset 4 funcref)
  (export "exported" (table $exported))
  ;; slot 0..2 of $t; slot 3 is null; the second segment overwrites slot 2
  (elem (table $t) (i32.const 0) func $inc $dec $inc)
  (elem (table $t) (i32.const 2) func $dec $nop)
  (elem (table $imported) (i32.const 0) func $inc $dec)
  (elem (table $exported) (i32.const 0) func $inc $dec)
  (elem (table $written) (i32.const 0) func $inc $dec)
  (elem (table $grown) (i32.const 0) func $inc $dec)
  ;; an offset only known at instantiation: $offset's contents are unknown
  (elem (table $offset) (global.get $c) func $inc)
  (func $inc (type $ii) (i32.add (local.get 0) (i32.const 1)))
  (func $dec (type $ii) (i32.sub (local.get 0) (i32.const 1)))
  (func $nop (type $v))
  (func $effect (result i32) (global.set $g (i32.const 7)) (i32.const 5))
  ;; slot 1 holds $dec of the same type: call $dec
  (func (export "in_bounds") (param i32) (result i32)
    (call_indirect $t (type $ii) (local.get 0) (i32.const 1)))
  ;; the later segment put $dec in slot 2: call $dec
  (func (export "overlap") (param i32) (result i32)
    (call_indirect $t (type $ii) (local.get 0) (i32.const 2)))
  ;; slot 9 is out of bounds: the argument's effect stays, then a trap
  (func (export "out_of_bounds") (result i32)
    (call_indirect $t (type $ii) (call $effect) (i32.const 9)))
  ;; slot 4 is null: trap
  (func (export "null_slot") (param i32) (result i32)
    (call_indirect $t (type $ii) (local.get 0) (i32.const 4)))
  ;; slot 3 holds $nop, of another type: trap
  (func (export "type_mismatch") (param i32) (result i32)
    (call_indirect $t (type $ii) (local.get 0) (i32.const 3)))
  ;; slot 3 with the matching type
  (func (export "no_result")
    (call_indirect $t (type $v) (i32.const 3)))
  ;; tail call through a known slot: return_call $inc
  (func (export "tail") (param i32) (result i32)
    (return_call_indirect $t (type $ii) (local.get 0) (i32.const 0)))
  ;; a tail call that traps (slot 0 holds $inc, of another type) becomes a
  ;; bare unreachable: a block in its place would not be stack-polymorphic
  ;; (regression: spec return_call_indirect.wast)
  (func (export "tail_trap") (result i64)
    (return_call_indirect $t (type $ll) (i64.const 0) (i32.const 0)))
  ;; likewise with a value left under the tail call
  (func (export "tail_trap_extra")
    (i32.const 1)
    (return_call_indirect $t (type $v) (i32.const 9)))
  ;; a trapping tail call whose argument has an effect: left alone
  (func (export "tail_trap_effect") (result i64)
    (return_call_indirect $t (type $ll)
      (i64.extend_i32_u (call $effect)) (i32.const 0)))
  ;; index not constant: left alone
  (func (export "dynamic") (param i32) (result i32)
    (call_indirect $t (type $ii) (local.get 0) (local.get 0)))
  ;; imported, exported and written tables: left alone
  (func (export "imported") (param i32) (result i32)
    (call_indirect $imported (type $ii) (local.get 0) (i32.const 0)))
  (func (export "exported_table") (param i32) (result i32)
    (call_indirect $exported (type $ii) (local.get 0) (i32.const 0)))
  (func (export "written") (param i32) (result i32)
    (call_indirect $written (type $ii) (local.get 0) (i32.const 0)))
  (func (export "grown") (param i32) (result i32)
    (call_indirect $grown (type $ii) (local.get 0) (i32.const 0)))
  (func (export "offset") (param i32) (result i32)
    (call_indirect $offset (type $ii) (local.get 0) (i32.const 0)))
  (func $writer
    (table.set $written (i32.const 1) (ref.null func))
    (drop (table.grow $grown (ref.null func) (i32.const 1))))
)
