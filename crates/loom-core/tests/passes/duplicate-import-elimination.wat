;; loom: --pass duplicate-import-elimination
;; Function imports with the same module, name and type become one; every
;; use follows the survivor. Different types or names stay apart.
(module
  (type $sig (func (param i32) (result i32)))
  (import "env" "f" (func $f (type $sig)))
  ;; the same import again: merged into $f
  (import "env" "f" (func $f_again (type $sig)))
  ;; same names, different type: kept (linking checks each type)
  (import "env" "f" (func $f_other_type (param i64) (result i64)))
  ;; same field, other module: kept
  (import "other" "f" (func $other_module (type $sig)))
  ;; globals are not merged
  (import "env" "g" (global $g i32))
  (import "env" "g" (global $g_again i32))
  ;; and a third copy, after the other kinds: merged too
  (import "env" "f" (func $f_third (type $sig)))
  (table 2 funcref)
  (elem (i32.const 0) func $f_again $f)
  (elem declare func $f_third)
  (export "f_again" (func $f_again))
  (func (export "main") (param i32) (result i32)
    (drop (call $f_other_type (i64.const 0)))
    (drop (call $other_module (local.get 0)))
    (drop (ref.func $f_third))
    (drop (global.get $g_again))
    (i32.add (call $f (local.get 0)) (call $f_again (global.get $g)))))
