;; loom: --pass duplicate-function-elimination
;; Functions with the same type and body become one; every call follows. A
;; function a host could tell apart (exported, in a table, named by ref.func)
;; is never merged away, but others may merge into it.
(module
  (type $sig (func (param i32) (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) func $in_table $in_table_too)
  ;; only called, equal to $exported (later in the module): both merge
  ;; into it, whatever the order of the functions
  (func $add_one (type $sig) (i32.add (local.get 0) (i32.const 1)))
  (func $add_one_again (type $sig) (i32.add (local.get 0) (i32.const 1)))
  ;; equal only once the callees are merged: found in the second round
  (func $twice (type $sig) (call $add_one (call $add_one (local.get 0))))
  (func $twice_again (type $sig) (call $add_one_again (call $add_one_again (local.get 0))))
  ;; same body, different type: kept apart
  (func $add_one_i64 (param i64) (result i64) (i64.add (local.get 0) (i64.const 1)))
  (func $add_one_other_body (type $sig) (i32.add (local.get 0) (i32.const 2)))
  ;; both in the table: the table's entries stay two different functions
  (func $in_table (type $sig) (i32.sub (local.get 0) (i32.const 1)))
  (func $in_table_too (type $sig) (i32.sub (local.get 0) (i32.const 1)))
  ;; only called, equal to a table entry: merged into it
  (func $sub_one (type $sig) (i32.sub (local.get 0) (i32.const 1)))
  ;; exported: kept, and the others equal to it merge into it
  (func $exported (type $sig) (i32.add (local.get 0) (i32.const 1)))
  ;; Found on ruby.wasm: $triple_b merges into $triple_a in the first
  ;; round; $triple_a merges into $triple in the second (its callee merged
  ;; into $twice's). $triple_b must follow $triple_a, not keep its own index
  ;; (its own code is dropped once merged).
  (func $triple (type $sig) (call $twice (local.get 0)))
  (func $triple_a (type $sig) (call $twice_again (local.get 0)))
  (func $triple_b (type $sig) (call $twice_again (local.get 0)))
  (func (export "chain") (param i32) (result i32)
    (i32.add (call $triple (local.get 0)) (call $triple_b (local.get 0))))
  (func (export "main") (param i32) (result i32)
    (drop (call $add_one_i64 (i64.const 0)))
    (drop (call $add_one_other_body (local.get 0)))
    (drop (call $sub_one (local.get 0)))
    (drop (call $twice (local.get 0)))
    (call $twice_again (local.get 0)))
  (export "exported" (func $exported)))
