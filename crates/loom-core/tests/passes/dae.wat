;; loom: --pass dae
;; Functions only called directly lose parameters whose incoming value is
;; never read, parameters every call passes the same constant, and a result
;; every call drops; every call follows, keeping its arguments' effects in
;; order. Functions whose signature can be seen (exported, in a table, named
;; by ref.func, the start function) keep it.
(module
  (import "env" "g" (global $g (mut i32)))
  (table 1 funcref)
  (elem (i32.const 0) func $in_table)
  (elem declare func $referenced)
  (func $effect (param i32) (result i32)
    (global.set $g (local.get 0))
    (local.get 0))

  ;; param 0 is never read: removed; the calls' first argument has an
  ;; effect, which stays, before the kept argument
  (func $unused_first (param i32 i32) (result i32)
    (i32.add (local.get 1) (i32.const 1)))
  (func (export "unused_first") (param i32) (result i32)
    (call $unused_first (call $effect (i32.const 1)) (local.get 0)))

  ;; the unused param is last: the kept argument is computed first, kept in
  ;; a local while the dropped argument's effect runs
  (func $unused_last (param i32 i32) (result i32)
    (i32.mul (local.get 0) (i32.const 3)))
  (func (export "unused_last") (param i32) (result i32)
    (call $unused_last (local.get 0) (call $effect (i32.const 2))))

  ;; the only param is unused: the argument's effect runs before the call
  (func $unused_only (param i32) (result i32) (i32.const 9))
  (func (export "unused_only") (result i32)
    (call $unused_only (call $effect (i32.const 3))))

  ;; param written before any read: its incoming value is dead
  (func $overwritten (param i32) (result i32)
    (local.set 0 (i32.const 4))
    (i32.add (local.get 0) (local.get 0)))
  (func (export "overwritten") (param i32) (result i32)
    (call $overwritten (local.get 0)))

  ;; every call passes 7: the param becomes a local set to 7 at entry
  (func $always_seven (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))
  (func (export "always_seven") (param i32) (result i32)
    (i32.add
      (call $always_seven (i32.const 7) (local.get 0))
      (call $always_seven (i32.const 7) (i32.const 1))))

  ;; calls pass different constants: kept
  (func $differing (param i32) (result i32)
    (i32.add (local.get 0) (i32.const 1)))
  (func (export "differing") (result i32)
    (i32.add (call $differing (i32.const 1)) (call $differing (i32.const 2))))

  ;; f32 constants with the same value but different NaN bits differ
  (func $nan_bits (param f32) (result f32) (local.get 0))
  (func (export "nan_bits") (result f32)
    (f32.add
      (call $nan_bits (f32.const nan:0x200000))
      (call $nan_bits (f32.const nan:0x400000))))

  ;; every call drops the result: the function returns nothing, its
  ;; returns drop their values (keeping the effect), calls lose the drop
  (func $result_unused (param i32) (result i32)
    (if (local.get 0) (then (return (call $effect (i32.const 5)))))
    (call $effect (i32.const 6)))
  (func (export "result_unused") (param i32)
    (drop (call $result_unused (local.get 0)))
    (drop (call $result_unused (i32.add (local.get 0) (i32.const 1)))))

  ;; one call uses the result: kept
  (func $result_used (param i32) (result i32)
    (i32.add (local.get 0) (i32.const 1)))
  (func (export "result_used") (param i32) (result i32)
    (drop (call $result_used (local.get 0)))
    (call $result_used (local.get 0)))

  ;; recursion: param 1 is only passed to itself, at its own position:
  ;; removed; param 0 is used
  (func $recursive (param i32 i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (call $recursive (i32.sub (local.get 0) (i32.const 1)) (local.get 1)))))
  (func (export "recursive") (param i32 i32) (result i32)
    (call $recursive (local.get 0) (local.get 1)))

  ;; recursion passing the params swapped: both are read, both kept
  (func $swapped (param i32 i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (local.get 1))
      (else (call $swapped (local.get 1) (i32.sub (local.get 0) (i32.const 1))))))
  (func (export "swapped") (param i32 i32) (result i32)
    (call $swapped (local.get 0) (local.get 1)))

  ;; multi-value: results kept, the unused middle param removed
  (func $multi (param i32 i64 i32) (result i32 i32)
    (local.get 2) (local.get 0))
  (func (export "multi") (param i32) (result i32 i32)
    (call $multi (local.get 0) (i64.const 1) (call $effect (local.get 0))))

  ;; tail-called with return_call: the param goes, the result stays
  (func $tail_callee (param i32 i32) (result i32) (local.get 1))
  (func (export "tail_caller") (param i32) (result i32)
    (return_call $tail_callee (call $effect (local.get 0)) (local.get 0)))

  ;; makes a tail call itself: its result stays (its callee's must match)
  (func $makes_tail_call (param i32) (result i32)
    (return_call $result_used (local.get 0)))
  (func (export "makes_tail_call") (param i32)
    (drop (call $makes_tail_call (local.get 0))))

  ;; exported, in the table, named by ref.func: signatures stay
  (func $exported (export "exported") (param i32) (result i32) (i32.const 1))
  (func $in_table (param i32) (result i32) (i32.const 2))
  (func $referenced (param i32) (result i32) (i32.const 3))
  (func (export "observable") (result i32)
    (drop (ref.func $referenced))
    (drop (call $exported (i32.const 0)))
    (drop (call $in_table (i32.const 0)))
    (call $referenced (i32.const 0)))

  ;; a branch to the function's label carries the result: dropped there too
  (func $branches_out (param i32) (result i32)
    (br_if 0 (i32.const 1) (local.get 0))
    (drop)
    (i32.const 2))
  (func $br_out (param i32) (result i32)
    (block (br 1 (call $effect (local.get 0))))
    (i32.const 2))
  (func (export "branches") (param i32)
    (drop (call $branches_out (local.get 0)))
    (drop (call $br_out (local.get 0))))
;; a chain: $chain_inner's param is unused; once calls stop passing it,
  ;; $chain_outer's param is unused too (found in the next round)
  (func $chain_inner (param i32) (result i32) (i32.const 1))
  (func $chain_outer (param i32) (result i32) (call $chain_inner (local.get 0)))
  (func (export "chain") (param i32) (result i32) (call $chain_outer (local.get 0)))

  ;; a constant passed from outside and by the function to itself (the param
  ;; is never written): propagated
  (func $countdown (param i32 i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (local.get 1))
      (else (call $countdown (i32.sub (local.get 0) (i32.const 1)) (local.get 1)))))
  (func (export "countdown") (param i32) (result i32)
    (call $countdown (local.get 0) (i32.const 42)))

  ;; the argument with an effect is a block parameter (a value already on
  ;; the stack): it cannot be moved into a block, so the param stays
  (func $pop_arg (param i32) (result i32) (i32.const 5))
  (func (export "pop_arg") (param i32) (result i32)
    (local.get 0)
    (block (param i32) (result i32)
      (call $pop_arg)))

  ;; every call passes the same `ref.func` (a constant; valid callers mean
  ;; the function is declared): the param goes, the callee sets it at entry
  (elem declare func $target)
  (func $target (result i32) (i32.const 9))
  (func $call_ref_param (param funcref) (result i32)
    (ref.is_null (local.get 0)))
  (func (export "ref_func_arg") (result i32)
    (i32.add
      (call $call_ref_param (ref.func $target))
      (call $call_ref_param (ref.func $target))))
)
