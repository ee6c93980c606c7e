;; loom: --pass inlining
;; Functions called once (and not otherwise referenced) are inlined and
;; removed; functions no larger than their call are inlined everywhere;
;; recursive, escaping-and-large, tail-calling and imported functions stay.
(module
  (import "env" "log" (func $log (param i32) (result i32)))
  (type $pair_t (func (result i32 i32)))
  (global $g (mut i32) (i32.const 0))
  (table 2 funcref)
  (elem (i32.const 0) func $in_table)
  (elem declare func $by_ref)

  ;; called once: inlined, then removed; its parameter gets the argument
  (func $once (param i32) (result i32)
    (i32.mul (i32.add (local.get 0) (i32.const 7)) (local.get 0)))
  (func (export "called_once") (param i32) (result i32)
    (call $once (local.get 0)))

  ;; tiny (no larger than a call): inlined at all three sites, removed
  (func $get_g (result i32) (global.get $g))
  (func (export "tiny") (result i32)
    (i32.add (call $get_g) (i32.add (call $get_g) (call $get_g))))

  ;; direct recursion: never inlined, kept
  (func $fact (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 1))
      (else (i32.mul (local.get 0) (call $fact (i32.sub (local.get 0) (i32.const 1)))))))
  (func (export "recursive") (param i32) (result i32)
    (call $fact (local.get 0)))

  ;; mutual recursion: neither inlined, both kept
  (func $even (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 1))
      (else (call $odd (i32.sub (local.get 0) (i32.const 1))))))
  (func $odd (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (call $even (i32.sub (local.get 0) (i32.const 1))))))
  (func (export "mutual") (param i32) (result i32)
    (call $even (local.get 0)))

  ;; called once but exported, in a table, or named by ref.func: not
  ;; inlined (a copy would grow the module) and kept
  (func $exported (export "exported") (param i32) (result i32)
    (i32.mul (i32.add (local.get 0) (i32.const 3)) (i32.const 5)))
  (func $in_table (param i32) (result i32)
    (i32.mul (i32.add (local.get 0) (i32.const 3)) (i32.const 6)))
  (func $by_ref (param i32) (result i32)
    (i32.mul (i32.add (local.get 0) (i32.const 3)) (i32.const 7)))
  (func (export "escaping") (param i32) (result i32)
    (drop (ref.func $by_ref))
    (i32.add (call $exported (local.get 0))
      (i32.add (call $in_table (local.get 0)) (call $by_ref (local.get 0)))))

  ;; a callee local read before it is written, called in a loop: its copy
  ;; is set to 0 at the inlined entry, so every iteration sees 0
  (func $counter (result i32) (local $n i32)
    (local.set $n (i32.add (local.get $n) (i32.const 1)))
    (local.get $n))
  (func (export "in_loop") (param i32) (result i32) (local $sum i32)
    (loop $l
      (local.set $sum (i32.add (local.get $sum) (call $counter)))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get $sum))

  ;; two results: the block takes the callee's type
  (func $pair (type $pair_t) (i32.const 1) (call $log (i32.const 2)))
  (func (export "multi_value") (result i32)
    (i32.sub (call $pair)))

  ;; early return: becomes a branch out of the inlined block
  (func $early (param i32) (result i32)
    (if (local.get 0) (then (return (call $log (i32.const 1)))))
    (call $log (i32.const 2)))
  (func (export "early_return") (param i32) (result i32)
    (i32.add (call $early (local.get 0)) (i32.const 10)))

  ;; br_table to the callee's own label: targets the inlined block
  (func $table_exit (param i32) (result i32)
    (drop (block $inner (result i32)
      (br_table $inner 1 (call $log (i32.const 5)) (local.get 0))))
    (call $log (i32.const 6)))
  (func (export "br_table_out") (param i32) (result i32)
    (call $table_exit (local.get 0)))

  ;; a callee that never returns
  (func $trap (result i32) (unreachable))
  (func (export "unreachable_callee") (result i32)
    (i32.add (call $trap) (i32.const 1)))

  ;; arguments with side effects: still evaluated in order, each stored
  ;; before the next is computed
  (func $sub (param i32 i32) (result i32)
    (i32.sub (local.get 1) (local.get 0)))
  (func (export "argument_order") (result i32)
    (call $sub (call $log (i32.const 1)) (call $log (i32.const 2))))

  ;; the callee writes its parameter: the caller's argument is untouched
  (func $bump (param i32) (result i32)
    (local.set 0 (i32.add (local.get 0) (i32.const 1)))
    (i32.mul (local.get 0) (local.get 0)))
  (func (export "params_written") (param i32) (result i32)
    (i32.add (call $bump (local.get 0)) (local.get 0)))

  ;; a chain of functions called once: all inlined into the export
  (func $c (param i32) (result i32) (call $log (i32.add (local.get 0) (i32.const 3))))
  (func $b (param i32) (result i32) (call $c (i32.add (local.get 0) (i32.const 2))))
  (func $a (param i32) (result i32) (call $b (i32.add (local.get 0) (i32.const 1))))
  (func (export "chain") (param i32) (result i32)
    (call $a (local.get 0)))

  ;; the argument is a block parameter (a Pop): it becomes the inlined
  ;; block's own parameter
  (func $neg (param i32) (result i32)
    (i32.sub (i32.const 0) (call $log (local.get 0))))
  (func (export "block_param") (result i32)
    (i32.const 9)
    (block (param i32) (result i32) (call $neg)))

  ;; a tail-calling callee is not inlined (its return_call would return
  ;; from the caller); a function only tail-called is not removed
  (func $tail (param i32) (result i32)
    (return_call $log (i32.add (local.get 0) (local.get 0))))
  (func $tail_target (param i32) (result i32)
    (i32.mul (local.get 0) (call $log (local.get 0))))
  (func (export "tail_calls") (param i32) (result i32)
    (i32.add (call $tail (local.get 0)) (call $tail (local.get 0))))
  (func (export "tail_caller") (param i32) (result i32)
    (return_call $tail_target (local.get 0)))
;; a multi-value argument: it becomes the block's parameters
  (func (export "multi_value_argument") (result i32)
    (call $sub (call $pair)))

  ;; try_table catching into the callee's own label: the catch now leaves
  ;; the inlined block
  (func $guarded
    (try_table (catch_all 0)
      (drop (call $log (i32.const 1))))
    (drop (call $log (i32.const 2))))
  (func (export "try_table_callee") (result i32)
    (call $guarded)
    (i32.const 1))

  ;; legacy try/catch stays inside the copy
  (func $legacy (result i32)
    try (result i32)
      (call $log (i32.const 1))
    catch_all
      (i32.const 3)
    end)
  (func (export "legacy_try_callee") (result i32)
    (i32.add (call $legacy) (i32.const 1)))

  ;; legacy delegate to the callee's own label (to its caller): not inlined
  (func $delegating (result i32)
    try (result i32)
      (call $log (i32.const 1))
    delegate 0)
  (func (export "delegate_callee") (result i32)
    (i32.add (call $delegating) (i32.const 1)))

  ;; a non-nullable local: never zeroed (validation makes the callee set it
  ;; before reading it), even in a loop
  (func $non_null (result i32) (local $f (ref func))
    (local.set $f (ref.func $by_ref))
    (ref.is_null (local.get $f)))
  (func (export "non_nullable_local") (param i32) (result i32)
    (loop $l
      (drop (call $non_null))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get 0))
)
