;; loom: --pass merge-similar-functions
;; The module makes tail calls, so the thunks reach the shared function
;; with `return_call`: a `return_call` loop through $a and $b keeps no
;; frame per trip.
(module
  (memory 1)
  (func $a (param i32) (result i32)
    (i32.store offset=4 (i32.const 0) (i32.add (i32.load offset=4 (i32.const 0)) (i32.load offset=8 (i32.const 0))))
    (i32.store offset=8 (i32.const 0) (i32.add (i32.load offset=4 (i32.const 0)) (i32.load offset=8 (i32.const 0))))
    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 1))
      (else (return_call $next (i32.sub (local.get 0) (i32.const 1))))))
  (func $b (param i32) (result i32)
    (i32.store offset=4 (i32.const 0) (i32.add (i32.load offset=4 (i32.const 0)) (i32.load offset=8 (i32.const 0))))
    (i32.store offset=8 (i32.const 0) (i32.add (i32.load offset=4 (i32.const 0)) (i32.load offset=8 (i32.const 0))))
    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 2))
      (else (return_call $next (i32.sub (local.get 0) (i32.const 1))))))
  (func $next (param i32) (result i32)
    (if (result i32) (i32.and (local.get 0) (i32.const 1))
      (then (return_call $a (local.get 0))) (else (return_call $b (local.get 0)))))
  (func (export "run") (param i32) (result i32) (return_call $next (local.get 0))))
