;; loom: --pass duplicate-function-elimination --pass remove-unused-module-elements
;; Found on ruby.wasm at -Os: duplicate-function-elimination merges $b into
;; $a, and only $b is called. The merged functions live or die together,
;; and the body written must be $a's (a merged function's own code is
;; dropped): $a stays, with its body, under the one index.
(module
  (func $a (param i32) (result i32)
    (i32.add (local.get 0) (i32.const 1)))
  (func $b (param i32) (result i32)
    (i32.add (local.get 0) (i32.const 1)))
  (func $unused (result i32)
    (i32.const 3))
  (func (export "calls-b") (param i32) (result i32)
    (call $b (local.get 0))))
