;; loom: --pass vacuum
;; Each function shows one rule; what must stay stays.
(module
  (global $g (mut i32) (i32.const 0))
  (memory 1)
  (func $effect (result i32) (global.set $g (i32.const 1)) (i32.const 2))
  (func (export "nops") (nop) (nop))
  (func (export "drop_pure") (param $x i32)
    (drop (i32.add (local.get $x) (i32.const 1)))
    (drop (f64.sqrt (f64.const -1))))
  (func (export "drop_keeps_effects") (param $x i32)
    ;; the add goes, the call in its operand stays
    (drop (i32.add (call $effect) (local.get $x)))
    ;; division by zero traps: it stays whole
    (drop (i32.div_s (local.get $x) (i32.const 0)))
    ;; loads can trap: they stay
    (drop (i32.load (local.get $x))))
  (func (export "empty_blocks")
    (block)
    (loop)
    (block $outer (block (nop)) (loop (nop))))
  (func (export "empty_if") (param $x i32)
    (if (local.get $x) (then) (else))
    (if (call $effect) (then (nop))))
  (func (export "kept") (param $x i32) (result i32)
    (local.set $x (i32.const 5))
    (block $b (br_if $b (local.get $x)) (global.set $g (i32.const 3)))
    (local.get $x)))
