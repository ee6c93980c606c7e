;; loom: --pass merge-blocks
;; Blocks are flattened; block contents move out of operands when the
;; effects allow it.
(module
  (global $g (mut i32) (i32.const 0))
  (memory 1)
  (tag $e (param i32))
  (func $f (result i32) (global.set $g (i32.const 1)) (i32.const 2))
  (func (export "nested") (param $x i32)
    ;; unused blocks in bodies are spliced, however deep
    (block (block (block (global.set $g (local.get $x)))))
    (if (local.get $x) (then (block (global.set $g (i32.const 1))))))
  (func (export "drop_block") (param $x i32)
    ;; (drop (block s v)) -> s (drop v)
    (drop (block (result i32) (global.set $g (i32.const 1)) (local.get $x))))
  (func (export "first_operand") (param $x i32) (result i32)
    ;; the block is evaluated first: its statement always moves out
    (i32.add
      (block (result i32) (global.set $g (i32.const 1)) (call $f))
      (local.get $x)))
  (func (export "second_operand_pure") (param $x i32) (param $y i32) (result i32)
    ;; local.get $x commutes with a global.set: the statement moves out
    (i32.add
      (local.get $x)
      (block (result i32) (global.set $g (i32.const 1)) (local.get $y))))
  (func (export "second_operand_local") (param $x i32) (result i32)
    ;; the statement writes $x, read by the first operand: it stays
    (i32.add
      (local.get $x)
      (block (result i32) (local.set $x (i32.const 1)) (local.get $x))))
  (func (export "second_operand_other_local") (param $x i32) (param $y i32) (result i32)
    ;; the statement writes $y, the first operand reads only $x: moves
    (i32.add
      (local.get $x)
      (block (result i32) (local.set $y (i32.const 1)) (local.get $y))))
  (func (export "second_operand_call") (param $x i32) (result i32)
    ;; the first operand calls: the global.set must not move before it
    (i32.add
      (call $f)
      (block (result i32) (global.set $g (i32.const 1)) (local.get $x))))
  (func (export "statement_calls") (param $x i32) (param $y i32) (result i32)
    ;; a call cannot touch the caller's locals: storing its result in $y
    ;; moves before the read of $x
    (i32.add
      (local.get $x)
      (block (result i32) (local.set $y (call $f)) (local.get $y))))
  (func (export "statement_calls_local_read") (param $x i32) (result i32)
    ;; but not before a read of the local it writes
    (i32.add
      (local.get $x)
      (block (result i32) (local.set $x (call $f)) (local.get $x))))
  (func (export "second_operand_load") (param $x i32) (result i32)
    ;; the first operand may trap, the statement stores: it stays
    (i32.add
      (i32.load (local.get $x))
      (block (result i32) (i32.store (local.get $x) (i32.const 1)) (local.get $x))))
  (func (export "value_only") (param $x i32) (result i32)
    ;; a block holding only its value is replaced by the value
    (i32.add (local.get $x) (block (result i32) (block (result i32) (local.get $x)))))
  (func (export "targeted_stays") (param $x i32) (result i32)
    ;; a branch leaves the block: it stays in its operand
    (i32.add (local.get $x)
      (block $b (result i32)
        (drop (br_if $b (i32.const 1) (local.get $x)))
        (i32.const 2))))
  (func (export "if_condition") (param $x i32)
    ;; the condition is the if's first operand
    (if (block (result i32) (global.set $g (i32.const 1)) (local.get $x))
      (then (global.set $g (i32.const 2)))))
  (func (export "multi_value") (param $x i32) (result i32)
    ;; a multi-value block feeding a binary op
    (i32.add (block (result i32 i32) (global.set $g (i32.const 1)) (local.get $x) (i32.const 2))))
  (func (export "inner_hoists") (param $x i32) (result i32)
    ;; blocks inside moved statements are flattened too
    (local.set $x (block (result i32)
      (drop (block (result i32) (global.set $g (i32.const 3)) (local.get $x)))
      (i32.const 4)))
    (local.get $x))
  (func (export "after_block_parameter") (param $x i32) (result i32)
    ;; the parameter is already on the stack when the block starts: the
    ;; statement must not move above it
    (local.get $x)
    (block (param i32) (result i32)
      (i32.add (block (result i32) (global.set $g (i32.const 1)) (local.get $x)))))
  (func (export "after_caught_value") (param $x i32) (result i32)
    ;; likewise for a value a catch receives
    try (result i32)
      (throw $e (local.get $x))
    catch $e
      (i32.add (block (result i32) (global.set $g (i32.const 1)) (local.get $x)))
    end))
