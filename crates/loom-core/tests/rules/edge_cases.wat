;; loom: --pass optimize-instructions
;; Rules in the surroundings the IR has to get right: operands that are
;; labeled blocks, loops carrying values, unreachable code, exceptions,
;; multi-value, and statements (stores) inside bodies.
(module
  (tag $e (param i32))
  (memory 1)
  ;; x + 0 where x is a block that is a branch target: the block (and the
  ;; branch to it) stays, only the add goes.
  (func (export "labeled_operand") (param i32) (result i32)
    (i32.add
      (block $b (result i32)
        (drop (br_if $b (i32.const 5) (local.get 0)))
        (i32.const 6))
      (i32.const 0)))
  ;; Absorbing constant with a block operand that branches: must NOT fold
  ;; (a branch is not removable).
  (func (export "absorb_branching_block") (param i32) (result i32)
    (i32.mul
      (block $b (result i32)
        (drop (br_if $b (i32.const 5) (local.get 0)))
        (i32.const 6))
      (i32.const 0)))
  ;; Inside a loop carrying a value: the loop body's adds are simplified.
  (func (export "in_loop") (param i32) (result i32)
    (loop $l (result i32)
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br_if $l (i32.ne (local.get 0) (i32.const 0)))
      (i32.mul (local.get 0) (i32.const 4))))
  ;; Unreachable operand: nothing is rewritten around it.
  (func (export "unreachable_operand") (result i32)
    (i32.mul (unreachable) (i32.const 0)))
  ;; Rules apply inside try and try_table bodies and catch handlers.
  (func (export "in_try") (param i32) (result i32)
    try (result i32)
      (i32.add (local.get 0) (i32.const 0))
    catch $e
      (i32.mul (i32.const 1) (i32.mul (i32.const 2) (i32.const 3)))
      (drop)
    end)
  (func (export "in_try_table") (param i32) (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $e $h)
        (i32.or (i32.const 0) (local.get 0)))))
  ;; A throw inside an operand: not removable, the mul by 0 stays.
  (func (export "throwing_operand") (param i32) (result i32)
    (i32.mul
      (if (result i32) (local.get 0)
        (then (throw $e (i32.const 1)))
        (else (i32.const 2)))
      (i32.const 0)))
  ;; Multi-value: each value is simplified separately.
  (func (export "multi_value") (param i32) (result i32 i32)
    (i32.add (local.get 0) (i32.const 0))
    (i32.xor (local.get 0) (local.get 0)))
  ;; Store statements in a block body get their offsets folded.
  (func (export "store_in_body") (param i32)
    (block
      (i32.store offset=4 (i32.add (i32.and (local.get 0) (i32.const 0xfff)) (i32.const 8)) (i32.const 1))
      (i64.store (i32.add (i32.const 16) (i32.const 16)) (i64.const 2))))
  ;; A rewrite's result is re-simplified: (x * 8) * 2 -> x * 16 -> x << 4,
  ;; and eqz(eqz(x == y)) -> eqz(x != y) -> x == y.
  (func (export "chained") (param i32 i32) (result i32)
    (i32.add
      (i32.mul (i32.mul (local.get 0) (i32.const 8)) (i32.const 2))
      (i32.eqz (i32.eqz (i32.eq (local.get 0) (local.get 1))))))
)
