;; loom: --pass inlining
;; A function named by a table's initializer (`ref.func` filling every
;; slot) is referenced: inlined into its one caller, it must stay. Found by
;; fuzzing (seed 2921, module 313): it was removed, and writing the table
;; failed with "function was removed but is still used".
(module
  (func $f (result i32) (i32.const 7))
  (table 2 funcref (ref.func $f))
  (func (export "call_once") (result i32) (call $f)))
