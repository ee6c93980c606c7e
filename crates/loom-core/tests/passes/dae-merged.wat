;; loom: --pass duplicate-function-elimination --pass dae
;; Found by the spec suite (func.wast): duplicate-function-elimination merges
;; $g into the exported "f", so a call to $g reaches f's body; dae must
;; not drop $g's unused parameter, since the body kept is f's, which still has it.
(module
  (type $proc (func (result i32)))
  (type $sig (func (param i32) (result i32)))
  (func (export "f") (type $sig)
    (local $var i32)
    (local.get $var))
  (func $g (type $sig)
    (local $var i32)
    (local.get $var))
  (func (export "g") (type $sig)
    (call $g (local.get 0)))
  (func (export "p") (type $proc)
    (local $var i32)
    (local.set 0 (i32.const 42))
    (local.get $var))
  ;; $h2 duplicates $h1 and neither escapes: a call to either runs $h1's
  ;; body, so dae treats them as one function: $h1 loses its unread
  ;; parameter, and so do the calls to both.
  (func $h1 (type $sig) (i32.const 7))
  (func $h2 (type $sig) (i32.const 7))
  (func (export "calls-both") (type $proc)
    (i32.add (call $h1 (i32.const 1)) (call $h2 (i32.const 2)))))
