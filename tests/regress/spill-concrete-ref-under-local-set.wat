;; Found by `loom-check fuzz --seed 1` at c2127a7 (index 2192 of the generator
;; as it was before imports and the per-call fuel refill; 17 of the first
;; 14,873 modules of that seed still failed at 83a85a5), minimized from the
;; wasm-smith module with a line-deletion reducer, then by hand. Fixed at
;; e8c4a72 (lifting keeps concrete reference types as module type indices).
;;
;; The same root cause as spill-concrete-ref-type.wat, which the stack
;; scheduling of e31b1b1 only hid: lifting spilled a value live across a
;; statement into a scratch local whose type came from the validator's
;; operand stack, where a concrete reference type is a canonicalized type id
;; rather than a module type index. Where the writer kept the scratch local
;; (here the value under the `local.set` is not restored to the stack),
;; encoding its declaration failed at every level and every pass:
;;   cannot encode module: There was a canonicalized heap type reference
;;   without type index information
;; (`ref.null func` instead of `ref.null $t`, or a `global.set` instead of the
;; `local.set`, optimized fine).
;;
;; Expected: optimizing succeeds at every level and pass; `f` returns 6
;; (ref.is_null of a null = 1, plus the 5 stored in $x).
(module
  (type $t (func))
  (func (export "f") (result i32)
    (local $x i32)
    ref.null $t
    i32.const 5
    local.set $x
    ref.is_null
    local.get $x
    i32.add))
