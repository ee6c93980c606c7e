;; From issue 19, found by hand. merge-similar-functions (-Os, -Oz) made $a
;; and $b thunks of one shared body and reached it with `call`: the
;; `return_call` loop $next -> $a/$b -> $next then kept a frame per trip, so
;; `run` (a million trips) overflowed the stack after optimization.
;;
;; Expected at every level and pass: `run` returns 2 (the trip count is even,
;; so the loop ends in $b) and memory holds the same Fibonacci-like words.
(module
  (memory (export "memory") 1)
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
  (func (export "run") (result i32) (return_call $next (i32.const 1000000))))
