;; loom: -O0
;; Stack code that is not a tree: a value waits under a statement before it
;; is used. Lifting stores it in a scratch local; the writer puts it back on
;; the stack because nothing in between reaches below it, so the output has
;; the input's shape and no scratch local.
(module
  (global $g (mut i32) (i32.const 0))
  (func $value (result i32) (i32.const 1))
  (func $effect (global.set $g (i32.const 2)))
  (func (export "kept") (result i32)
    call $value
    call $effect
    i32.const 3
    i32.add)
  (func (export "const_under_call") (result i32)
    i32.const 5
    call $effect
    call $value
    i32.add)
  (func (export "local_get_spilled_when_written") (param $p i32) (result i32)
    local.get $p
    i32.const 9
    local.set $p
    local.get $p
    i32.sub))
