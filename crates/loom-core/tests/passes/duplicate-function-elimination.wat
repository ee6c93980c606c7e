;; loom: --pass duplicate-function-elimination
;; Functions with the same type and body become one; every use follows.
(module
  (type $sig (func (param i32) (result i32)))
  (table 4 funcref)
  ;; uses of the duplicates in a segment, an export and ref.func
  (elem (i32.const 0) func $add_one $add_one_again $twice $twice_again)
  (elem declare func $add_one_again)
  (func $add_one (type $sig) (i32.add (local.get 0) (i32.const 1)))
  (func $add_one_again (type $sig) (i32.add (local.get 0) (i32.const 1)))
  ;; equal only once the callees are merged: found in the second round
  (func $twice (type $sig) (call $add_one (call $add_one (local.get 0))))
  (func $twice_again (type $sig) (call $add_one_again (call $add_one_again (local.get 0))))
  ;; same body, different type: kept apart
  (func $add_one_i64 (param i64) (result i64) (i64.add (local.get 0) (i64.const 1)))
  (func $add_one_other_body (type $sig) (i32.add (local.get 0) (i32.const 2)))
  (func (export "main") (param i32) (result i32)
    (drop (ref.func $add_one_again))
    (drop (call $add_one_i64 (i64.const 0)))
    (drop (call $add_one_other_body (local.get 0)))
    (call $twice_again (local.get 0)))
  (export "again" (func $add_one_again)))
