;; loom: --pass reorder-functions
;; $popular is called three times, $exported once plus its export, $cold
;; only from the table: after the pass $popular comes first. Calls, the
;; element segment, the export, start, ref.func in a global initializer and
;; the function names all follow their functions.
(module
  (import "env" "log" (func $log (param i32)))
  (table 2 funcref)
  (elem (i32.const 0) $cold $exported)
  (global $fn funcref (ref.func $popular))
  (start $starter)
  (func $cold (result i32) (i32.const 7))
  (func $exported (export "exported") (result i32)
    (i32.add
      (i32.add (call $popular (i32.const 1)) (call $popular (i32.const 2)))
      (call $popular (i32.const 3))))
  (func $popular (param $x i32) (result i32)
    (call $log (local.get $x))
    (local.get $x))
  (func $starter
    (drop (call $exported))))
