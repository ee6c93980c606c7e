;; Found by `loom-check fuzz --profile gc --seed 22` (index 1715, at -O2 and
;; up, with the binary of 188d99a; present before this session too),
;; minimized by hand. When one multi-value operand (`call $two`) stands for
;; both operands of a binary operator, the IR node has one argument; the
;; rules' known-bits helper read a second one and panicked: `index out of
;; bounds: the len is 1 but the index is 1` (rules/mod.rs). It now knows
;; nothing of such operands.
;;
;; Expected at every level and pass: `f` returns 5 ((6 xor 3) and 255) and
;; `g` returns 0 ((6 >> 3) >> 1).
(module
  (func $two (result i32 i32) (i32.const 6) (i32.const 3))
  (func (export "f") (result i32)
    call $two
    i32.xor
    i32.const 255
    i32.and)
  (func (export "g") (result i32)
    call $two
    i32.shr_u
    i32.const 1
    i32.shr_u))
