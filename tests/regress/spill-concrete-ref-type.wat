;; Found by `loom-check fuzz` at commit f90938c (in about 5% of generated
;; modules; seed 0, index 83 of the generator as it was before imports and the
;; per-call fuel refill, so today's generator gives another module there),
;; minimized by hand from the wasm-smith module.
;; Hidden at e31b1b1 (the writer restores this value to the stack), fixed at
;; e8c4a72 (lifting keeps concrete reference types as module type indices).
;;
;; Lifting keeps a value that is live across a statement in a scratch local.
;; Here two values are live across `global.set`: the i32 7 and a null of the
;; concrete reference type (ref null $ft). At f90938c the scratch local's type
;; was taken from the validator's operand stack, where a concrete heap type is
;; a canonicalized type id rather than a module type index, and the writer
;; could not encode it: every level and every pass failed with
;;   cannot encode module: There was a canonicalized heap type reference
;;   without type index information
;; (`ref.null func` instead of `ref.null $ft` optimized fine).
;;
;; Expected: optimizing succeeds at every level and pass; `f` returns 8
;; (7 + ref.is_null of a null = 7 + 1) and leaves global `g` at 1.
(module
  (type $ft (func))
  (global $g (export "g") (mut i32) (i32.const 0))
  (func (export "f") (result i32)
    i32.const 7
    ref.null $ft
    i32.const 1
    global.set $g
    ref.is_null
    i32.add))
