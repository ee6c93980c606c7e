;; loom: --pass remove-unused-brs
;; Each function shows one rule; what must stay stays.
(module
  (global $g (mut i32) (i32.const 0))
  (tag $e (param i32))
  (func $effect (result i32) (global.set $g (i32.const 1)) (i32.const 2))
  (func (export "tail_br") (param $x i32)
    ;; the br flows to the block's end anyway: it goes, the block stays
    (block $b
      ;; a nop is vacuum's business: it stays
      (nop)
      (global.set $g (local.get $x))
      (br_if $b (local.get $x))
      (global.set $g (i32.const 1))
      (br $b)))
  (func (export "tail_br_value") (param $x i32) (result i32)
    ;; the value becomes the body's value
    (block $b (result i32)
      (global.set $g (local.get $x))
      (br $b (i32.add (local.get $x) (i32.const 1)))))
  (func (export "tail_br_nested") (param $x i32) (result i32)
    ;; both arms of the last if end where $b ends: both brs go
    (block $b (result i32)
      (drop (br_if $b (i32.const 7) (local.get $x)))
      (if (result i32) (local.get $x)
        (then (global.set $g (i32.const 1)) (br $b (i32.const 1)))
        (else (br $b (call $effect))))))
  (func (export "tail_return") (param $x i32) (result i32)
    ;; a branch to the function's own label at its end
    (global.set $g (local.get $x))
    (br 0 (local.get $x)))
  (func (export "tail_multi") (param $x i32) (result i32 i32)
    (block $b (result i32 i32)
      (global.set $g (local.get $x))
      (br $b (local.get $x) (i32.const 2))))
  (func (export "not_tail") (param $x i32) (result i32)
    ;; the br is not last in its label's body: kept
    (block $b (result i32)
      (block $inner
        (br_if $inner (local.get $x))
        (br $b (i32.const 1)))
      (i32.const 2)))
  (func (export "loop_kept") (param $x i32) (result i32)
    ;; a branch to a loop is a back-edge: kept; the br out of it at the
    ;; loop's end (carrying a value) goes
    (block $out (result i32)
      (loop $l (result i32)
        (local.set $x (i32.sub (local.get $x) (i32.const 1)))
        (br_if $l (local.get $x))
        (br $out (local.get $x)))))
  (func (export "br_table_same") (param $x i32)
    ;; all targets equal: br, the index has no effects
    (block $b
      (block $c
        (br_table $b $b $b (local.get $x)))
      (global.set $g (i32.const 1))))
  (func (export "br_table_same_effects")
    ;; the index keeps its effects as a drop
    (block $b
      (block $c
        (br_table $b $b (call $effect)))
      (global.set $g (i32.const 1))))
  (func (export "if_to_br_if") (param $x i32)
    (block $b
      (if (local.get $x) (then (br $b)))
      (global.set $g (i32.const 1))))
  (func (export "if_else_to_br_if") (param $x i32)
    (block $b
      ;; the else arm follows the br_if
      (if (local.get $x) (then (br $b)) (else (global.set $g (i32.const 2))))
      ;; the then arm follows a br_if on the negated condition
      (if (i32.eqz (local.get $x)) (then (global.set $g (i32.const 3))) (else (br $b)))
      (global.set $g (i32.const 1))))
  (func (export "if_br_value") (param $x i32) (result i32)
    (block $b (result i32)
      ;; the constant value may run before the condition
      (if (call $effect) (then (br $b (i32.const 5))))
      ;; a call value may not: kept
      (if (local.get $x) (then (br $b (call $effect))))
      (i32.const 1)))
  (func (export "block_br_if") (param $x i32)
    ;; block $b whose only branch is a br_if at its top level: an if
    (block $b
      (global.set $g (i32.const 1))
      (br_if $b (local.get $x))
      (global.set $g (i32.const 2)))
    (block $c
      (br_if $c (i32.eqz (local.get $x)))
      (global.set $g (i32.const 3))))
  (func (export "block_br_if_kept") (param $x i32)
    ;; a second branch names $b: kept
    (block $b
      (br_if $b (local.get $x))
      (global.set $g (i32.const 2))
      (if (global.get $g) (then (br $b)))
      (global.set $g (i32.const 3))))
  (func (export "const_br_if") (param $x i32) (result i32)
    (block $b (result i32)
      (block $c
        ;; never taken: goes, its value stays
        (drop (br_if $b (local.get $x) (i32.const 0)))
        (br_if $c (i32.const 0))
        (global.set $g (i32.const 1))
        ;; always taken: br
        (br_if $c (i32.const 1))
        (global.set $g (i32.const 2)))
      (i32.const 3)))
  (func (export "const_if") (param $x i32) (result i32)
    ;; unnamed and void: the arm is spliced, and so is an unnamed block
    (block (global.set $g (i32.const 0)))
    (if (i32.const 1) (then (global.set $g (i32.const 1))) (else (global.set $g (i32.const 2))))
    (if (i32.const 0) (then (global.set $g (i32.const 3))))
    ;; named: the arm stays a block, its branch still ends it (then the
    ;; block and its br_if become an if)
    (if $i (i32.const 0)
      (then (global.set $g (i32.const 4)))
      (else (br_if $i (local.get $x)) (global.set $g (i32.const 5))))
    ;; with a value
    (if (result i32) (i32.const 7) (then (call $effect)) (else (i32.const 6))))
  (func (export "const_br_table") (result i32)
    ;; index 1 picks $b
    (block $a
      (block $b
        (block $c
          (br_table $c $b $a (i32.const 1)))
        (return (i32.const 1)))
      (return (i32.const 2)))
    (i32.const 3))
  (func (export "const_select") (param $x i32) (result i32)
    (i32.add
      (select (local.get $x) (i32.const 2) (i32.const 1))
      ;; the dropped value has effects: kept
      (select (call $effect) (local.get $x) (i32.const 0))))
  (func (export "if_to_select") (param $x i32) (param $y i32) (result i32)
    (i32.add
      (if (result i32) (local.get $x) (then (local.get $y)) (else (i32.const 3)))
      ;; the condition writes $y, which an arm reads: kept
      (if (result i32) (local.tee $y (local.get $x)) (then (local.get $y)) (else (i32.const 3)))))
  (func (export "if_to_select_kept") (param $x i32) (result i32)
    ;; an arm with effects: kept
    (if (result i32) (local.get $x) (then (call $effect)) (else (i32.const 3))))
  (func (export "try_tail") (param $x i32)
    ;; the br ends the try's body, which ends $b's body
    block $b
      try
        local.get $x
        global.set $g
        br $b
      catch $e
        drop
        br $b
      end
    end)
  (func (export "try_table_target") (param $x i32) (result i32)
    ;; a try_table catch names $h: the block stays; the br at the try_table's
    ;; end stays too, the try_table yields no value
    (block $h (result i32)
      (try_table (catch $e $h)
        (global.set $g (local.get $x))
        (br $h (i32.const 0)))
      (i32.const 1)))
  (func (export "unreachable_code") (param $x i32)
    (block $b
      (if (local.get $x) (then (unreachable)))
      (br_if $b (local.get $x))
      (unreachable)))
  (func (export "params") (param $x i32) (result i32)
    ;; a block with parameters: its br at the end carries the value
    (local.get $x)
    (block $b (param i32) (result i32)
      (br $b (i32.add (i32.const 1)))))
  (func $two (result i32 i32) (global.set $g (i32.const 9)) (i32.const 1) (i32.const 0))
  (func (export "multi_value_operand") (result i32)
    ;; one call gives the value and the index: it is not the index alone,
    ;; kept
    (block $b (result i32)
      (br_table $b $b (call $two))))
  (func (export "block_br_if_values_before") (param $x i32)
    ;; the constant is left on the stack for the final br to discard: it
    ;; may not move out of the block: kept (fuzz seed 6 module 199)
    block $out
      block $b
        i32.const 7
        local.get $x
        br_if $b
        global.get $g
        global.set $g
        br $out
      end
    end))
