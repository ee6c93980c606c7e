;; loom: --pass dce
;; Code that can never run goes; what runs before it stays, in order.
(module
  (tag $e (param i32))
  (global $g (mut i32) (i32.const 0))
  (func $f (result i32) (global.set $g (i32.const 1)) (i32.const 2))
  (func $take3 (param i32 i32 i32))
  (func (export "operand_block_returns")
    ;; the block never finishes: the add and drop never run; the call
    ;; still runs (its value stays on the stack), the block is spliced
    (drop (i32.add (call $f) (block (result i32) (return)))))
  (func (export "pure_operand_goes") (param $x i32)
    ;; local.get has no effects: it goes; the if keeps its type, so an
    ;; unreachable follows it
    (drop (i32.add
      (local.get $x)
      (if (result i32) (local.get $x) (then (return)) (else (unreachable))))))
  (func (export "after_diverging_block")
    ;; the block returns on every path and nothing branches to it
    (block (return))
    (drop (call $f))
    (global.set $g (i32.const 7)))
  (func (export "after_if_result") (param $x i32) (result i32)
    ;; both arms return: the constant after the if goes, an unreachable
    ;; takes its place (the if yields nothing, the function needs an i32)
    (if (local.get $x)
      (then (return (i32.const 1)))
      (else (return (i32.const 2))))
    (i32.const 3))
  (func (export "targeted_block_stays") (param $x i32)
    ;; the br_if may leave the block: the call after it runs
    (block $b (br_if $b (local.get $x)) (return))
    (drop (call $f)))
  (func (export "if_branching_to_itself") (param $x i32) (result i32)
    ;; both arms end in a branch, but to the if's own end: it falls through
    (drop (if (result i32) (local.get $x)
      (then (br 0 (i32.const 1)))
      (else (br 0 (i32.const 2)))))
    (i32.const 4))
  (func (export "infinite_loop") (param $x i32)
    ;; a loop whose body always branches back never finishes
    (loop $l (local.set $x (i32.add (local.get $x) (i32.const 1))) (br $l))
    (drop (call $f)))
  (func (export "branch_value_diverges") (result i32)
    ;; the br never happens: its target loses its only branch and the
    ;; whole block becomes the return
    (block $b (result i32)
      (br $b (block (result i32) (return (i32.const 0))))))
  (func (export "multi_value_operand")
    ;; the call never happens; the constant before the block goes
    (call $take3 (i32.const 1)
      (block (result i32 i32) (unreachable))))
  (func (export "block_param_diverges")
    ;; the block with a parameter never starts
    (block (result i32) (unreachable))
    (block (param i32) (drop) (global.set $g (i32.const 6)))
    (drop (call $f)))
  (func (export "legacy_try") (param $x i32)
    ;; the body throws, the handler returns: nothing after the try runs
    try
      local.get $x
      throw $e
    catch $e
      drop
      return
    end
    (drop (call $f)))
  (func (export "legacy_try_falls_through") (param $x i32)
    ;; the catch_all falls through: the call stays
    try
      local.get $x
      throw $e
    catch_all
    end
    (drop (call $f)))
  (func (export "try_table") (param $x i32)
    ;; the try_table body throws and its catch goes to $h: after the
    ;; try_table nothing runs, but after $h the call does
    (block $h
      (try_table (catch_all $h) (throw $e (local.get $x)))
      (global.set $g (i32.const 8)))
    (drop (call $f)))
  (func (export "condition_diverges") (param $x i32)
    ;; the if's condition never finishes: the if goes, the local.set stays
    (if (block (result i32) (local.set $x (i32.const 1)) (return))
      (then (global.set $g (i32.const 9))))
    (drop (call $f))))
