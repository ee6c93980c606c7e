;; loom: --pass duplicate-function-elimination --pass remove-unused-module-elements --pass merge-similar-functions
;; After earlier passes renumbered functions (a dead one removed, a
;; duplicate merged into its twin), the shared function still goes after
;; every written function and the thunks call it there. The duplicate $b2 is
;; not a member of its own: it shares $b's index, so $b's thunk serves both.
;; The recursive pair's shared function calls itself by its new index.
(module
  (memory 1)
  (func $dead (param i32) (i32.store (local.get 0) (i32.const 0)))
  (func $a (export "a") (param i32) (result i32)
    (i32.store offset=40 (local.get 0) (i32.load offset=44 (local.get 0)))
    (i32.store offset=48 (local.get 0) (i32.load offset=52 (local.get 0)))
    (i32.store offset=56 (local.get 0) (i32.load offset=60 (local.get 0)))
    (i32.add (local.get 0) (i32.const 1)))
  (func $b (param i32) (result i32)
    (i32.store offset=40 (local.get 0) (i32.load offset=44 (local.get 0)))
    (i32.store offset=48 (local.get 0) (i32.load offset=52 (local.get 0)))
    (i32.store offset=56 (local.get 0) (i32.load offset=60 (local.get 0)))
    (i32.add (local.get 0) (i32.const 2)))
  (func $b2 (param i32) (result i32)
    (i32.store offset=40 (local.get 0) (i32.load offset=44 (local.get 0)))
    (i32.store offset=48 (local.get 0) (i32.load offset=52 (local.get 0)))
    (i32.store offset=56 (local.get 0) (i32.load offset=60 (local.get 0)))
    (i32.add (local.get 0) (i32.const 2)))
  (func (export "main") (param i32) (result i32)
    (i32.add (call $b (local.get 0)) (call $b2 (local.get 0))))
  (func $rec_a (export "rec_a") (param i32) (result i32)
    (i32.store offset=40 (local.get 0) (i32.load offset=44 (local.get 0)))
    (i32.store offset=48 (local.get 0) (i32.load offset=52 (local.get 0)))
    (if (result i32) (local.get 0)
      (then (call $rec_a (i32.sub (local.get 0) (i32.const 1))))
      (else (i32.const 10))))
  (func $rec_b (export "rec_b") (param i32) (result i32)
    (i32.store offset=40 (local.get 0) (i32.load offset=44 (local.get 0)))
    (i32.store offset=48 (local.get 0) (i32.load offset=52 (local.get 0)))
    (if (result i32) (local.get 0)
      (then (call $rec_b (i32.sub (local.get 0) (i32.const 1))))
      (else (i32.const 20))))
)
