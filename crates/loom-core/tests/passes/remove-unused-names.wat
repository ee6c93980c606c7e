;; loom: --pass remove-unused-names
;; Labels no branch needs go; the code in their blocks stays in place.
(module
  (tag $e (param i32))
  (global $g (mut i32) (i32.const 0))
  (func $f (result i32) (global.set $g (i32.const 1)) (i32.const 2))
  (func (export "unused_blocks") (param $x i32)
    ;; neither block is targeted: both go, their statements stay in order
    (block (global.set $g (i32.const 1))
      (block (global.set $g (i32.const 2)))
      (global.set $g (i32.const 3))))
  (func (export "used_block_stays") (param $x i32)
    ;; $b is targeted: it stays; the block around it goes
    (block
      (block $b (br_if $b (local.get $x)) (global.set $g (i32.const 1)))
      (global.set $g (i32.const 2))))
  (func (export "value_block_last") (param $x i32) (result i32)
    ;; the value block ends the function body: spliced, its value is the
    ;; function's
    (block (result i32) (global.set $g (i32.const 1)) (local.get $x)))
  (func (export "retarget_to_parent") (param $x i32) (result i32)
    ;; $inner ends where $outer ends with the same type: its branch goes
    ;; to $outer and $inner disappears; $outer stays (still targeted)
    (block $outer (result i32)
      (drop (br_if $outer (i32.const 1) (local.get $x)))
      (block $inner (result i32)
        (drop (br_if $inner (i32.const 2) (local.get $x)))
        (i32.const 3))))
  (func (export "retarget_to_function") (param $x i32) (result i32)
    ;; a block ending the function: its branches become branches to the
    ;; function's label (return), and the block goes
    (block $b (result i32)
      (drop (br_if $b (i32.const 2) (local.get $x)))
      (i32.const 3)))
  (func (export "retarget_to_if_arm") (param $x i32) (result i32)
    ;; a block that is an arm's whole content hands its branch to the if
    (if (result i32) (local.get $x)
      (then (block $b (result i32)
        (drop (br_if $b (i32.const 1) (local.get $x)))
        (i32.const 2)))
      (else (i32.const 3))))
  (func (export "no_retarget_different_type") (param $x i32)
    ;; the inner block yields a value the outer does not: it stays
    (block $outer
      (drop (block $inner (result i32)
        (drop (br_if $inner (i32.const 1) (local.get $x)))
        (i32.const 2)))))
  (func (export "no_retarget_into_loop") (param $x i32)
    ;; a loop's label is its start: the block keeps its label
    (loop $l
      (block $b (br_if $b (local.get $x)) (br $l))))
  (func (export "loop_without_backedge") (param $x i32)
    ;; nothing branches back: the loop is a block, then spliced
    (loop $l (global.set $g (local.get $x)))
    ;; this one loops: it stays
    (loop $m (br_if $m (local.tee $x (i32.sub (local.get $x) (i32.const 1))))))
  (func (export "loop_value_operand") (param $x i32) (result i32)
    ;; a loop with a value and no back-edge, in an operand: it becomes a
    ;; block (merge-blocks moves operand blocks)
    (i32.add (loop (result i32) (local.get $x)) (i32.const 1)))
  (func (export "block_params_stay") (param $x i32) (result i32)
    ;; a block with parameters is not spliced
    (i32.const 1)
    (block (param i32) (result i32) (i32.add (local.get $x))))
  (func (export "try_body_blocks") (param $x i32)
    ;; blocks inside try bodies and handlers go; the try stays
    try
      (block (throw $e (local.get $x)))
    catch $e
      global.set $g
      (block (global.set $g (i32.const 4)))
    end
    (block $h
      (try_table (catch_all $h)
        (block (drop (call $f))))))
  (func (export "delegate_target_stays") (param $x i32)
    ;; a block named by a delegate keeps its label
    block $d
      try
        local.get $x
        throw $e
      delegate $d
    end)
  (func (export "multi_value") (param $x i32) (result i32 i32)
    ;; a multi-value block ending the function: retargeted and spliced
    (block $b (result i32 i32)
      (br_if $b (i32.const 1) (i32.const 2) (local.get $x))
      (drop) (drop)
      (i32.const 3) (i32.const 4)))
  (func (export "after_unreachable") (result i32)
    ;; a value block in the middle, before code that never finishes
    (block (result i32) (global.set $g (i32.const 1)) (i32.const 2))
    (unreachable)))
