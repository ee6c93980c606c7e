;; loom: -O0
;; A multi-value result whose top value is dropped and whose other value is
;; stored: lifting spreads it into scratch locals, and writing must give
;; back the input's shape, so that a second round trip finds the same code
;; (before, each round trip added a copy through a new scratch local).
(module
  (func $two (result i32 i32) (i32.const 1) (i32.const 2))
  (func $use (param i32 i32))
  (func (export "f") (param i32) (local $z i32)
    call $two
    drop
    local.set $z
    local.get 0
    local.get $z
    call $use))
